/**
 * A runnable producer: sends one batch of sample work orders, prints every outcome and a summary,
 * and exits. The Docker stack runs it as its one-shot `producer` service:
 *
 *     node examples/work-orders/dist/run-producer.js
 *
 * Env: CELERIAC_BROKER (default amqp://guest:guest@127.0.0.1:5672//), CELERIAC_RESULT_BACKEND
 * (default rpc://), WORK_ORDERS_QUEUE (default workorders), WORK_ORDERS_COUNT (default 20),
 * WORK_ORDERS_WAIT_S: how long to wait for a worker to declare the queue (default 60).
 * Exit code 0 when every result came back (orders for `depot-7` fail on purpose), 1 otherwise.
 */
import { Client, PublishError, type AsyncResult } from '@celeriac/client';
import { globalConfigFromEnv } from '@celeriac/cli';
import { report, type ClosedWorkOrder, type CrewAssignment, type SiteSummary } from './contracts.js';
import { runWorkOrders, type BatchReport, type Outcome } from './producer.js';
import { sampleOrders } from './sample-orders.js';

const RETRY_EVERY_MS = 1000;
const RESULT_TIMEOUT_MS = 30_000;

interface ProducerSettings {
  queue: string;
  count: number;
  waitMs: number;
}

function positiveInteger(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${name} must be a positive integer, got "${process.env[name]}"`);
  return value;
}

function readSettings(): ProducerSettings {
  const queue = process.env.WORK_ORDERS_QUEUE ?? 'workorders';
  return {
    queue,
    count: positiveInteger('WORK_ORDERS_COUNT', 20),
    waitMs: positiveInteger('WORK_ORDERS_WAIT_S', 60) * 1000,
  };
}

const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

/**
 * Sends a harmless report until the queue exists and a worker answers. Started together with the
 * workers, the producer may publish before any worker declared the queue: the broker then
 * returns the message (PUBLISH_UNROUTABLE) instead of keeping it, so we retry rather than lose it.
 */
async function waitForWorker(client: Client, settings: ProducerSettings): Promise<void> {
  const deadline = Date.now() + settings.waitMs;
  for (;;) {
    const sent = await trySend(() => client.send(report, ['warm-up', []], { queue: settings.queue }));
    if (sent) return void (await sent.get({ timeoutMs: RESULT_TIMEOUT_MS }));
    if (Date.now() > deadline)
      throw new Error(`no worker declared queue "${settings.queue}" within ${settings.waitMs / 1000} s`);
    await sleep(RETRY_EVERY_MS);
  }
}

async function trySend<T>(send: () => Promise<AsyncResult<T>>): Promise<AsyncResult<T> | null> {
  try {
    return await send();
  } catch (error) {
    if (error instanceof PublishError && error.code === 'PUBLISH_UNROUTABLE') return null;
    throw error;
  }
}

function line<T>(outcome: Outcome<T>, describe: (value: T) => string): string {
  return outcome.ok
    ? `  ok      ${describe(outcome.value)}`
    : `  failed  ${outcome.error.excType}: ${outcome.error.excMessage}`;
}

const assignment = (a: CrewAssignment): string => `${a.orderId} → ${a.crew} (on site within ${a.respondWithinHours} h)`;
const closure = (c: ClosedWorkOrder): string => `${c.orderId} closed by ${c.closedBy}`;
const summary = (s: SiteSummary): string =>
  `${s.siteId}: ${s.orders} orders, ${s.urgentOrderIds.length} urgent, crews ${s.crews.join(', ') || 'none'}`;

function printReport(batch: BatchReport): void {
  console.log('dispatch');
  for (const { outcome } of batch.dispatched) console.log(line(outcome, assignment));
  console.log('close');
  for (const outcome of batch.closed) console.log(line(outcome, closure));
  console.log('report');
  for (const outcome of batch.sites) console.log(line(outcome, summary));
  const all: Outcome<unknown>[] = [...batch.dispatched.map((d) => d.outcome), ...batch.closed, ...batch.sites];
  console.log(
    `${all.length} tasks: ${all.filter((o) => o.ok).length} succeeded, ${all.filter((o) => !o.ok).length} failed`,
  );
}

async function main(): Promise<void> {
  const settings = readSettings();
  // Broker URLs, TLS files, secrets from files and the backend, as every celeriac command reads them.
  const { brokerUrl, brokerTls, resultBackend, declare } = globalConfigFromEnv(process.env);
  const client = new Client({ brokerUrl, brokerTls, resultBackend, declare });
  try {
    await waitForWorker(client, settings);
    console.log(`sending ${settings.count} work orders to queue "${settings.queue}"`);
    printReport(
      await runWorkOrders(client, sampleOrders(settings.count), {
        queue: settings.queue,
        timeoutMs: RESULT_TIMEOUT_MS,
      }),
    );
  } finally {
    await client.close();
  }
}

try {
  await main();
} catch (error) {
  console.error(`producer failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
