import { expect } from 'chai';
import type { Delivery } from '@celeriac/amqp';
import { silentLogger, type Logger } from '@celeriac/core';
import { settleOnce } from '../settle/settle-once.js';

function recorded() {
  const log: string[] = [];
  const warnings: string[] = [];
  const delivery = {
    message: {},
    queue: 'q',
    ack: () => log.push('ack'),
    requeue: () => log.push('requeue'),
    orphaned: () => false,
  } as unknown as Delivery;
  const logger: Logger = {
    ...silentLogger,
    log: (level, message) => void (level === 'warn' && warnings.push(message)),
  };
  return { log, warnings, delivery: settleOnce(delivery, logger) };
}

describe('settleOnce', () => {
  it('passes the first settlement through and ignores the rest', () => {
    const { log, delivery } = recorded();
    delivery.ack();
    delivery.ack();
    delivery.requeue();
    expect(log).to.deep.equal(['ack']);
  });

  it('warns that an early-acked task cannot go back to the queue', () => {
    const { warnings, delivery } = recorded();
    delivery.ack();
    delivery.requeue();
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.match(/acksLate: false/);
  });

  it('keeps the message and queue', () => {
    const { delivery } = recorded();
    expect(delivery.queue).to.equal('q');
  });
});
