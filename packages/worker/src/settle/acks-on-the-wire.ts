/**
 * Resolves once acks already issued have left the process. Acks are coalesced per turn of the
 * event loop (AckBatcher, on setImmediate), then amqplib buffers the frames and writes them to
 * the socket on a later turn (its muxer runs on setImmediate too), so a handler that kills the
 * process at once (a poison message) would also kill the ack of an `acksLate: false` task, or of
 * the original a redelivered task was republished from. Two turns (the batcher, the muxer) and
 * one of margin.
 */
export async function acksOnTheWire(): Promise<void> {
  for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
}
