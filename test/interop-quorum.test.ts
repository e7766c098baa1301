/**
 * Issue 13, item 5: a Celery 5.5+ peer set up for quorum queues (task_default_queue_type =
 * 'quorum', so it declares its queue and the celery_delayed_* lanes as quorum queues) and a
 * Celeriac worker and client with queueType 'quorum', on the same lanes, in both start orders:
 * no 406 on either side, and countdowns run on time both ways. Each order in a private vhost:
 * the lanes on the default vhost are classic and shared by every other test. With Debian's
 * Celery 5.2 peer (no quorum support) the cases are pending, with the reason.
 */
import { expect } from 'chai';
import { connect } from 'amqplib';
import { bindToDelayLanes, declareQueue, taskQueue } from '@celeriac/amqp';
import { Client } from '@celeriac/client';
import { TaskRegistry, Worker, type TaskContext } from '@celeriac/worker';
import { eventually, uniqueName } from './support/broker.js';
import { PythonWorker, peerCeleryVersion, peerIsAtLeast, sendFromPython } from './support/python-peer.js';
import { PrivateVhost } from './support/vhost.js';

/**
 * How py-amqp reports a refused declaration ("(406) PRECONDITION_FAILED - inequivalent arg ...",
 * amqp.exceptions.PreconditionFailed). Not a bare '406': Celery's log timestamps carry
 * milliseconds, and ',406' in one made this case fail on a good run.
 */
const REFUSED_DECLARATION = /PRECONDITION_FAILED|PreconditionFailed|inequivalent arg/;

const COUNTDOWN_S = 3;
const RETRY_BACKOFF_S = 2;
/** Generous: Python's interpreter start is in it. Lateness is measured in benchmarks, not here. */
const LATE_LIMIT_MS = 8000;

describe('interop: quorum queues and native delayed delivery with a Celery 5.5+ peer', function () {
  this.timeout(90_000);
  if (!peerIsAtLeast(5, 5)) {
    it(
      `pending: the peer is Celery ${peerCeleryVersion()}; quorum queues need 5.5+ (CELERIAC_TEST_PYTHON=.venv-celery/bin/python)`,
    );
    return;
  }
  for (const first of ['python', 'celeriac'] as const) describeOrder(first);
});

