/**
 * Measures how late a Python Celery worker runs countdowns sent by a Celeriac client through the
 * delay lanes (issue 11, item 6d). A measurement, not a test: mocha does not load it.
 *
 *   npx tsc -b && CELERIAC_TEST_PYTHON=/usr/bin/python3 node test/dist/measure/countdown-lateness-python.js [count] [pool]
 *
 * Sends `count` (default 20) tasks one after another, countdowns drawn from 1–4 s with
 * millisecond fractions, to interop.request_info on a Python worker (run_worker.sh, `pool`
 * default 'solo'; 'threads' is run_worker.sh's own default). Lateness = the moment the result is
 * in hand − the eta, so it includes the result's trip back (an upper bound of the start's).
 */
import { Client } from '@celeriac/client';
import { parseCeleryDate } from '@celeriac/protocol';
import { BROKER_URL, deleteQueues, uniqueName } from '../support/broker.js';
import { PythonWorker } from '../support/python-peer.js';

const count = Number(process.argv[2] ?? 20);
const pool = process.argv[3] ?? 'solo';

async function measure(client: Client): Promise<number[]> {
  const lateness: number[] = [];
  for (let i = 0; i < count; i++) {
    const countdown = 1 + Math.round(Math.random() * 3000) / 1000;
    const result = await client.sendTask<{ eta: string }>('interop.request_info', [], {}, { countdown });
    const info = await result.get({ timeoutMs: 30_000 });
    lateness.push(Date.now() - parseCeleryDate(info.eta)!.getTime());
  }
  return lateness.sort((a, b) => a - b);
}

const queue = uniqueName('measure-countdown');
const worker = await PythonWorker.start(queue, { workerArgs: ['-P', pool, '-c', '1'] });
const client = new Client({ brokerUrl: BROKER_URL, defaultQueue: queue });
try {
  const sorted = await measure(client);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  console.log(
    `python ${process.env.CELERIAC_TEST_PYTHON ?? '/usr/bin/python3'}, pool ${pool}, ${count} countdowns of 1–4 s: lateness ms min ${sorted[0]} p50 ${at(0.5)} p90 ${at(0.9)} max ${sorted[sorted.length - 1]} (early: ${sorted.filter((ms) => ms < 0).length})`,
  );
} finally {
  await client.close();
  await worker.stop();
  await deleteQueues(queue);
}
