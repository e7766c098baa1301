#!/usr/bin/env node
/**
 * `npm run demo`: the work-orders example end to end, from a fresh clone.
 *
 * Installs and builds if needed, makes sure RabbitMQ answers (starting a local rabbitmq-server
 * when one is installed), starts a worker as its own process through the `celeriac` CLI on a
 * queue of its own, sends a batch of work orders (some fail on purpose), prints every outcome
 * and a summary, stops the worker with SIGTERM and deletes the queue.
 *
 * Plain Node, no imports outside node: it runs before `npm ci`. Project modules are loaded
 * with dynamic import() once the build exists. Exit code 0 only if everything went as expected.
 *
 * Env: CELERIAC_BROKER (default amqp://guest:guest@127.0.0.1:5672//).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BootstrapError, DEFAULT_BROKER_URL, ROOT, ensureBroker, installAndBuild, step } from './lib/bootstrap.mjs';

const BROKER_URL = process.env.CELERIAC_BROKER ?? DEFAULT_BROKER_URL;
const CLI = join(ROOT, 'packages/cli/dist/bin/celeriac.js');
const EXAMPLE = join(ROOT, 'examples/work-orders/dist');
const QUEUE = `celeriac.demo.${process.pid}`;
const ORDER_COUNT = 20;
const CONCURRENCY = 4;
const RESULT_TIMEOUT_MS = 30_000;
const WORKER_READY_WAIT_MS = 30_000;
const WORKER_STOP_WAIT_MS = 30_000;

/** The running worker and the one clean-up, shared by the normal path and Ctrl-C. */
const current = { worker: null, cleanUp: null };

/** A problem the demo explains in one message and exits 1 for, without a stack trace. */
class DemoError extends BootstrapError {}


// ---------------------------------------------------------------------------------------------
// install and build

// ---------------------------------------------------------------------------------------------
// the worker process

/**
 * Starts `celeriac worker` on the demo queue and resolves once it logs that it is ready. Its
 * JSON log lines (stderr) are kept, not shown, and printed only if something goes wrong.
 */
function startWorker() {
  step(`starting a worker process: celeriac worker --app examples/work-orders/dist/tasks.js -Q ${QUEUE} -c ${CONCURRENCY}`);
  const args = [CLI, 'worker', '--app', join(EXAMPLE, 'tasks.js'), '-Q', QUEUE, '-c', String(CONCURRENCY)];
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, CELERIAC_BROKER: BROKER_URL }, stdio: ['ignore', 'pipe', 'pipe'] });
  const worker = { child, log: [], exited: new Promise((done) => child.once('exit', (code, signal) => done({ code, signal }))) };
  collectLines(child.stdout, worker.log);
  collectLines(child.stderr, worker.log);
  return waitForReady(worker);
}

function collectLines(stream, log) {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    log.push(...lines.filter(Boolean));
    if (log.length > 200) log.splice(0, log.length - 200);
  });
}

async function waitForReady(worker) {
  const deadline = Date.now() + WORKER_READY_WAIT_MS;
  let exit = null;
  void worker.exited.then((status) => (exit = status));
  while (Date.now() < deadline) {
    if (worker.log.some(isReadyLine)) return (console.log(`  worker pid ${worker.child.pid} is ready`), worker);
    if (exit) throw new DemoError(`the worker exited before it was ready (${describeExit(exit)})\n${tail(worker)}`);
    await sleep(50);
  }
  worker.child.kill('SIGTERM');
  throw new DemoError(`the worker was not ready within ${WORKER_READY_WAIT_MS / 1000} s\n${tail(worker)}`);
}

/** The CLI logs JSON lines; the worker says `worker ready` once it consumes. */
function isReadyLine(line) {
  try {
    return /\bworker ready\b/.test(JSON.parse(line).message ?? '');
  } catch {
    return false;
  }
}

