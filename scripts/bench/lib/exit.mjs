/**
 * Clean-up when a benchmark is interrupted (SIGINT, SIGTERM from run.mjs on a timeout): `finally`
 * blocks do not run when a signal ends the process, so the queues it created and the processes
 * it started are registered here and removed before it exits.
 */
const cleanups = new Set();
const LIMIT_MS = 5000;

/** Runs `fn` (may be async) if the process is ended by a signal; returns the unregister function. */
export function onInterrupt(fn) {
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

/** Latest registered first: processes (registered after the queue names) stop before their queues go. */
async function runAll() {
  for (const fn of [...cleanups].reverse())
    await Promise.resolve()
      .then(fn)
      .catch(() => undefined);
}

async function interrupted() {
  const limit = new Promise((resolve) => setTimeout(resolve, LIMIT_MS).unref());
  await Promise.race([runAll(), limit]);
  process.exit(130);
}

for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => void interrupted());
