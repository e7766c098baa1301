/**
 * What `npm run demo` and `npm test` both need on a fresh clone, before any dependency exists:
 * install and build when needed, and a RabbitMQ that answers (starting a local rabbitmq-server
 * when one is installed, otherwise saying exactly how to get one).
 *
 * Plain Node, no imports outside node: it runs before `npm ci`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const DEFAULT_BROKER_URL = 'amqp://guest:guest@127.0.0.1:5672//';
const BROKER_START_WAIT_MS = 60_000;

/** A problem explained in one message, exit 1, without a stack trace. */
export class BootstrapError extends Error {}

export const step = (text) => console.log(`\n▸ ${text}`);

function sleep(ms) {
  return new Promise((done) => setTimeout(done, ms));
}

function run(command, args) {
  console.log(`  $ ${command} ${args.join(' ')}`);
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.error) throw new BootstrapError(`could not run ${command}: ${result.error.message}`);
  if (result.status !== 0)
    throw new BootstrapError(`${command} ${args.join(' ')} failed with exit code ${result.status}`);
}

export function installAndBuild() {
  if (!existsSync(join(ROOT, 'node_modules'))) {
    step('installing dependencies (node_modules is missing)');
    run('npm', existsSync(join(ROOT, 'package-lock.json')) ? ['ci'] : ['install']);
  }
  step('building (tsc -b)');
  run('npx', ['tsc', '-b']);
}

function brokerAddress(url) {
  const parsed = new URL(url);
  const port = Number(parsed.port || (parsed.protocol === 'amqps:' ? 5671 : 5672));
  const host = parsed.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1';
  return { host, port, local: ['127.0.0.1', 'localhost', '::1'].includes(host) };
}

export function redact(url) {
  return url.replace(/\/\/([^:/@]*):[^@/]*@/, '//$1:***@');
}

/** True when something accepts TCP connections at host:port within a second. */
export function probe({ host, port }) {
  return new Promise((done) => {
    const socket = tcpConnect({ host, port });
    const finish = (ok) => (socket.destroy(), done(ok));
    socket.setTimeout(1000, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

async function waitForPort(address, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe(address)) return true;
    await sleep(1000);
  }
  return false;
}

/** rabbitmq-server on PATH, or where Debian puts it (/usr/sbin is not on every user's PATH). */
function findRabbitmqServer() {
  const dirs = [
    ...(process.env.PATH ?? '').split(':').filter(Boolean),
    '/usr/sbin',
    '/usr/local/sbin',
    '/usr/lib/rabbitmq/bin',
  ];
  return dirs.map((dir) => join(dir, 'rabbitmq-server')).find((file) => existsSync(file)) ?? null;
}

export async function ensureBroker(BROKER_URL) {
  const address = brokerAddress(BROKER_URL);
  step(`checking the broker at ${redact(BROKER_URL)}`);
  if (await probe(address)) return console.log(`  RabbitMQ answers on ${address.host}:${address.port}`);
  if (!address.local)
    throw new BootstrapError(
      `nothing answers on ${address.host}:${address.port}; start that broker or point CELERIAC_BROKER at one`,
    );
  const server = findRabbitmqServer();
  if (!server) throw new BootstrapError(noBrokerHelp(address));
  console.log(`  nothing answers on port ${address.port}; starting ${server} -detached`);
  startRabbitmq(server);
  if (!(await waitForPort(address, BROKER_START_WAIT_MS)))
    throw new BootstrapError(`RabbitMQ did not open port ${address.port} within ${BROKER_START_WAIT_MS / 1000} s`);
  console.log(`  RabbitMQ answers on ${address.host}:${address.port}`);
}

/** Debian's wrapper runs the server only for root or the rabbitmq user; anyone else gets a hint. */
function startRabbitmq(server) {
  const result = spawnSync(server, ['-detached'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status === 0) return;
  const how = result.error ? result.error.message : `exit code ${result.status}`;
  throw new BootstrapError(
    `${server} -detached failed (${how}); start it as root (sudo rabbitmq-server -detached, or sudo service rabbitmq-server start) and run the demo again`,
  );
}

function noBrokerHelp({ port }) {
  return [
    `nothing answers on port ${port} and rabbitmq-server is not installed. Get a broker with either:`,
    '    apt-get install -y rabbitmq-server      # Debian/Ubuntu (as root), then run npm run demo again',
    `    docker run -d -p ${port}:5672 rabbitmq:3`,
    'or point CELERIAC_BROKER at a running RabbitMQ.',
  ].join('\n');
}
