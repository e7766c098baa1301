/**
 * A MongoDB-wire server for the tests, the demo and the benchmarks where MongoDB itself cannot be
 * installed: FerretDB 1.24 with its SQLite backend, from the Go module proxy.
 *
 * `go install github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.2` builds a binary that panics at
 * start ("Invalid build/version/version.txt"): the module leaves out the generated version file.
 * So the same module is downloaded with `go mod download`, copied, given that one file, and built
 * with `go build` into ~/.cache/celeriac (once; later runs find it there).
 *
 * startFerretdb() runs it on a free loopback port with its data in a new temporary directory and
 * telemetry off; stop() ends the process and removes the data.
 *
 * Plain Node, no imports outside node: it runs before `npm ci`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BootstrapError, probe, step } from './bootstrap.mjs';

export const FERRETDB_MODULE = 'github.com/FerretDB/FerretDB';
export const FERRETDB_VERSION = 'v1.24.2';
const START_WAIT_MS = 30_000;

const cacheDir = () => join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'celeriac');
export const ferretdbBinary = () =>
  process.env.CELERIAC_FERRETDB_BIN || join(cacheDir(), `ferretdb-${FERRETDB_VERSION}`);

function findGo() {
  const dirs = [
    ...(process.env.PATH ?? '').split(':').filter(Boolean),
    '/usr/local/go/bin',
    join(homedir(), 'go/bin'),
    '/usr/lib/go/bin',
  ];
  return dirs.map((dir) => join(dir, 'go')).find((file) => existsSync(file)) ?? null;
}

function go(goBinary, args, cwd) {
  const result = spawnSync(goBinary, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local' },
  });
  if (result.status !== 0)
    throw new BootstrapError(
      `go ${args.join(' ')} failed: ${(result.stderr || result.error?.message || '').trim().slice(-2000)}`,
    );
  return result.stdout;
}

/** The FerretDB binary, built once from the Go module proxy when it is not there yet. */
export async function ensureFerretdbBinary() {
  const binary = ferretdbBinary();
  if (existsSync(binary)) return binary;
  const goBinary = findGo();
  if (!goBinary)
    throw new BootstrapError(
      'FerretDB (the MongoDB-wire server the tests use) is built with Go, and no `go` was found; install Go or set CELERIAC_TEST_MONGODB_URL',
    );
  step(`building FerretDB ${FERRETDB_VERSION} from the Go module proxy (once; cached in ${cacheDir()})`);
  const { Dir } = JSON.parse(
    go(goBinary, ['mod', 'download', '-json', `${FERRETDB_MODULE}@${FERRETDB_VERSION}`], tmpdir()),
  );
  const source = await mkdtemp(join(tmpdir(), 'celeriac-ferretdb-src-'));
  try {
    await cp(Dir, source, { recursive: true });
    spawnSync('chmod', ['-R', 'u+w', source]);
    await writeFile(join(source, 'build/version/version.txt'), `${FERRETDB_VERSION}\n`);
    await mkdir(cacheDir(), { recursive: true });
    go(goBinary, ['build', '-o', binary, './cmd/ferretdb'], source);
  } finally {
    await rm(source, { recursive: true, force: true });
  }
  return binary;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts FerretDB; resolves with its mongodb:// URL and a stop() once it accepts connections.
 * With `tls` ({certFile, keyFile, caFile}) clients reach it only through a TLS listener (which,
 * with a CA file, asks for client certificates), and the URL says `tls=true`.
 */
export async function startFerretdb({ tls } = {}) {
  const binary = await ensureFerretdbBinary();
  const dataDir = await mkdtemp(join(tmpdir(), 'celeriac-ferretdb-'));
  const port = await freePort();
  const plainPort = tls ? await freePort() : port;
  const tlsArgs = tls
    ? [
        `--listen-tls=127.0.0.1:${port}`,
        `--listen-tls-cert-file=${tls.certFile}`,
        `--listen-tls-key-file=${tls.keyFile}`,
        ...(tls.caFile ? [`--listen-tls-ca-file=${tls.caFile}`] : []),
      ]
    : [];
  const args = [
    '--handler=sqlite',
    `--sqlite-url=file:${dataDir}/`,
    `--state-dir=${dataDir}`,
    `--listen-addr=127.0.0.1:${plainPort}`,
    ...tlsArgs,
    '--debug-addr=127.0.0.1:0',
    '--telemetry=disable',
    '--log-level=error',
  ];
  // Its log goes to a file, not a pipe: the test script waits in spawnSync while mocha runs and
  // drains no pipe, and FerretDB blocks (every client with it) once a pipe's buffer is full.
  const logFile = join(dataDir, 'ferretdb.log');
  const log = openSync(logFile, 'a');
  const child = spawn(binary, args, { stdio: ['ignore', log, log] });
  closeSync(log);
  const stderr = async () => (await readFile(logFile, 'utf8').catch(() => '')).slice(-4000).trim();
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((done) => child.once('exit', done));
    }
    await rm(dataDir, { recursive: true, force: true });
  };
  process.once('exit', () => child.kill('SIGKILL'));
  const deadline = Date.now() + START_WAIT_MS;
  while (!(await probe({ host: '127.0.0.1', port }))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      const said = await stderr();
      await stop();
      throw new BootstrapError(`FerretDB did not start on 127.0.0.1:${port}: ${said || `exit code ${child.exitCode}`}`);
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  const url = tls ? `mongodb://localhost:${port}/?tls=true` : `mongodb://127.0.0.1:${port}`;
  return { url, port, stop };
}
