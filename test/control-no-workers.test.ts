/**
 * A control question nobody can hear: on a vhost where no worker listens on `celery.pidbox`, the
 * broker returns the request as unroutable. That used to close the reply channel under its
 * pending consume, whose rejection went unhandled and took the process down (a dashboard's
 * queues view on a fresh broker). Now it is one warning and no replies, as with Celery.
 */
import { expect } from 'chai';
import { Client } from '@celeriac/client';
import type { LogLevel, Logger } from '@celeriac/core';
import { PrivateVhost } from './support/vhost.js';

describe('control questions with no worker listening', function () {
  this.timeout(30_000);
  const vhost = new PrivateVhost();
  const lines: Array<{ level: LogLevel; message: string }> = [];
  const logger: Logger = { log: (level, message) => void lines.push({ level, message }), child: () => logger };
  let client: Client;

  before(async () => {
    await vhost.create();
    client = new Client({ brokerUrl: vhost.url, resultBackend: null, logger });
  });
  after(async () => {
    await client?.close();
    await vhost.delete();
  });

  it('two at once (as the dashboard asks) answer with no replies and a warning each, the process alive', async () => {
    const options = { timeoutMs: 500 };
    const [queues, stats] = await Promise.all([
      client.control('active_queues', {}, options),
      client.control('stats', {}, options),
    ]);
    expect(queues).to.deep.equal({});
    expect(stats).to.deep.equal({});
    expect(lines.filter((line) => line.level === 'warn' && /reached no worker/.test(line.message))).to.have.length(2);
  });
});
