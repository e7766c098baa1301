#!/usr/bin/env node
/**
 * `npm run demo`: the work-orders example end to end, from a fresh clone.
 *
 * Installs and builds if needed, makes sure RabbitMQ answers (starting a local rabbitmq-server
 * when one is installed), starts a worker as its own process through the `celeriac` CLI on a
 * queue of its own, sends a batch of work orders (some fail on purpose), prints every outcome
 * and a summary. Then the periodic work orders: a `celeriac beat` process with the example's
 * schedules (daily inspections in each site's zone, an hourly report, a one-off audit set a few
 * seconds ahead) plus a 2-second demo schedule; it shows fires arriving at the worker, lists the
 * schedules with `celeriac schedule ls`, and stops beat. Finally it stops the worker with
 * SIGTERM and deletes the queue.
 *
 * Plain Node, no imports outside node: it runs before `npm ci`. Project modules are loaded
 * with dynamic import() once the build exists. Exit code 0 only if everything went as expected.
 *
 * Env: CELERIAC_BROKER (default amqp://guest:guest@127.0.0.1:5672//).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
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
/** The demo's own schedule: often enough to show a few fires in a few seconds. */
const DEMO_SCHEDULE = 'demo-coverage-every-2s';
const DEMO_EVERY_MS = 2000;
const DEMO_FIRES = 3;
/** The example's one-off audit is set this far ahead, so it fires during the demo. */
const AUDIT_AHEAD_MS = 4000;
const BEAT_LEAD_WAIT_MS = 15_000;
const BEAT_FIRES_WAIT_MS = 15_000;

/** The running processes and the one clean-up, shared by the normal path and Ctrl-C. */
const current = { worker: null, beat: null, beatDir: null, cleanUp: null };

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
  step(
    `starting a worker process: celeriac worker --app examples/work-orders/dist/tasks.js -Q ${QUEUE} -c ${CONCURRENCY}`,
  );
  const args = [CLI, 'worker', '--app', join(EXAMPLE, 'tasks.js'), '-Q', QUEUE, '-c', String(CONCURRENCY)];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, CELERIAC_BROKER: BROKER_URL },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const worker = {
    child,
    log: [],
    exited: new Promise((done) => child.once('exit', (code, signal) => done({ code, signal }))),
  };
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

function tail(proc, name = 'worker') {
  return [`  last ${name} log lines:`, ...proc.log.slice(-20).map((line) => `    ${line}`)].join('\n');
}

// ---------------------------------------------------------------------------------------------
// the batch

async function sendBatch() {
  const { Client } = await import('@celeriac/client');
  const example = await import(pathToFileURL(join(EXAMPLE, 'index.js')).href);
  const orders = example.sampleOrders(ORDER_COUNT);
  step(
    `sending ${orders.length} work orders to ${QUEUE}, then closing the dispatched ones and asking for site reports`,
  );
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
  const kinds = Object.entries(byKind)
    .map(([kind, n]) => `${n} ${kind}`)
    .join(', ');
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
  const failed = tally.unexpected
    ? `${tally.failed} failed (${tally.unexpected} UNEXPECTED)`
    : `${tally.failed} failed (expected)`;
  console.log(
    `\n  ${tally.sent} sent, ${tally.succeeded} succeeded, ${failed}, elapsed ${(elapsedMs / 1000).toFixed(2)} s`,
  );
  if (tally.unexpected) throw new DemoError(`${tally.unexpected} task(s) did not end as expected`);
}

// ---------------------------------------------------------------------------------------------
// periodic work orders: celeriac beat

/** The example's schedules on the demo queue, plus the 2-second demo schedule; written as JSON. */
async function demoSchedules(dir) {
  const example = await import(pathToFileURL(join(EXAMPLE, 'index.js')).href);
  const auditAt = new Date(Date.now() + AUDIT_AHEAD_MS);
  const demo = {
    name: DEMO_SCHEDULE,
    task: 'workorders.hourly_report',
    schedule: { kind: 'interval', everyMs: DEMO_EVERY_MS },
    options: { queue: QUEUE },
  };
  const schedules = [demo, ...example.periodicSchedules({ queue: QUEUE, auditAt })];
  const file = join(dir, 'schedules.json');
  await writeFile(file, JSON.stringify(schedules, null, 2));
  return { file, schedules };
}

