import { expect } from 'chai';
import { compileGlobal, envName, globalDefaults, layerSettings, withDefaults } from '../config.js';
import { UsageError } from '../errors.js';
import { Settings } from '../settings.js';

const file = (values: Record<string, unknown>) => ({ path: 'celeriac.json', values });

function settingsOf(values: Record<string, unknown>, origin = 'CELERIAC_X'): Settings {
  return new Settings(new Map(Object.entries(values).map(([name, value]) => [name, { value, origin }])));
}

describe('config: stage 1, layering', function () {
  it('takes each option from the highest layer that sets it: flag, env, then file', function () {
    const raw = layerSettings(['broker', 'logLevel', 'concurrency'], {
      flags: { broker: 'amqp://flag' },
      env: { CELERIAC_BROKER: 'amqp://env', CELERIAC_LOG_LEVEL: 'debug' },
      file: file({ broker: 'amqp://file', logLevel: 'warn', concurrency: 4 }),
    });
    expect(Object.fromEntries(raw)).to.deep.equal({
      broker: { value: 'amqp://flag', origin: '--broker' },
      logLevel: { value: 'debug', origin: 'CELERIAC_LOG_LEVEL' },
      concurrency: { value: 4, origin: '"concurrency" in celeriac.json' },
    });
  });

  it('reads only the variables of options the command has', function () {
    const raw = layerSettings(['broker'], {
      flags: {},
      env: { CELERIAC_TEST_BROKER_URL: 'amqp://test', CELERIAC_CONCURRENCY: '3' },
      file: null,
    });
    expect(raw.size).to.equal(0);
  });

  it('maps camelCase option names to CELERIAC_UPPER_SNAKE variables', function () {
    expect(['broker', 'resultBackend', 'prefetchMultiplier'].map(envName)).to.deep.equal([
      'CELERIAC_BROKER',
      'CELERIAC_RESULT_BACKEND',
      'CELERIAC_PREFETCH_MULTIPLIER',
    ]);
  });
});

describe('config: stages 2 and 3, defaults and compiling', function () {
  it('fills only what no layer set', function () {
    const raw = layerSettings(['logLevel'], { flags: { logLevel: 'debug' }, env: {}, file: null });
    const global = compileGlobal(withDefaults(raw, globalDefaults({ stderrIsTTY: false })));
    expect(global).to.deep.equal({
      brokerUrl: 'amqp://guest:guest@localhost:5672//',
      brokerTls: undefined,
      declare: 'auto',
      resultBackend: 'rpc://',
      logLevel: 'debug',
      logFormat: 'json',
    });
  });

  it('logs text to a terminal and JSON otherwise, unless told', function () {
    const compile = (tty: boolean, env = {}) =>
      compileGlobal(
        withDefaults(
          layerSettings(['logFormat'], { flags: {}, env, file: null }),
          globalDefaults({ stderrIsTTY: tty }),
        ),
      );
    expect(compile(true).logFormat).to.equal('text');
    expect(compile(false).logFormat).to.equal('json');
    expect(compile(true, { CELERIAC_LOG_FORMAT: 'json' }).logFormat).to.equal('json');
  });

  it('turns a disabled result backend into null', function () {
    expect(compileGlobal(settingsOf({ resultBackend: 'disabled' })).resultBackend).to.equal(null);
  });

  it('rejects an unknown log level, naming the variable it came from', function () {
    expect(() => compileGlobal(settingsOf({ logLevel: 'loud' }, 'CELERIAC_LOG_LEVEL'))).to.throw(
      UsageError,
      'CELERIAC_LOG_LEVEL must be one of error, warn, info, debug, got "loud"',
    );
  });
});

describe('Settings readers', function () {
  it('parse the string forms env variables arrive in', function () {
    const settings = settingsOf({ n: '4', s: '1.5', yes: 'true', no: '0', list: 'a, b,c', json: '{"a":[1]}' });
    expect(settings.integer('n', 1)).to.equal(4);
    expect(settings.seconds('s')).to.equal(1.5);
    expect([settings.boolean('yes'), settings.boolean('no')]).to.deep.equal([true, false]);
    expect(settings.list('list')).to.deep.equal(['a', 'b', 'c']);
    expect(settings.json('json')).to.deep.equal({ a: [1] });
  });

  it('take repeated list flags and JSON arrays from a config file', function () {
    expect(settingsOf({ q: ['a', 'b,c'] }, '--queues').list('q')).to.deep.equal(['a', 'b', 'c']);
  });

  it('return undefined for options nobody set', function () {
    const settings = settingsOf({});
    expect([
      settings.string('x'),
      settings.integer('x', 0),
      settings.boolean('x'),
      settings.list('x'),
      settings.json('x'),
    ]).to.deep.equal([undefined, undefined, undefined, undefined, undefined]);
  });

  it('reject NaN, fractions, negatives and bad booleans with the origin in the message', function () {
    expect(() => settingsOf({ c: Number.NaN }, '--concurrency').integer('c', 1)).to.throw(
      UsageError,
      '--concurrency must be an integer >= 1, got something that is not a number',
    );
    expect(() => settingsOf({ c: 2.5 }).integer('c', 1)).to.throw(UsageError, 'must be an integer >= 1, got 2.5');
    expect(() => settingsOf({ s: '-1' }).seconds('s')).to.throw(UsageError, 'must be a number of seconds >= 0');
    expect(() => settingsOf({ b: 'maybe' }).boolean('b')).to.throw(UsageError, 'must be true or false');
    expect(() => settingsOf({ l: 'a,,b' }).list('l')).to.throw(UsageError, 'none empty');
  });

  it('say which option is missing when it is required', function () {
    expect(() => settingsOf({}).requiredString('app', '--app', 'CELERIAC_APP')).to.throw(
      UsageError,
      'missing required option --app (or CELERIAC_APP)',
    );
  });

  it('takes several brokers from CELERIAC_BROKER, a repeated flag or a config-file array', function () {
    const joined = 'amqp://h1;amqp://h2';
    expect(compileGlobal(settingsOf({ broker: joined }, 'CELERIAC_BROKER')).brokerUrl).to.equal(joined);
    expect(compileGlobal(settingsOf({ broker: ['amqp://h1', 'amqp://h2'] }, '--broker')).brokerUrl).to.equal(joined);
    expect(compileGlobal(settingsOf({ broker: ['amqp://h1', 'amqp://h2'] }, 'file')).brokerUrl).to.equal(joined);
  });

  it('names a bad broker of a list by its position, without echoing the password', function () {
    const compile = () => compileGlobal(settingsOf({ broker: 'amqp://h1;http://u:hunter2@h2' }, 'CELERIAC_BROKER'));
    expect(compile).to.throw(UsageError, 'CELERIAC_BROKER (URL 2 of 2) must be an amqp:// or amqps:// URL');
  });
});
