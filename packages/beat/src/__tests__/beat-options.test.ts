import { expect } from 'chai';
import { ConfigurationError, MemoryScheduleStore, type ScheduleStore } from '@celeriac/core';
import { compileBeatOptions } from '../beat-options.js';
import { Beat } from '../beat.js';

const store = new MemoryScheduleStore();
const tick = { name: 'tick', task: 'tasks.tick', schedule: { kind: 'interval', everyMs: 1000 } } as const;

describe('compileBeatOptions', () => {
  it('applies defaults: short lock heartbeat, 1 s lock retry, and a client that reads no results', async () => {
    const options = compileBeatOptions({ store });
    expect(options).to.include({
      brokerUrl: 'amqp://guest:guest@localhost:5672//',
      pruneStatic: false,
      lockRetryMs: 1000,
      lockHeartbeatSeconds: 5,
      tickToleranceMs: 5,
    });
    expect(options.client).to.include({
      resultBackend: null,
      publishWaitMs: 5000,
      connectionName: 'celeriac-beat:send',
    });
    expect(options.schedules.digest).to.equal(null);
    expect(await options.schedules.load()).to.deep.equal([]);
  });

  it('compiles static schedules once, saying which parts a stored schedule keeps', async () => {
    const [schedule] = await compileBeatOptions({ store, schedules: [tick] }).schedules.load();
    expect(schedule?.definition).to.include({ name: 'tick', task: 'tasks.tick', enabled: true });
    expect(schedule).to.include({ keepsEnabled: true, keepsAnchor: true });
  });

  it('passes routing options on to the client', () => {
    const options = compileBeatOptions({
      store,
      client: { defaultQueue: 'periodic', queues: { periodic: { maxPriority: 10 } } },
    });
    expect(options.client).to.include({ defaultQueue: 'periodic', resultBackend: null });
  });

  it('passes the queue type on to the client, and refuses a priority on a quorum queue at start', () => {
    expect(compileBeatOptions({ store, client: { queueType: 'quorum' } }).client).to.include({ queueType: 'quorum' });
    expect(() =>
      compileBeatOptions({ store, client: { queueType: 'quorum', queues: { p: { maxPriority: 3 } } } }),
    ).to.throw(ConfigurationError, /queue 'p' is a quorum queue/);
  });

  it('refuses unusable options with CONFIG_INVALID before connecting', () => {
    const bad: Array<[() => unknown, RegExp]> = [
      [() => compileBeatOptions({ store: {} as ScheduleStore }), /store must be a ScheduleStore/],
      [() => compileBeatOptions({ store, brokerUrl: 'http://x' }), /amqp/],
      [() => compileBeatOptions({ store, lockRetryMs: 0 }), /lockRetryMs/],
      [() => compileBeatOptions({ store, tickToleranceMs: -1 }), /tickToleranceMs/],
      [() => compileBeatOptions({ store, schedules: [tick, tick] }), /"tick" is defined twice/],
      [
        () => compileBeatOptions({ store, schedules: [{ ...tick, schedule: { kind: 'cron', expression: '* * *' } }] }),
        /invalid static schedule: schedule 'tick'/,
      ],
      [() => compileBeatOptions({ store, client: { publishWaitMs: -5 } }), /publishWaitMs/],
      [() => compileBeatOptions({ store, schedules: async () => [tick] }), /need a staticDigest/],
      [() => compileBeatOptions({ store, schedules: [tick], staticDigest: '' }), /staticDigest must be/],
    ];
    for (const [compile, message] of bad) expect(compile).to.throw(ConfigurationError, message);
  });

  it('reads schedules given as a function only when loaded, and keys the digest with pruneStatic', async () => {
    let reads = 0;
    const read = async () => {
      reads += 1;
      return [tick];
    };
    const adding = compileBeatOptions({ store, schedules: read, staticDigest: 'sha256:x' }).schedules;
    const pruning = compileBeatOptions({ store, schedules: read, staticDigest: 'sha256:x', pruneStatic: true });
    expect(reads).to.equal(0);
    expect(adding.digest).to.be.a('string').that.includes('sha256:x').and.not.equal(pruning.schedules.digest);
    expect((await adding.load()).map((schedule) => schedule.definition.name)).to.deep.equal(['tick']);
    expect(reads).to.equal(1);
  });

  it('refuses them in the Beat constructor too, and starts INITIALIZED', () => {
    expect(() => new Beat({ store, schedules: [{ ...tick, task: '' }] })).to.throw(ConfigurationError);
    expect(new Beat({ store }).state).to.equal('INITIALIZED');
  });
});