/** SIGTERM, then wait: the worker drains its tasks and must exit 0 by itself. */
async function stopWorker(worker) {
  step(`stopping the worker (SIGTERM to pid ${worker.child.pid})`);
  worker.child.kill('SIGTERM');
  const status = await Promise.race([worker.exited, sleep(WORKER_STOP_WAIT_MS, { unref: true }).then(() => null)]);
  if (status === null) {
    worker.child.kill('SIGKILL');
    throw new DemoError(`the worker did not exit within ${WORKER_STOP_WAIT_MS / 1000} s of SIGTERM\n${tail(worker)}`);
  }
  if (status.code !== 0) throw new DemoError(`the worker exited with ${describeExit(status)}\n${tail(worker)}`);
  console.log('  worker drained and exited 0');
}

function describeExit({ code, signal }) {
  return signal ? `signal ${signal}` : `exit code ${code}`;
}

function tail(worker) {
  return ['  last worker log lines:', ...worker.log.slice(-20).map((line) => `    ${line}`)].join('\n');
}

// ---------------------------------------------------------------------------------------------
// the batch

async function sendBatch() {
  const { Client } = await import('@celeriac/client');
  const example = await import(pathToFileURL(join(EXAMPLE, 'index.js')).href);
  const orders = example.sampleOrders(ORDER_COUNT);
  step(`sending ${orders.length} work orders to ${QUEUE}, then closing the dispatched ones and asking for site reports`);
  const client = new Client({ brokerUrl: BROKER_URL, connectionName: 'celeriac-demo' });
  const started = Date.now();
  try {
    const report = await example.runWorkOrders(client, orders, { queue: QUEUE, timeoutMs: RESULT_TIMEOUT_MS });
    return { report, roster: example.CREW_ROSTER, elapsedMs: Date.now() - started };
  } finally {
    await client.close();
  }
}

/** A dispatch failure is expected exactly when the roster has no crew for the order's site. */
function expectsFailure(roster, order) {
  return (roster[order.siteId] ?? []).length === 0;
}

function printDispatches(dispatched, roster, tally) {
  console.log('\n  dispatch');
  for (const { order, outcome } of dispatched) {
    const failureExpected = expectsFailure(roster, order);
    const asExpected = failureExpected ? !outcome.ok && outcome.error.excType === 'NoCrewAvailable' : outcome.ok;
    const label = `${order.id}  ${order.siteId.padEnd(13)} ${order.priority.padEnd(6)} ${order.kind.padEnd(10)}`;
    printLine(label, outcome, asExpected, (a) => `${a.crew}, on site within ${a.respondWithinHours} h`);
    count(tally, outcome, asExpected);
  }
}

/** Closes and reports have no expected failures. */
function printOutcomes(title, outcomes, describeValue, tally) {
  console.log(`\n  ${title}`);
  for (const outcome of outcomes) {
    const label = outcome.ok ? '' : `task ${outcome.taskId}`;
    printLine(label, outcome, outcome.ok, describeValue);
    count(tally, outcome, outcome.ok);
  }
}

function printLine(label, outcome, asExpected, describeValue) {
  const text = outcome.ok ? describeValue(outcome.value) : `${outcome.error.excType}: ${outcome.error.excMessage}`;
  const note = !asExpected ? '  (UNEXPECTED)' : outcome.ok ? '' : ' (expected)';
  console.log(`  ${asExpected ? '✓' : '✗'} ${label ? `${label} → ` : ''}${text}${note}`);
}

function closedLine({ orderId, closedBy, notes }) {
  return `${orderId} closed by ${closedBy}: "${notes}"`;
}

function siteLine({ siteId, orders, byKind, urgentOrderIds, crews }) {
  const kinds = Object.entries(byKind).map(([kind, n]) => `${n} ${kind}`).join(', ');
  const urgent = urgentOrderIds.length ? `urgent ${urgentOrderIds.join(' ')}` : 'nothing urgent';
  return `${siteId.padEnd(13)} ${orders} orders (${kinds}); ${urgent}; crews: ${crews.join(', ') || 'none'}`;
}

