import { expect } from 'chai';
import { hostname } from 'node:os';
import { expandNodeName } from '../commands/worker.js';

describe('worker --hostname', () => {
  it('expands %h to the host name and %p to the process id, as Celery does', () => {
    expect(expandNodeName('w1-%p@%h')).to.equal(`w1-${process.pid}@${hostname()}`);
  });

  it('leaves a name without placeholders alone', () => {
    expect(expandNodeName('billing@node7')).to.equal('billing@node7');
  });
});
