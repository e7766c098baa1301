#!/usr/bin/env node
// Capture real Celery 5.2.6 wire messages from RabbitMQ and store them as JSON fixtures for the
// protocol package's decoder/encoder unit tests.
//
//   node scripts/capture-celery-fixtures.mjs            (from the repo root, or any cwd)
//
// Needs: RabbitMQ at $CELERIAC_TEST_BROKER_URL (default amqp://guest:guest@127.0.0.1:5672//) and
// Debian's python3-celery 5.2.6 at $CELERIAC_PYTHON (default /usr/bin/python3).
//
// 1. Task messages: declares private queues `celeriac.fixture.<random>.<case>`, lets the Python
//    client (test/python/capture_publish.py) publish one task into each, and fetches it with
//    basic.get.
// 2. Result replies: starts the Python interop worker (test/python/run_worker.sh) on a private
//    queue with task_track_started=True, has the Python client send tasks whose reply_to is a
//    private reply queue declared here, and fetches what the worker's rpc backend publishes.
// Every queue (and auto-created exchange) is deleted at the end, also on failure.
//
// Output: packages/protocol/test-fixtures/*.json, shape:
//   {description, capturedFrom, python, fields: {exchange, routingKey, redelivered},
//    properties: <amqplib msg.properties without headers>, headers, body: <utf-8 string>}
// Ids, timestamps, reply queue names and the origin pid change on every run.

import amqp from 'amqplib';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PY_DIR = join(ROOT, 'test', 'python');
const OUT_DIR = join(ROOT, 'packages', 'protocol', 'test-fixtures');
const PYTHON = process.env.CELERIAC_PYTHON ?? '/usr/bin/python3';
const BROKER_URL = process.env.CELERIAC_TEST_BROKER_URL ?? 'amqp://guest:guest@127.0.0.1:5672//';

const RUN = `celeriac.fixture.${randomBytes(4).toString('hex')}`;
const APP_NOTE =
  "app = Celery('capture') configured from test/python/celeryconfig.py (json, rpc://, enable_utc), " +
  'with task_default_queue set to a private queue';

// ----------------------------------------------------------------------------------------------
// Cases

/** Task messages published by the Python client. `python` is evaluated with `app` in scope. */
const TASK_CASES = [
  {
    id: 'v2-plain',
    protocol: 2,
    python: "app.send_task('proj.add', args=[2, 3])",
    description: 'Protocol v2 task message with only positional args (all other options default).',
  },
  {
    id: 'v2-options',
    protocol: 2,
    python:
      "app.send_task('proj.add', args=[2, 3], countdown=10, expires=60, priority=5, " +
      "link=app.signature('proj.add', args=(10,)), kwargs={})",
    description:
      'Protocol v2 task with countdown (eta header), expires (expires header + AMQP expiration "60000"), ' +
      'priority 5 and a link callback in embed.callbacks.',
  },
  {
    id: 'v2-kwargs-unicode',
    protocol: 2,
    python:
      "app.send_task('proj.echo', args=[{'nested': {'list': [1, 'two', None], 'flag': True}}, None, 1.5, " +
      "2**70, 'żółć ✓ 漢字'], kwargs={'a': {'b': [1, None]}})",
    description:
      'Protocol v2 task with nested objects, null, float 1.5, big int 2**70 (exceeds JS safe integers) and ' +
      'non-ASCII text: the body is ensure_ascii JSON (\\u escapes), argsrepr is a raw UTF-8 header string.',
  },
  {
    id: 'v2-timelimit',
    protocol: 2,
    python:
      "app.send_task('proj.add', args=[2, 3], time_limit=30, soft_time_limit=20, " +
      "headers={'x_num': 1000, 'x_str': 'hi'})",
    description:
      'Protocol v2 task with time limits (timelimit header is [hard, soft] = [30, 20]) and custom headers ' +
      'merged at the top level of the header table.',
  },
  {
    id: 'v2-chain',
    protocol: 2,
    python:
      "(app.signature('proj.add', args=(1, 2)) | app.signature('proj.add', args=(3,)) | " +
      "app.signature('proj.add', args=(4,))).apply_async()",
    description:
      'First message of a 3-step chain: embed.chain holds the remaining signatures in reverse order ' +
      '(last element runs next), each with pre-assigned options.task_id and options.reply_to.',
  },
  {
    id: 'v1',
    protocol: 1,
    python: "app.send_task('proj.add', args=[2, 3], countdown=10)",
    description:
      'Protocol v1 task message (client with task_protocol = 1): empty header table, everything in the ' +
      'body object; countdown becomes body.eta.',
  },
];

