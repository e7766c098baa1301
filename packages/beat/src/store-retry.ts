/**
 * A beat started while its store cannot be reached (MongoDB still starting, a network blip)
 * waits for it instead of exiting: a supervisor restarting it in a loop would show the same
 * failure with less said. Refusals that waiting cannot fix (a corrupt file, an invalid schedule)
 * still fail at once.
 */
import { CeleriacError, ConnectionError, backoffDelayMs, errorMeta, type Logger } from '@celeriac/core';

const RETRY = { baseMs: 1000, maxMs: 30_000, jitter: false } as const;

export async function untilStoreAnswers<T>(work: () => Promise<T>, logger: Logger, stopped: () => boolean): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      // Celeriac's own errors are verdicts (corrupt file, bad schedule), except an unreachable
      // server; a driver's are conditions.
      const verdict = error instanceof CeleriacError && !(error instanceof ConnectionError);
      if (verdict || stopped()) throw error;
      const delayMs = backoffDelayMs(attempt, RETRY);
      logger.log(
        'warn',
        `the schedule store cannot be reached; trying again in ${Math.round(delayMs / 1000)} s`,
        errorMeta(error),
      );
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      if (stopped()) throw error;
    }
  }
}
