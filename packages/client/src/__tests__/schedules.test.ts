import { expect } from 'chai';
import { encodeException, type ResultMeta } from '@celeriac/protocol';
import { ConfigurationError, InvalidArgumentError, type ScheduleEntry } from '@celeriac/core';
import { Client } from '../client.js';
import { ScheduleClient, ScheduleCommandError, replyOf } from '../schedules.js';

function meta(status: 'SUCCESS' | 'FAILURE', result: unknown): ResultMeta {
  return { task_id: 'req-1', status, result, traceback: null, children: [] };
}

async function refusal(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('the call was accepted'),
    (error: unknown) => error,
  );
}

describe('client.schedules (no broker)', () => {
  // A closed port: reaching the network would fail with BROKER_UNREACHABLE instead.
  const client = new Client({ brokerUrl: 'amqp://guest:guest@127.0.0.1:1//' });
  after(() => client.close());

  it('is one ScheduleClient per client', () => {
    expect(client.schedules).to.be.instanceOf(ScheduleClient).and.to.equal(client.schedules);
  });

  it('refuses invalid schedules, names and timeouts before connecting', async () => {
    const badCron = { name: 'x', task: 'tasks.x', schedule: { kind: 'cron', expression: '61 * * * *' } } as const;
    const error = await refusal(client.schedules.add(badCron));
    expect(error).to.be.instanceOf(InvalidArgumentError);
    expect((error as Error).message).to.match(/schedule 'x'.*cron/);
    const badZone = {
      name: 'x',
      task: 'tasks.x',
      schedule: { kind: 'cron', expression: '0 6 * * *', timezone: 'Mars/Olympus' },
    } as const;
    expect(await refusal(client.schedules.update(badZone))).to.be.instanceOf(InvalidArgumentError);
    expect(await refusal(client.schedules.remove(''))).to.be.instanceOf(InvalidArgumentError);
    expect(await refusal(client.schedules.list({ timeoutMs: 0 }))).to.be.instanceOf(InvalidArgumentError);
  });

  it('needs the rpc result backend for the answers', async () => {
    const schedules = new ScheduleClient(async () => ({ publisher: {} as never, results: null }));
    expect(await refusal(schedules.list())).to.be.instanceOf(ConfigurationError);
  });
});

describe('replyOf', () => {
  it('returns the ScheduleReply of a SUCCESS', () => {
    const reply = { op: 'enable', entry: { name: 'x' } as ScheduleEntry };
    expect(replyOf(meta('SUCCESS', reply))).to.deep.equal(reply);
  });

  it('rethrows a remote InvalidArgumentError as one, with its message', () => {
    const remote = encodeException(new InvalidArgumentError("schedule 'x': invalid cron expression"));
    expect(() => replyOf(meta('FAILURE', remote))).to.throw(
      InvalidArgumentError,
      "schedule 'x': invalid cron expression",
    );
  });

  it('rethrows any other remote failure as a ScheduleCommandError naming the remote type', () => {
    const remote = encodeException(new RangeError('disk full'));
    expect(() => replyOf(meta('FAILURE', remote))).to.throw(ScheduleCommandError, /RangeError: disk full/);
  });
});