/** Result replies published by the Python worker's rpc backend. REPLY_TO is substituted. */
const RESULT_CASES = [
  {
    id: 'result-success',
    python: "app.send_task('interop.add', args=[2, 3], reply_to=REPLY_TO)",
    description: 'rpc:// SUCCESS reply from a Celery 5.2.6 worker for interop.add(2, 3).',
    startedFixture: {
      id: 'result-started',
      description:
        'rpc:// STARTED reply (worker runs with task_track_started=True), sent before the SUCCESS of interop.add(2, 3).',
    },
  },
  {
    id: 'result-failure',
    python: "app.send_task('interop.fail', args=['bad'], reply_to=REPLY_TO)",
    description: "rpc:// FAILURE reply for interop.fail('bad'), which raises ValueError('bad').",
  },
  {
    id: 'result-notregistered',
    python: "app.send_task('interop.does_not_exist', args=[1], reply_to=REPLY_TO)",
    description:
      'rpc:// FAILURE reply published when the worker receives an unknown task name (NotRegistered); ' +
      'the message is rejected and no STARTED is sent.',
  },
];

const READY_STATES = new Set(['SUCCESS', 'FAILURE', 'REVOKED']);

// ----------------------------------------------------------------------------------------------
// Helpers

const log = (...a) => console.error('[capture]', ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function runPython(args, input, { cwd = PY_DIR, env = {}, timeoutMs = 60_000 } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(PYTHON, args, {
      cwd,
      env: { ...process.env, CELERIAC_TEST_BROKER_URL: BROKER_URL, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`python ${args.join(' ')} timed out\n${stderr}`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`python ${args.join(' ')} exited with ${code}\n${stderr}`));
      else resolvePromise(stdout);
    });
    child.stdin.end(input);
  });
}

async function pythonPublish(cases) {
  const stdout = await runPython([join(PY_DIR, 'capture_publish.py')], JSON.stringify({ cases }));
  const line = stdout.trim().split('\n').pop();
  return JSON.parse(line);
}

function startWorker(queue) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('sh', [join(PY_DIR, 'run_worker.sh'), queue], {
      cwd: PY_DIR,
      // run_worker.sh runs CELERIAC_TEST_PYTHON: the same interpreter as the capture client.
      env: {
        ...process.env,
        CELERIAC_TEST_BROKER_URL: BROKER_URL,
        CELERIAC_TEST_PYTHON: PYTHON,
        CELERIAC_TRACK_STARTED: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let ready = false;
    const onData = (d) => {
      output += d;
      if (!ready && /\bready\.\s*$/m.test(output)) {
        ready = true;
        clearTimeout(timer);
        resolvePromise({ child, output: () => output });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`worker did not become ready in 30 s:\n${output}`));
    }, 30_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('exit', (code, signal) => {
      if (!ready) {
        clearTimeout(timer);
        reject(new Error(`worker exited early (${code ?? signal}):\n${output}`));
      }
    });
  });
}

async function stopWorker(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM'); // warm shutdown
  const done = await Promise.race([exited.then(() => true), sleep(15_000).then(() => false)]);
  if (!done) {
    log('worker ignored SIGTERM, killing it');
    child.kill('SIGKILL');
    await exited;
  }
}

