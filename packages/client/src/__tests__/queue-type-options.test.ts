import { expect } from 'chai';
import { ConfigurationError } from '@celeriac/core';
import { compileClientOptions } from '../client-options.js';

describe('client queueType option', () => {
  it('defaults to classic and takes quorum', () => {
    expect(compileClientOptions({}).queueType).to.equal('classic');
    expect(compileClientOptions({ queueType: 'quorum' }).queueType).to.equal('quorum');
  });

  it('refuses a priority on a quorum queue when the client is built, and an unknown type', () => {
    expect(() => compileClientOptions({ queueType: 'quorum', queues: { p: { maxPriority: 5 } } })).to.throw(
      ConfigurationError,
      /queue 'p' is a quorum queue/,
    );
    const queueType = 'stream' as unknown as 'quorum';
    expect(() => compileClientOptions({ queueType })).to.throw(ConfigurationError, /queueType must be/);
  });
});
