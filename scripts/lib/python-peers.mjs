/**
 * The two Python Celery peers the interop tests, the demo and the benchmarks talk to:
 * - Debian's `python3-celery` (5.2.6), only importable by the system interpreter /usr/bin/python3;
 * - the newest Celery 5.6 from PyPI with pymongo and flower, pinned in
 *   requirements/celery-peer.txt, in the virtual environment `.venv-celery/` made here once
 *   (again only when the requirements file changed).
 *
 * Plain Node, no imports outside node: it runs before `npm ci`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BootstrapError, ROOT, step } from './bootstrap.mjs';

export const SYSTEM_PYTHON = '/usr/bin/python3';
export const VENV_DIR = join(ROOT, '.venv-celery');
export const VENV_PYTHON = join(VENV_DIR, 'bin', 'python');
const REQUIREMENTS = join(ROOT, 'requirements', 'celery-peer.txt');
/** A copy of the requirements the venv was made from: a change to the file makes it again. */
const STAMP = join(VENV_DIR, 'celeriac-requirements.txt');

function run(command, args) {
  const result = spawnSync(command, args, { cwd: ROOT, encoding: 'utf8' });
  return {
    ok: result.status === 0,
    out: `${result.stdout ?? ''}${result.stderr ?? ''}${result.error?.message ?? ''}`.trim(),
  };
}

export function celeryVersion(python) {
  const probe = run(python, ['-c', 'import celery, sys; sys.stdout.write(celery.__version__)']);
  return probe.ok ? probe.out : null;
}

/** The venv's interpreter with the pinned PyPI Celery, made or remade when needed. */
export function ensurePypiCelery() {
  const wanted = readFileSync(REQUIREMENTS, 'utf8');
  const current = existsSync(STAMP) ? readFileSync(STAMP, 'utf8') : null;
  if (current === wanted && celeryVersion(VENV_PYTHON)) return VENV_PYTHON;
  step(`creating ${VENV_DIR} with Celery from PyPI (${REQUIREMENTS})`);
  const python = ['python3', 'python3.11', 'python3.12', SYSTEM_PYTHON].find(
    (candidate) => run(candidate, ['-c', 'import venv, ensurepip']).ok,
  );
  if (!python)
    throw new BootstrapError(
      'no Python 3 with venv and ensurepip was found to make the PyPI Celery peer (Debian: apt-get install python3-venv)',
    );
  for (const [command, args] of [
    [python, ['-m', 'venv', '--clear', VENV_DIR]],
    [VENV_PYTHON, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', REQUIREMENTS]],
  ]) {
    const result = run(command, args);
    if (!result.ok) throw new BootstrapError(`${command} ${args.join(' ')} failed: ${result.out.slice(-2000)}`);
  }
  spawnSync('cp', [REQUIREMENTS, STAMP]);
  return VENV_PYTHON;
}

/** Debian's Celery 5.2 under the system interpreter, or a message that says how to get it. */
export function ensureSystemCelery() {
  if (celeryVersion(SYSTEM_PYTHON)) return SYSTEM_PYTHON;
  throw new BootstrapError(
    `${SYSTEM_PYTHON} cannot import celery; install Debian's python3-celery (apt-get install -y python3-celery; .ci/run does it)`,
  );
}