/** When each schedule fires next, computed locally (pure schedule maths, no broker). */
async function printSchedules(schedules) {
  const { compileScheduleInput, nextSlot } = await import('@celeriac/core');
  const now = new Date();
  console.log(`  ${'schedule'.padEnd(30)} ${'when'.padEnd(34)} next fire`);
  for (const input of schedules) {
    const { schedule } = compileScheduleInput(input, now);
    const next =
      input.name === DEMO_SCHEDULE
        ? '2 s after beat starts, then every 2 s'
        : describeNext(nextSlot(schedule, now), schedule);
    console.log(`  ${input.name.padEnd(30)} ${describeSchedule(schedule).padEnd(34)} ${next}`);
  }
}

function describeSchedule(spec) {
  if (spec.kind === 'cron') return `cron "${spec.expression}" ${spec.timezone}`;
  if (spec.kind === 'interval') return `every ${spec.everyMs / 1000} s`;
  return `once`;
}

/** UTC, and for a zoned cron the same instant on the site's clock. */
function describeNext(slot, spec) {
  if (!slot) return 'never';
  const utc = `${slot.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  if (spec.kind !== 'cron' || spec.timezone === 'UTC') return utc;
  const local = new Intl.DateTimeFormat('sv-SE', {
    timeZone: spec.timezone,
    dateStyle: 'short',
    timeStyle: 'short',
  }).format(slot);
  return `${utc} = ${local} at the site`;
}

/**
 * Starts `celeriac beat` on a fresh store and resolves once it leads. Another beat already
 * leading on this broker (the lock is one per broker) would keep this one on standby: that is
 * reported instead of waiting for ever.
 */
async function startBeat(file, dir) {
  const store = `file:${join(dir, 'celeriac-schedule.json')}`;
  step(`starting beat: celeriac beat --store ${store} --schedule ${file}`);
  const args = [CLI, 'beat', '--store', store, '--schedule', file, '--log-level', 'debug'];
  const beat = spawnLogged(args);
  const deadline = Date.now() + BEAT_LEAD_WAIT_MS;
  while (Date.now() < deadline) {
    if (beat.log.some((line) => logMessage(parseLine(line)) === 'beat leading'))
      return (console.log(`  beat pid ${beat.child.pid} leads`), beat);
    if (beat.exit) throw new DemoError(`beat exited before it led (${describeExit(beat.exit)})\n${tail(beat, 'beat')}`);
    await sleep(50);
  }
  const standby = beat.log.some((line) => /another beat holds the leader lock/.test(line));
  throw new DemoError(
    standby
      ? 'another beat already leads on this broker (queue celeriac.beat.leader is held): stop it and run the demo again'
      : `beat did not lead within ${BEAT_LEAD_WAIT_MS / 1000} s\n${tail(beat, 'beat')}`,
  );
}

/** A child process whose stdout and stderr lines are kept (JSON logs), with its exit status. */
function spawnLogged(args) {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, CELERIAC_BROKER: BROKER_URL, CELERIAC_LOG_FORMAT: 'json' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc = { child, log: [], exit: null };
  proc.exited = new Promise((done) => child.once('exit', (code, signal) => done((proc.exit = { code, signal }))));
  collectLines(child.stdout, proc.log);
  collectLines(child.stderr, proc.log);
  return proc;
}

function parseLine(line) {
  try {
    return JSON.parse(line);
  } catch {
    return {};
  }
}

function logMessage(entry) {
  return entry.message ?? '';
}

/**
 * Prints each fire as it reaches the worker: beat's `schedule fired` line (slot, task id) joined
 * with the worker's `task succeeded` line for the same task id. Resolves once the demo schedule
 * fired DEMO_FIRES times and the one-off audit fired, all run by the worker.
 */
async function watchFires(beat) {
  step(`watching fires reach the worker (${DEMO_FIRES} of ${DEMO_SCHEDULE}, and the one-off depot-7-audit)`);
  const shown = new Set();
  const deadline = Date.now() + BEAT_FIRES_WAIT_MS;
  while (Date.now() < deadline) {
    for (const fire of ranFires(beat)) if (!shown.has(fire.taskId)) (shown.add(fire.taskId), printFire(fire));
    const ran = [...shown].map((id) => ranFires(beat).find((fire) => fire.taskId === id));
    if (
      ran.filter((fire) => fire.schedule === DEMO_SCHEDULE).length >= DEMO_FIRES &&
      ran.some((fire) => fire.schedule === 'depot-7-audit')
    )
      return;
    if (beat.exit) throw new DemoError(`beat exited (${describeExit(beat.exit)})\n${tail(beat, 'beat')}`);
    await sleep(50);
  }
  throw new DemoError(
    `the fires did not all reach the worker within ${BEAT_FIRES_WAIT_MS / 1000} s\n${tail(beat, 'beat')}\n${tail(current.worker)}`,
  );
}

/** Fires beat reported, each with the worker's success line for its task id, if there is one yet. */
function ranFires(beat) {
  const succeeded = new Map(
    current.worker.log
      .map(parseLine)
      .filter((entry) => logMessage(entry) === 'task succeeded')
      .map((entry) => [entry.taskId, entry]),
  );
  return beat.log
    .map(parseLine)
    .filter((entry) => logMessage(entry) === 'schedule fired' && succeeded.has(entry.taskId))
    .map((entry) => ({ ...entry, ran: succeeded.get(entry.taskId) }));
}

function printFire({ schedule, slot, taskId, lateMs, ran }) {
  console.log(
    `  ✓ ${schedule.padEnd(24)} slot ${slot.slice(11, 23)}Z  sent +${lateMs} ms  task ${taskId.slice(0, 8)}…  ran ${ran.task} on the worker`,
  );
}

/** `celeriac schedule ls`: the runtime view, from the leading beat over AMQP. */
async function listSchedules() {
  step('celeriac schedule ls');
  const ls = spawnLogged([CLI, 'schedule', 'ls']);
  const status = await ls.exited;
  if (status.code !== 0)
    throw new DemoError(`celeriac schedule ls exited with ${describeExit(status)}\n${tail(ls, 'schedule ls')}`);
  for (const line of ls.log.filter((text) => !text.startsWith('{'))) console.log(`  ${line}`);
}

/** SIGTERM: beat stops firing, releases the leader lock and must exit 0 by itself. */
async function stopBeat(beat) {
  step(`stopping beat (SIGTERM to pid ${beat.child.pid})`);
  beat.child.kill('SIGTERM');
  const status = await Promise.race([beat.exited, sleep(WORKER_STOP_WAIT_MS, { unref: true }).then(() => null)]);
  if (status === null) {
    beat.child.kill('SIGKILL');
    throw new DemoError(`beat did not exit within ${WORKER_STOP_WAIT_MS / 1000} s of SIGTERM\n${tail(beat, 'beat')}`);
  }
  if (status.code !== 0) throw new DemoError(`beat exited with ${describeExit(status)}\n${tail(beat, 'beat')}`);
  console.log('  beat stopped and exited 0');
}

async function runBeat() {
  current.beatDir = await mkdtemp(join(tmpdir(), 'celeriac-demo-beat-'));
  const { file, schedules } = await demoSchedules(current.beatDir);
  step(
    `periodic work orders: ${schedules.length} schedules (the example's, with the audit ${AUDIT_AHEAD_MS / 1000} s ahead, plus a 2-second demo schedule)`,
  );
  await printSchedules(schedules);
  current.beat = await startBeat(file, current.beatDir);
  await watchFires(current.beat);
  await listSchedules();
  const beat = current.beat;
  current.beat = null;
  await stopBeat(beat);
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
  // Beat first: a beat still firing into the queue would leave messages behind.
  if (current.beat) await stopBeat(current.beat).catch((error) => errors.push(error));
  if (current.beatDir) await rm(current.beatDir, { recursive: true, force: true });
  if (worker) await stopWorker(worker).catch((error) => errors.push(error));
  await deleteDemoQueue().catch((error) =>
    errors.push(error instanceof DemoError ? error : new DemoError(`could not delete ${QUEUE}: ${error.message}`)),
  );
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
    await runBeat();
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
