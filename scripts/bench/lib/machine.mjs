/**
 * What the figures were measured on: the machine, the load on it, and the versions of everything
 * in the path (Node, RabbitMQ, amqplib, Python Celery, this checkout).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { brokerVersion } from './broker.mjs';
import { existsSync } from 'node:fs';
import { ROOT, SYSTEM_PYTHON } from './processes.mjs';
import { VENV_PYTHON, celeryVersion as pypiCeleryVersion } from '../../lib/python-peers.mjs';

function output(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8', timeout: 30_000, ...options });
  return result.status === 0 ? result.stdout.trim() : null;
}

function packageVersion(dir) {
  return JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')).version;
}

function osName() {
  try {
    return readFileSync('/etc/os-release', 'utf8').match(/^PRETTY_NAME="?([^"\n]*)"?/m)?.[1] ?? os.type();
  } catch {
    return os.type();
  }
}

/** Python Celery's version, or null when python3-celery is not installed. */
export function celeryVersion() {
  return output(SYSTEM_PYTHON, ['-c', 'import celery; print(celery.__version__)']);
}

function checkout() {
  const commit = output('git', ['rev-parse', '--short', 'HEAD']);
  const dirty = output('git', ['status', '--porcelain', '--', 'packages'])?.length
    ? ' + uncommitted changes in packages/'
    : '';
  return commit ? `${packageVersion('.')} at ${commit}${dirty}` : packageVersion('.');
}

export function load() {
  return os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
}

export async function describeMachine() {
  const cpus = os.cpus();
  return {
    cpu: `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}`,
    cores: cpus.length,
    memory: `${(os.totalmem() / 1024 ** 3).toFixed(1)} GB`,
    os: `${osName()}, Linux ${os.release()}`,
    node: process.version,
    broker: await brokerVersion(),
    amqplib: packageVersion('node_modules/amqplib'),
    celery: celeryVersion(),
    python: output(SYSTEM_PYTHON, ['-c', 'import platform; print(platform.python_version())']),
    /** The PyPI Celery of .venv-celery (the CPU benchmark's peer), or null. */
    pypiCelery: existsSync(VENV_PYTHON) ? pypiCeleryVersion(VENV_PYTHON) : null,
    celeriac: checkout(),
    loadBefore: load(),
  };
}