function describeOrder(first: 'python' | 'celeriac'): void {
  describe(`${first === 'python' ? 'the Python worker' : 'the Celeriac worker'} declares the lanes first`, () => {
    const vhost = new PrivateVhost();
    const pythonQueue = uniqueName('py-quorum');
    const celeriacQueue = uniqueName('ts-quorum');
    const env = () => ({ CELERIAC_TEST_BROKER_URL: vhost.url, CELERIAC_PEER_QUEUE_TYPE: 'quorum' });
    let python: PythonWorker | undefined;
    let worker: Worker | undefined;
    let client: Client | undefined;

    const startPython = async () => (python = await PythonWorker.start(pythonQueue, { env: env() }));
    const startCeleriac = async () => {
      const tasks = new TaskRegistry()
        .register('quorum.stamp', () => Date.now())
        // The Python task of that name retries into our queue; we run the retry.
        .register('interop.retry_to', (...params: unknown[]) => ({
          ran_by: 'celeriac',
          retries: (params.pop() as TaskContext).retries,
        }))
        // Our half of interop.request_info: a retry with back-off into the Python queue.
        .register('interop.request_info', (ctx: TaskContext) =>
          ctx.retry({ queue: pythonQueue, countdownMs: RETRY_BACKOFF_S * 1000 }),
        );
      worker = new Worker({ brokerUrl: vhost.url, tasks, queues: [celeriacQueue], queueType: 'quorum' });
      await worker.start();
    };
    before(async () => {
      await vhost.create();
      for (const start of first === 'python' ? [startPython, startCeleriac] : [startCeleriac, startPython])
        await start();
      client = new Client({ brokerUrl: vhost.url, queueType: 'quorum' });
    });
    after(async () => {
      await python?.stop();
      await worker?.stop({ timeoutMs: 2000 });
      await client?.close();
      await vhost.delete();
    });

    it('both sides declare the same quorum queues and lanes: no 406 on either', async () => {
      const queues = await vhost.queues();
      expect(queues.get(pythonQueue)).to.deep.include({ type: 'quorum', arguments: { 'x-queue-type': 'quorum' } });
      expect(queues.get(celeriacQueue)).to.deep.include({ type: 'quorum', arguments: { 'x-queue-type': 'quorum' } });
      expect(queues.get('celery_delayed_27')).to.deep.include({ type: 'quorum' });
      expect(queues.get('celery_delayed_0')?.arguments).to.include({ 'x-dead-letter-strategy': 'at-least-once' });
      expect(python?.output).to.not.match(REFUSED_DECLARATION);
    });

    it(`a Python countdown of ${COUNTDOWN_S} s runs on the Celeriac worker on time`, async () => {
      const sentAt = Date.now();
      const outcome = await sendFromPython({
        name: 'quorum.stamp',
        queue: celeriacQueue,
        countdown: COUNTDOWN_S,
        timeoutS: 30,
        env: env(),
      });
      expect(outcome.status, outcome.line).to.equal('SUCCESS');
      const ranAt = Number(outcome.result);
      expect(ranAt - sentAt, 'not early').to.be.at.least(COUNTDOWN_S * 1000);
      expect(ranAt - sentAt, 'not late').to.be.below(COUNTDOWN_S * 1000 + LATE_LIMIT_MS);
    });

    it('a Python countdown sent through celery_delayed_27 (native delayed delivery) runs on the Celeriac worker on time', async () => {
      // A topic exchange in the producer's routing makes Celery 5.5+ publish to the lanes itself
      // (a 28-digit binary key); the message leaves them at celery_delayed_delivery, where the
      // Celeriac queue is bound with #.<queue>.
      const sentAt = Date.now();
      const outcome = await sendFromPython({
        name: 'quorum.stamp',
        queue: celeriacQueue,
        countdown: COUNTDOWN_S,
        timeoutS: 30,
        env: { ...env(), CELERIAC_PEER_MISSING_EXCHANGE_TYPE: 'topic' },
      });
      expect(outcome.status, outcome.line).to.equal('SUCCESS');
      const ranAt = Number(outcome.result);
      expect(ranAt - sentAt, 'not early').to.be.at.least(COUNTDOWN_S * 1000);
      expect(ranAt - sentAt, 'not late').to.be.below(COUNTDOWN_S * 1000 + LATE_LIMIT_MS);
    });

    it('the native delayed publish really crosses the lanes: it leaves them with its 28-digit key', async () => {
      // A queue nobody consumes, declared and bound as a Celeriac worker does, so the message
      // can be looked at: a plain publish with an eta would arrive at once with the key <queue>.
      const queue = uniqueName('py-native');
      const connection = await connect(vhost.url);
      try {
        const channel = await connection.createChannel();
        await declareQueue(channel, taskQueue(queue, {}, 'quorum'));
        await bindToDelayLanes(channel, queue);
        const sentAt = Date.now();
        const outcome = await sendFromPython({
          name: 'quorum.stamp',
          queue,
          countdown: 2,
          timeoutS: 0.1,
          env: { ...env(), CELERIAC_PEER_MISSING_EXCHANGE_TYPE: 'topic' },
        });
        expect(outcome.status, outcome.line).to.equal('TIMEOUT');
        const message = await eventually(async () => (await channel.get(queue, { noAck: true })) || undefined, 15_000);
        expect(Date.now() - sentAt, 'not early').to.be.at.least(2000);
        expect(message.fields.routingKey).to.equal(`${'0.'.repeat(26)}1.0.${queue}`);
        await channel.deleteQueue(queue);
      } finally {
        await connection.close();
      }
    });

    it(`a Celeriac countdown of ${COUNTDOWN_S} s runs on the Python worker on time`, async () => {
      const sentAt = Date.now();
      const result = await client!.sendTask<number>(
        'interop.add',
        [2, 3],
        {},
        {
          queue: pythonQueue,
          countdown: COUNTDOWN_S,
        },
      );
      expect(await result.get({ timeoutMs: 30_000 })).to.equal(5);
      const doneAfter = Date.now() - sentAt;
      expect(doneAfter, 'not early').to.be.at.least(COUNTDOWN_S * 1000);
      expect(doneAfter, 'not late').to.be.below(COUNTDOWN_S * 1000 + LATE_LIMIT_MS);
      expect(python?.output).to.not.match(REFUSED_DECLARATION);
    });

    it(`a Python retry with a ${RETRY_BACKOFF_S} s back-off into the Celeriac queue runs there after it`, async () => {
      const sentAt = Date.now();
      const result = await client!.sendTask(
        'interop.retry_to',
        [celeriacQueue, RETRY_BACKOFF_S],
        {},
        {
          queue: pythonQueue,
        },
      );
      expect(await result.get({ timeoutMs: 30_000 })).to.deep.equal({ ran_by: 'celeriac', retries: 1 });
      expect(Date.now() - sentAt, 'not early').to.be.at.least(RETRY_BACKOFF_S * 1000);
    });

    it(`a Celeriac retry with a ${RETRY_BACKOFF_S} s back-off into the Python queue runs there after it`, async () => {
      const sentAt = Date.now();
      const result = await client!.sendTask<{ retries: number }>(
        'interop.request_info',
        [],
        {},
        {
          queue: celeriacQueue,
        },
      );
      expect(await result.get({ timeoutMs: 30_000 })).to.include({ retries: 1 });
      expect(Date.now() - sentAt, 'not early').to.be.at.least(RETRY_BACKOFF_S * 1000);
      expect(python?.output).to.not.match(REFUSED_DECLARATION);
    });
  });
}
