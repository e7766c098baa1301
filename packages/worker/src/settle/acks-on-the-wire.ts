/**
 * Resolves once acks already issued have left the process. Acks are coalesced per turn of the
 * event loop (AckBatcher, on setImmediate), then amqplib buffers the frames and writes them to
 * the socket on a later turn (its muxer runs on setImmediate too), so a handler that kills the
 * process at once (a poison message) would also kill the ack of an `acksLate: false` task, or of
 * the original a redelivered task was republished from. Two turns (the batcher, the muxer) and
 * one of margin.
 *
 * Calls made before the first one's microtask to clear it has run share its wait: no turn of the
 * event loop passes between the first and the last of them, so three turns after the first are
 * three after each (a drain of 800 prefetched tasks made three promises and three immediates a task).
 */
let shared: Promise<void> | null = null;

export function acksOnTheWire(): Promise<void> {
  if (shared) return shared;
  const wait = threeTurns();
  shared = wait;
  // Cleared before any turn can pass: a microtask runs ahead of every immediate and timer.
  queueMicrotask(() => {
    shared = null;
  });
  return wait;
}

async function threeTurns(): Promise<void> {
  for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
}
