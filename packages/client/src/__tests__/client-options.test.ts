import { expect } from 'chai';
import { ConfigurationError } from '@celeriac/core';
import { compileClientOptions } from '../client-options.js';

function expectConfigError(options: Record<string, unknown>, mentions: string): void {
  expect(() => compileClientOptions(options), JSON.stringify(options))
    .to.throw(ConfigurationError, mentions)
    .with.property('code', 'CONFIG_INVALID');
}

describe('client options', () => {
  it('defaults to the local broker, rpc:// results and the celery queue', () => {
    const options = compileClientOptions({});
    expect(options).to.include({
      brokerUrl: 'amqp://guest:guest@localhost:5672//',
      resultBackend: 'rpc',
      defaultQueue: 'celery',
      resultExpiresMs: 86_400_000,
      connectionName: 'celeriac-client',
    });
  });

  it('turns results off with null or "disabled"', () => {
    expect(compileClientOptions({ resultBackend: null }).resultBackend).to.equal(null);
    expect(compileClientOptions({ resultBackend: 'disabled' }).resultBackend).to.equal(null);
  });

  it('refuses a broker URL that is not amqp:// or amqps://', () => {
    expectConfigError({ brokerUrl: 'redis://localhost' }, 'brokerUrl');
    expectConfigError({ brokerUrl: 'localhost:5672' }, 'brokerUrl');
  });

  it('refuses an unsupported result backend without echoing its credentials', () => {
    expect(() => compileClientOptions({ resultBackend: 'redis://user:secret@host/0' }))
      .to.throw(ConfigurationError)
      .that.satisfies((error: Error) => !error.message.includes('secret'));
  });

  for (const field of ['resultExpiresMs', 'publishWaitMs']) {
    it(`refuses a ${field} that is not a positive number`, () => {
      for (const value of [0, -1, Number.NaN]) expectConfigError({ [field]: value }, field);
    });
  }
});
