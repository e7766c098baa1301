/**
 * `celeriac dead` and `celeriac purge` (issue 14, item 5) against the real broker, in a private
 * vhost so `celeriac.dead` holds only this file's dead letters: tasks no worker knows are
 * dead-lettered NOT_REGISTERED by a real worker, listed and shown, requeued to a worker that
 * knows them (they run, and leave celeriac.dead), and purged; a bare requeue or purge is refused;
 * selected by code and by age; requeued with their original headers and no delivery count.
 */
import { expect } from 'chai';
import { connect } from 'amqplib';
import { Client } from '@celeriac/client';
import { defineTask } from '@celeriac/core';
import { TaskRegistry, Worker } from '@celeriac/worker';
import { eventually, uniqueName } from './support/broker.js';
import { SpawnedCli } from './support/spawned-cli.js';
import { PrivateVhost } from './support/vhost.js';

const fixme = defineTask<[number], void>('dead.fixme');

describe('celeriac dead / purge (private vhost)', function () {
  this.timeout(60_000);
  const vhost = new PrivateVhost();
  const queue = uniqueName('dead');
  let client: Client;
  let worker: Worker | null = null;
  const ran: number[] = [];

  const cli = (...args: string[]) => SpawnedCli.run(args, { CELERIAC_BROKER: vhost.url });
  async function startWorker(tasks: TaskRegistry): Promise<void> {
    worker = new Worker({ brokerUrl: vhost.url, tasks, queues: [queue], nodeName: uniqueName('dead-node') });
    await worker.start();
  }
  async function stopWorker(): Promise<void> {
    await worker?.stop({ timeoutMs: 2000 });
    worker = null;
  }

  before(async () => {
    await vhost.create();
    client = new Client({ brokerUrl: vhost.url, resultBackend: null });
  });
  after(async () => {
    await stopWorker();
    await client.close();
    await vhost.delete();
  });

  it('lists, shows, requeues and purges dead letters; a bare requeue or purge is refused', async () => {
    await startWorker(new TaskRegistry().register('dead.known', () => 'ok'));
    const sent = await Promise.all([1, 2, 3].map((n) => client.sendTask('dead.fixme', [n], {}, { queue })));
    const other = await client.sendTask('dead.other', [], {}, { queue });
    await eventually(async () => ((await client.deadLetters.list()).length === 4 ? true : undefined), 15_000);

    const listed = await cli('dead', 'ls', '--task', 'dead.fixme', '--json');
    expect(listed.code, listed.stderr).to.equal(0);
    const rows = listed.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rows.map((row) => row.taskId)).to.have.members(sent.map((result) => result.id));
    for (const row of rows) expect(row).to.include({ task: 'dead.fixme', code: 'NOT_REGISTERED', queue });
    const table = await cli('dead', 'ls');
    expect(table.stdout).to.match(/^TASK ID\s+TASK\s+CODE\s+QUEUE\s+AT\s+REASON/);
    expect(table.stdout.trim().split('\n')).to.have.length(5);

    const shown = await cli('dead', 'show', other.id);
    expect(shown.code, shown.stderr).to.equal(0);
    const letter = JSON.parse(shown.stdout) as { task: string; headers: Record<string, unknown>; body: unknown };
    expect(letter.task).to.equal('dead.other');
    expect(letter.headers.id).to.equal(other.id);
    expect(letter.body).to.deep.equal([[], {}, { callbacks: null, errbacks: null, chain: null, chord: null }]);

    expect((await cli('dead', 'requeue')).code, 'requeue with no selection').to.equal(2);
    expect((await cli('dead', 'purge', '--all')).code, 'purge without --force').to.equal(2);

    await stopWorker();
    await startWorker(new TaskRegistry().register(fixme, (n) => void ran.push(n)));
    const requeued = await cli('dead', 'requeue', '--task', 'dead.fixme');
    expect(requeued.code, requeued.stderr).to.equal(0);
    expect(requeued.stdout).to.equal('requeued 3 dead letters\n');
    await eventually(() => (ran.length === 3 ? true : undefined), 15_000);
    expect(ran.sort()).to.deep.equal([1, 2, 3]);
    expect((await client.deadLetters.list()).map((left) => left.taskId)).to.deep.equal([other.id]);

    const purged = await cli('dead', 'purge', '--all', '--force');
    expect(purged.stdout).to.equal('purged 1 dead letters\n');
    expect(await client.deadLetters.list()).to.deep.equal([]);
  });

  it('selects by --code and --older-than; a requeued letter keeps its headers and starts its count afresh', async () => {
    await stopWorker();
    await startWorker(new TaskRegistry().register('dead.known', () => 'ok'));
    const early = await client.sendTask('dead.early', [], {}, { queue, headers: { tenant: 'acme', attempt: 7 } });
    const raw = await connect(vhost.url);
    const channel = await raw.createConfirmChannel();
    // Not a task message at all: dead-lettered HEADER_MISSING, a code of its own.
    channel.sendToQueue(queue, Buffer.from('[]'), { correlationId: 'not-a-task', contentType: 'application/json' });
    await channel.waitForConfirms();
    await eventually(async () => ((await client.deadLetters.list()).length === 2 ? true : undefined), 15_000);
    await new Promise((resolve) => setTimeout(resolve, 6000));
    const late = await client.sendTask('dead.late', [], {}, { queue });
    await eventually(async () => ((await client.deadLetters.list()).length === 3 ? true : undefined), 15_000);
    const ids = async (...args: string[]) => {
      const run = await cli('dead', 'ls', '--json', ...args);
      expect(run.code, run.stderr).to.equal(0);
      return run.stdout
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((line) => (JSON.parse(line) as { taskId: string }).taskId);
    };
    // Halfway between the two letters' ages: about 3 s of margin for the CLI to start.
    const ages = (await client.deadLetters.list()).map((letter) => Date.now() - (letter.at?.getTime() ?? 0));
    const olderThan = Math.round((Math.max(...ages) + Math.min(...ages)) / 2);
    expect(await ids('--older-than', String(olderThan), '--code', 'NOT_REGISTERED')).to.deep.equal([early.id]);
    expect(await ids('--code', 'NOT_REGISTERED')).to.have.members([early.id, late.id]);
    expect((await client.deadLetters.list()).map((letter) => letter.code)).to.include('HEADER_MISSING');

    await stopWorker();
    const requeued = await cli('dead', 'requeue', early.id);
    expect(requeued.stdout).to.equal('requeued 1 dead letters\n');
    const back = await eventually(async () => (await channel.get(queue, { noAck: true })) || undefined, 10_000);
    await raw.close();
    const headers = back.properties.headers ?? {};
    expect(headers).to.include({ id: early.id, task: 'dead.early', tenant: 'acme', attempt: 7 });
    const counts = Object.keys(headers).filter((name) => /deliver|x-celeriac-dead|x-death/.test(name));
    expect(counts, 'no delivery count or dead-letter stamp carried over').to.deep.equal([]);
    expect(await ids('--code', 'NOT_REGISTERED')).to.deep.equal([late.id]);
    await cli('dead', 'purge', '--all', '--force');
  });

  it('purges a queue with --force only, and names a queue that does not exist', async () => {
    await stopWorker();
    await Promise.all([1, 2].map((n) => client.sendTask('dead.waiting', [n], {}, { queue })));
    expect((await cli('purge', '-Q', queue)).code, 'purge without --force').to.equal(2);
    const purged = await cli('purge', '-Q', queue, '--force');
    expect(purged.code, purged.stderr).to.equal(0);
    expect(purged.stdout).to.equal(`purged 2 messages from ${queue}\n`);
    const second = uniqueName('dead-second');
    await client.sendTask('dead.waiting', [3], {}, { queue: second });
    await client.sendTask('dead.waiting', [4], {}, { queue });
    const both = await cli('purge', '-Q', `${queue},${second}`, '--force');
    expect(both.stdout).to.equal(`purged 1 message from ${queue}\npurged 1 message from ${second}\n`);
    const missing = await cli('purge', '-Q', `${queue}.missing`, '--force');
    expect(missing.code, 'a usage error: the queue named is wrong').to.equal(2);
    expect(missing.stderr).to.include(`queue '${queue}.missing' does not exist`);
  });
});
