/** How long a consumer waits before reopening a channel the broker closed. */
export const REOPEN_DELAY_MS = 1000;

/**
 * Reopens a consumer's channel a second after the broker closed it while its connection lived
 * (a 406, a deleted queue): without this the consumer would sit idle until the next reconnect.
 * When the connection itself is gone, `reopen` fails, `onError` hears it, and the connection's
 * setup hook re-subscribes once it is back. `stillWanted` is asked when the timer fires.
 */
export function reopenLater(
  stillWanted: () => boolean,
  reopen: () => Promise<void>,
  onError: (error: unknown) => void,
): void {
  setTimeout(() => {
    if (stillWanted()) reopen().catch(onError);
  }, REOPEN_DELAY_MS).unref();
}
