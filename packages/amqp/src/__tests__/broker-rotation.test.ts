import { expect } from 'chai';
import { BrokerRotation } from '../broker-rotation.js';

describe('broker rotation', () => {
  it('starts at the first URL and moves on at every attempt, wrapping around', () => {
    const rotation = new BrokerRotation('amqp://h1;amqp://h2;amqp://h3');
    const order = Array.from({ length: 7 }, () => rotation.take());
    expect(order).to.deep.equal([
      'amqp://h1',
      'amqp://h2',
      'amqp://h3',
      'amqp://h1',
      'amqp://h2',
      'amqp://h3',
      'amqp://h1',
    ]);
  });

  it('reconnects to the node after the one that was lost', () => {
    const rotation = new BrokerRotation(['amqp://h1', 'amqp://h2']);
    expect(rotation.take()).to.equal('amqp://h1'); // connected, later lost
    expect(rotation.take()).to.equal('amqp://h2');
  });

  it('keeps retrying the one URL it has', () => {
    const rotation = new BrokerRotation('amqp://h1');
    expect([rotation.take(), rotation.take()]).to.deep.equal(['amqp://h1', 'amqp://h1']);
  });

  it('refuses an empty list', () => {
    expect(() => new BrokerRotation([])).to.throw(RangeError);
  });
});
