import { expect } from 'chai';
import { PublishError } from '@celeriac/core';
import type { ConfirmPublisher } from '../publisher.js';
import { REPLY_RETRY_DELAYS_MS, RpcResultWriter } from '../rpc-result-writer.js';

/** Refuses the first `missing` publishes as unroutable (no reply queue), then takes them. */
function publisher(missing: number) {
  const published: string[] = [];
  let refused = 0;
  const fake = {
    publish: async (_exchange: string, routingKey: string, body: Buffer) => {
      if (refused < missing) {
        refused += 1;
        throw new PublishError('PUBLISH_UNROUTABLE', 'no queue', { exchange: '', routingKey });
      }
      published.push(JSON.parse(body.toString()).status as string);
    },
  };
  return { fake: fake as unknown as ConfirmPublisher, published, refusals: () => refused };
}

const update = (state: 'SUCCESS' | 'STARTED') => ({
  taskId: 't1',
  state,
  result: 1,
  traceback: null,
  replyTo: 'reply-q',
  correlationId: 't1',
});
const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('RpcResultWriter', () => {
  // Celery 5.6's rpc client deletes and re-declares its reply queue on every drain timeout.
  it('publishes a final state again, in the background, while the reply queue is missing for a moment', async () => {
    const { fake, published } = publisher(2);
    await new RpcResultWriter(fake).store(update('SUCCESS'));
    expect(published, 'store() does not wait for the retries').to.deep.equal([]);
    await settle(REPLY_RETRY_DELAYS_MS[0]! + REPLY_RETRY_DELAYS_MS[1]! + 100);
    expect(published).to.deep.equal(['SUCCESS']);
  });

  it('gives a final state up after the last retry, and never retries a state that is not final', async () => {
    const lines: string[] = [];
    const logger = { log: (_level: string, message: string) => void lines.push(message), child: () => logger };
    const gone = publisher(100);
    await new RpcResultWriter(gone.fake, logger).store(update('STARTED'));
    expect(gone.refusals()).to.equal(1);
    await new RpcResultWriter(gone.fake, logger).store(update('SUCCESS'));
    await settle(REPLY_RETRY_DELAYS_MS.reduce((sum, delay) => sum + delay, 0) + 150);
    expect(gone.refusals()).to.equal(2 + REPLY_RETRY_DELAYS_MS.length);
    expect(lines).to.deep.equal([
      "result not delivered: the caller's reply queue is gone",
      "result not delivered: the caller's reply queue is gone",
    ]);
  });
});