function count(tally, outcome, asExpected) {
  tally.sent += 1;
  if (outcome.ok) tally.succeeded += 1;
  else tally.failed += 1;
  if (!asExpected) tally.unexpected += 1;
}

function printReport({ report, roster, elapsedMs }) {
  const tally = { sent: 0, succeeded: 0, failed: 0, unexpected: 0 };
  printDispatches(report.dispatched, roster, tally);
  printOutcomes('close', report.closed, closedLine, tally);
  printOutcomes('report', report.sites, siteLine, tally);
  const failed = tally.unexpected ? `${tally.failed} failed (${tally.unexpected} UNEXPECTED)` : `${tally.failed} failed (expected)`;
  console.log(`\n  ${tally.sent} sent, ${tally.succeeded} succeeded, ${failed}, elapsed ${(elapsedMs / 1000).toFixed(2)} s`);
  if (tally.unexpected) throw new DemoError(`${tally.unexpected} task(s) did not end as expected`);
}

// ---------------------------------------------------------------------------------------------
// clean-up and main

/** Deletes the demo queue and the same-named exchange that Celery-style declarations create. */
async function deleteDemoQueue() {
  const { connect } = await import('amqplib');
  const connection = await connect(BROKER_URL);
  try {
    const channel = await connection.createChannel();
    const { messageCount } = await channel.deleteQueue(QUEUE);
    await channel.deleteExchange(QUEUE);
    console.log(`  deleted queue ${QUEUE}${messageCount ? ` (${messageCount} messages left in it)` : ''}`);
    if (messageCount) throw new DemoError(`${messageCount} message(s) were still in ${QUEUE}`);
  } finally {
    await connection.close();
  }
}

/** `unref` for a timer that only bounds a wait: it must not keep the demo alive once done. */
function sleep(ms, { unref = false } = {}) {
  return new Promise((done) => {
    const timer = setTimeout(done, ms);
    if (unref) timer.unref();
  });
}

/** Runs every clean-up step even if an earlier one fails; returns the errors. Runs once. */
function cleanUp(worker) {
  current.cleanUp ??= cleanUpOnce(worker);
  return current.cleanUp;
}

async function cleanUpOnce(worker) {
  const errors = [];
  if (worker) await stopWorker(worker).catch((error) => errors.push(error));
  await deleteDemoQueue().catch((error) => errors.push(error instanceof DemoError ? error : new DemoError(`could not delete ${QUEUE}: ${error.message}`)));
  return errors;
}

/** Ctrl-C: the worker gets SIGTERM (and drains), the queue is deleted, then exit 130. */
function onInterrupt() {
  console.error('\n▸ interrupted: cleaning up');
  cleanUp(current.worker).finally(() => process.exit(130));
}

async function main() {
  installAndBuild();
  if (!existsSync(CLI)) throw new DemoError(`the build did not produce the celeriac CLI (${CLI})`);
  await ensureBroker(BROKER_URL);
  const errors = [];
  process.once('SIGINT', onInterrupt);
  try {
    current.worker = await startWorker();
    printReport(await sendBatch());
  } catch (error) {
    errors.push(error);
  } finally {
    errors.push(...(await cleanUp(current.worker)));
  }
  if (errors.length) throw errors.length === 1 ? errors[0] : new DemoError(errors.map(messageOf).join('\n'));
  console.log('\n✓ demo finished');
}

/** Celeriac's own errors carry a stable code and explain themselves; anything else shows its stack. */
function messageOf(error) {
  if (error instanceof DemoError) return error.message;
  if (typeof error?.code === 'string') return `${error.name} ${error.code}: ${error.message}`;
  return error?.stack ?? String(error);
}

main().then(
  () => (process.exitCode = 0),
  (error) => {
    console.error(`\n✗ demo failed: ${messageOf(error)}`);
    process.exitCode = 1;
  },
);
