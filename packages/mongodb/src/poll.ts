/** Polling back-off for readers without change streams (a standalone server has none): 50 ms doubling to 1 s. */
export const FIRST_POLL_MS = 50;
export const MAX_POLL_MS = 1000;

export function nextPollMs(previousMs: number): number {
  return Math.min(MAX_POLL_MS, previousMs * 2);
}

/** How long to sleep before the next poll: the back-off, cut to what is left of the deadline. */
export function pollDelayMs(backoffMs: number, deadline: number | null, now: number): number {
  return deadline === null ? backoffMs : Math.max(0, Math.min(backoffMs, deadline - now));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