/** Poll a queue with basic.get (noAck) until `until(messages)` is true. */
async function fetchMessages(ch, queue, until, timeoutMs = 30_000) {
  const messages = [];
  const deadline = Date.now() + timeoutMs;
  while (!until(messages)) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for messages on ${queue} (got ${messages.length})`);
    }
    const msg = await ch.get(queue, { noAck: true });
    if (msg) messages.push(msg);
    else await sleep(100);
  }
  return messages;
}

function toFixture(msg, { description, python, capturedFrom }) {
  const { headers, ...rest } = msg.properties;
  const properties = {};
  for (const [k, v] of Object.entries(rest)) if (v !== undefined) properties[k] = v;
  return {
    description,
    capturedFrom,
    python,
    fields: {
      exchange: msg.fields.exchange,
      routingKey: msg.fields.routingKey,
      redelivered: msg.fields.redelivered,
    },
    properties,
    headers: headers === undefined ? null : headers, // null = no header table in the message
    body: msg.content.toString('utf8'),
  };
}

async function writeFixture(name, fixture) {
  const file = join(OUT_DIR, `${name}.json`);
  await writeFile(file, JSON.stringify(fixture, null, 2) + '\n');
  log('wrote', relative(ROOT, file));
  return fixture;
}

function check(cond, what) {
  if (!cond) throw new Error(`fixture check failed: ${what}`);
}

const pyStr = (s) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

// ----------------------------------------------------------------------------------------------
// Main

async function main() {
  await mkdir(OUT_DIR, { recursive: true });
  const conn = await amqp.connect(BROKER_URL);
  const server = conn.connection.serverProperties ?? {};
  const rabbitVersion = String(server.version ?? '?')
    .split('.')
    .slice(0, 2)
    .join('.');
  let ch = await conn.createChannel();

  const queues = new Set(); // everything we (or Python on our behalf) declared
  const exchanges = new Set(); // direct exchanges Celery auto-creates for unknown queue names
  let worker = null;
  const written = {};

  const onSignal = async () => {
    if (worker) worker.child.kill('SIGTERM');
    process.exit(130);
  };
  process.once('SIGINT', onSignal);

  try {
    // ---- 1. task messages -------------------------------------------------------------------
    const taskSpecs = TASK_CASES.map((c) => ({ ...c, queue: `${RUN}.${c.id}` }));
    for (const spec of taskSpecs) {
      // Same flags Celery uses for an auto-created queue (durable, no arguments): no 406.
      await ch.assertQueue(spec.queue, { durable: true, exclusive: false, autoDelete: false });
      queues.add(spec.queue);
      exchanges.add(spec.queue);
    }
    log(`publishing ${taskSpecs.length} task messages from Python`);
    const pub = await pythonPublish(
      taskSpecs.map(({ id, queue, protocol, python }) => ({ id, queue, protocol, python })),
    );
    for (const c of pub.cases) queues.add(c.threadOid); // rpc reply queue declared by the client
    const capturedFrom = `python3-celery ${pub.celery} / kombu ${pub.kombu} via RabbitMQ ${rabbitVersion}`;

    for (const spec of taskSpecs) {
      const [msg] = await fetchMessages(ch, spec.queue, (m) => m.length >= 1);
      written[spec.id] = await writeFixture(
        spec.id,
        toFixture(msg, {
          description: `${spec.description} Client: ${APP_NOTE}.`,
          python: spec.python,
          capturedFrom,
        }),
      );
    }

    // ---- 2. result replies ------------------------------------------------------------------
    const workerQueue = `${RUN}.worker`;
    await ch.assertQueue(workerQueue, { durable: true, exclusive: false, autoDelete: false });
    queues.add(workerQueue);
    exchanges.add(workerQueue);
    log('starting Python worker on', workerQueue);
    worker = await startWorker(workerQueue);

    const resultSpecs = RESULT_CASES.map((c) => {
      const replyQueue = `${RUN}.reply.${c.id}`;
      return { ...c, replyQueue, python: c.python.replace('REPLY_TO', pyStr(replyQueue)) };
    });
    for (const spec of resultSpecs) {
      // Like Celery's own rpc reply queue (transient, auto-delete), with a short x-expires as a safety net.
      await ch.assertQueue(spec.replyQueue, {
        durable: false,
        autoDelete: true,
        arguments: { 'x-expires': 600_000 },
      });
      queues.add(spec.replyQueue);
    }
    log(`publishing ${resultSpecs.length} tasks for the worker from Python`);
    const pub2 = await pythonPublish(
      resultSpecs.map(({ id, python }) => ({ id, queue: workerQueue, protocol: 2, python })),
    );
    for (const c of pub2.cases) queues.add(c.threadOid);

    for (const spec of resultSpecs) {
      const msgs = await fetchMessages(ch, spec.replyQueue, (m) =>
        m.some((x) => READY_STATES.has(JSON.parse(x.content.toString('utf8')).status)),
      );
      const workerNote =
        `Worker: test/python/run_worker.sh ${workerQueue} (interop_tasks, -P threads, task_track_started=True); ` +
        `client: ${APP_NOTE} = the worker queue.`;
      const final = msgs.find((x) => READY_STATES.has(JSON.parse(x.content.toString('utf8')).status));
      written[spec.id] = await writeFixture(
        spec.id,
        toFixture(final, { description: `${spec.description} ${workerNote}`, python: spec.python, capturedFrom }),
      );
      if (spec.startedFixture) {
        const started = msgs.find((x) => JSON.parse(x.content.toString('utf8')).status === 'STARTED');
        if (started) {
          written[spec.startedFixture.id] = await writeFixture(
            spec.startedFixture.id,
            toFixture(started, {
              description: `${spec.startedFixture.description} ${workerNote}`,
              python: spec.python,
              capturedFrom,
            }),
          );
        } else log('warning: no STARTED reply seen');
      }
    }

    // ---- 3. sanity checks -------------------------------------------------------------------
    const tl = written['v2-timelimit'];
    check(JSON.stringify(tl.headers.timelimit) === '[30,20]', 'v2-timelimit timelimit == [30, 20]');
    check(tl.headers.x_num === 1000 && tl.headers.x_str === 'hi', 'v2-timelimit custom headers');
    for (const id of ['v2-plain', 'v2-options', 'v2-kwargs-unicode', 'v2-timelimit', 'v2-chain']) {
      const f = written[id];
      check(f.headers.retries === 0, `${id} retries === 0`);
      check(f.headers.id === f.properties.correlationId, `${id} id == correlation_id`);
      check(Array.isArray(JSON.parse(f.body)) && JSON.parse(f.body).length === 3, `${id} 3-element body`);
    }
    check(written['v2-options'].properties.expiration === '60000', 'v2-options expiration');
    check(written['v2-options'].properties.priority === 5, 'v2-options priority');
    check(written.v1.headers && Object.keys(written.v1.headers).length === 0, 'v1 empty header table');
    check(JSON.parse(written.v1.body).task === 'proj.add', 'v1 body.task');
    for (const id of ['result-success', 'result-failure', 'result-notregistered']) {
      const body = JSON.parse(written[id].body);
      check(body.task_id === written[id].properties.correlationId, `${id} task_id == correlation_id`);
    }
    check(JSON.parse(written['result-success'].body).result === 5, 'result-success result 5');
    check(JSON.parse(written['result-failure'].body).result.exc_type === 'ValueError', 'ValueError');
    check(JSON.parse(written['result-notregistered'].body).result.exc_type === 'NotRegistered', 'NotRegistered');
    log(`done: ${Object.keys(written).length} fixtures in ${relative(ROOT, OUT_DIR)}`);
  } finally {
    if (worker) {
      log('stopping worker');
      await stopWorker(worker.child);
    }
    // Cleanup. A failed delete closes the channel, so reopen it and carry on.
    for (const [kind, names] of [
      ['queue', queues],
      ['exchange', exchanges],
    ]) {
      for (const name of names) {
        try {
          if (kind === 'queue') await ch.deleteQueue(name);
          else await ch.deleteExchange(name);
        } catch (err) {
          log(`could not delete ${kind} ${name}: ${err.message}`);
          ch = await conn.createChannel().catch(() => ch);
        }
      }
    }
    await conn.close().catch(() => {});
    process.removeListener('SIGINT', onSignal);
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
