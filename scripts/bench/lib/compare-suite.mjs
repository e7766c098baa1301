/**
 * The comparison rows of issue 17 (items 1 and 4), each a suite with a section of its own in
 * BENCHMARKS.md, so `npm run bench -- --only <id> --write` rewrites it alone:
 * - beat-steady: `celeriac beat` with 10,000 intervals due every second (default file store)
 *   beside a Client publishing 10,000 a second, and beside Python Celery beat (Debian and PyPI);
 * - results-mongodb: a worker storing every result in one FerretDB (started for the suite), the
 *   Celeriac worker beside Python Celery's mongodb backend (Debian and PyPI);
 * - drain-processes: `celeriac worker --processes 2` beside one process, on this machine's cores.
 */
import { existsSync } from 'node:fs';
import { startFerretdb } from '../../lib/ferretdb.mjs';
import { VENV_PYTHON, celeryVersion } from '../../lib/python-peers.mjs';
import { atLeast, figure, missing, values, versus } from './rows.mjs';
import { median } from './stats.mjs';
import { DRAIN_CONCURRENCY, DRAIN_PREFETCH_MULTIPLIER } from './drain-settings.mjs';

const MINUTE = 60_000;
const count = (n) => n.toLocaleString('en');
const med = (results, path) => median(values(results ?? [], path));
const pypiCelery = () => (existsSync(VENV_PYTHON) ? celeryVersion(VENV_PYTHON) : null);

/** The Python peers present: Debian's Celery (`celery`) and the PyPI one (`celery-pypi`), with their names. */
function pythonPeers(debian) {
  const pypi = pypiCelery();
  return [
    ...(debian ? [{ impl: 'celery', name: `Celery ${debian} (Debian)` }] : []),
    ...(pypi ? [{ impl: 'celery-pypi', name: `Celery ${pypi} (PyPI)` }] : []),
  ];
}

const SCHEDULES = 10_000;

export function beatSteady({ quick, runs, celery }) {
  const seconds = quick ? 5 : 20;
  const warmUp = quick ? 2 : 5;
  const spec = (impl) => ({
    script: 'beat-steady.mjs',
    args: ['--impl', impl, '--count', String(SCHEDULES), '--seconds', String(seconds), '--warm-up', String(warmUp)],
  });
  const peers = pythonPeers(celery);
  const contestants = { celeriac: spec('celeriac'), client: spec('client') };
  for (const { impl } of peers) contestants[impl] = spec(impl);
  const what = `Beat, ${count(SCHEDULES)} interval schedules due every second`;
  const rate = (results, path = 'perSecond') => values(results ?? [], path);
  const client = `a Client sending ${count(SCHEDULES)}/s`;
  return {
    id: 'beat-steady',
    title: 'Beat, 10,000 schedules due every second',
    section: 'beat-steady',
    runs: Math.min(runs, 3),
    timeoutMs: 4 * MINUTE,
    contestants,
    rows: (r) => [
      versus(`${what}: fires/s reaching the queue`, rate(r.celeriac), rate(r.client), 'rate', client, atLeast(0.9)),
      versus(
        `${what}: worst second (fires/s)`,
        rate(r.celeriac, 'worstSecond'),
        rate(r.client, 'worstSecond'),
        'rate',
        client,
      ),
      versus(`${what}: CPU per fire, the publishing process (µs)`, cpu(r.celeriac), cpu(r.client), 'us', client),
      ...peers.flatMap(({ impl, name }) => [
        versus(`${what}: fires/s, vs ${name} beat`, rate(r.celeriac), rate(r[impl]), 'rate', `${name} beat`),
        versus(`${what}: CPU per fire, vs ${name} beat (µs)`, cpu(r.celeriac), cpu(r[impl]), 'us', `${name} beat`),
      ]),
      ...(peers.length ? [] : [missing(`${what}: vs Celery beat`, 'no Python Celery is installed')]),
    ],
    notes: (r) => [
      `Each publisher alone, in turn, for ${seconds} s after a warm-up of ${warmUp} s from the first second in which anything arrived, publishing the no-op task (persistent, confirmed) to a queue of the run that nothing consumes; this process reads the queue's message count every second (passive declare), and its growth is that second's fires. \`celeriac beat --schedule <file of ${count(SCHEDULES)}> --store file:<dir>/celeriac-schedule.json\` (the default file store; log level info, a JSON line per fire, read by the benchmark): intervals of 1 s anchored across the second. Client: scripts/bench/apps/steady-load.mjs, one Client (no results) sending ${count(SCHEDULES)} a second in ticks of 10 ms without waiting for confirms. ${peers.length ? `Celery: \`celery beat\` with the default PersistentScheduler (a shelve file) and ${count(SCHEDULES)} beat_schedule entries of timedelta(seconds=1) (scripts/bench/python/bench_beat.py), confirm_publish on for the same durability, log level info` : 'Celery: not installed'}. Start → first arrival (medians): Celeriac beat ${s(r.celeriac)}, Client ${s(r.client)}${peers.map(({ impl, name }) => `, ${name} ${s(r[impl])}`).join('')}. CPU per fire is the publisher's whole process group over the window.`,
    ],
  };
}

function cpu(results) {
  return values(results ?? [], 'cpuPerFireUs');
}

function s(results) {
  const value = med(results, 'firstArrivalMs');
  return Number.isFinite(value) ? `${(value / 1000).toFixed(1)} s` : '—';
}

/** One FerretDB for the whole suite: every contestant stores into the same server, a database each. */
async function ferretTarget() {
  const ferret = await startFerretdb();
  return { env: () => ({ CELERIAC_BENCH_MONGODB: ferret.url }), close: ferret.stop };
}

export function resultsMongodb({ quick, runs, celery, cores }) {
  const tasks = quick ? 500 : 3000;
  const spec = (impl) => ({
    script: 'results-mongodb.mjs',
    args: ['--impl', impl, '--count', String(tasks), '--celery-concurrency', String(cores)],
    envText: 'CELERIAC_BENCH_MONGODB=mongodb://127.0.0.1:<FerretDB port>',
  });
  const peers = pythonPeers(celery);
  const contestants = { celeriac: spec('celeriac') };
  for (const { impl } of peers) contestants[impl] = spec(impl);
  const what = `Results to MongoDB (FerretDB), ${count(tasks)} no-op tasks`;
  const v = (results, path) => values(results ?? [], path);
  return {
    id: 'results-mongodb',
    title: 'Results to MongoDB',
    section: 'results-mongodb',
    runs: Math.min(runs, 2),
    timeoutMs: 6 * MINUTE,
    contestants,
    target: ferretTarget,
    rows: (r) => [
      ...peers.flatMap(({ impl, name }) => [
        versus(
          `${what}: results stored/s, vs ${name}`,
          v(r.celeriac, 'perSecond'),
          v(r[impl], 'perSecond'),
          'rate',
          name,
        ),
        versus(
          `${what}: worker CPU per task, vs ${name} (µs)`,
          v(r.celeriac, 'cpuPerTaskUs'),
          v(r[impl], 'cpuPerTaskUs'),
          'us',
          name,
        ),
        versus(
          `${what}: FerretDB's CPU per stored result, vs ${name} (µs)`,
          v(r.celeriac, 'serverCpuPerTaskUs'),
          v(r[impl], 'serverCpuPerTaskUs'),
          'us',
          name,
        ),
      ]),
      ...(peers.length ? [] : [figure(`${what}: results stored/s`, v(r.celeriac, 'perSecond'), 'rate')]),
    ],
    notes: () => [
      `One FerretDB 1.24 (SQLite handler, scripts/lib/ferretdb.mjs) started for the suite; each run stores into a database of its own (dropped after). The queue is filled with ${count(tasks)} no-op tasks, then the worker is started while the benchmark counts the documents of celery_taskmeta every 50 ms; the clock runs from the first stored result to the last, and every one must be a SUCCESS. Celeriac: \`celeriac worker --pool inline -c ${DRAIN_CONCURRENCY} --prefetch-multiplier ${DRAIN_PREFETCH_MULTIPLIER} --result-backend mongodb://…/<db>\`. Celery: \`celery worker -P prefork -c ${cores}\` (prefetch ×4, acks_late) of scripts/bench/python/bench_tasks.py with result_backend mongodb://…/<db> (pymongo). FerretDB's CPU is its process's, over the same window.`,
    ],
  };
}

export function drainProcesses({ quick, runs }) {
  const tasks = quick ? 10_000 : 20_000;
  const args = ['--impl', 'celeriac', '--count', String(tasks), '--concurrency', String(DRAIN_CONCURRENCY)];
  args.push('--prefetch-multiplier', String(DRAIN_PREFETCH_MULTIPLIER));
  const contestants = {
    one: { script: 'drain.mjs', args },
    two: { script: 'drain.mjs', args: [...args, '--processes', '2'] },
  };
  const what = `Worker drain, ${count(tasks)} no-op tasks, --processes 2 vs one process`;
  const v = (results, path) => values(results ?? [], path);
  const pair = (label, path, unit) => (r) =>
    versus(`${what}: ${label}`, v(r.two, path), v(r.one, path), unit, 'one process');
  return {
    id: 'drain-processes',
    title: 'Worker drain with --processes 2',
    section: 'drain-processes',
    runs,
    timeoutMs: 5 * MINUTE,
    contestants,
    rows: (r) =>
      [
        pair('tasks/s', 'perSecond', 'rate'),
        pair("the workers' CPU per task (µs)", 'cpuPerTaskUs', 'us'),
        pair("the broker's CPU per task (µs)", 'brokerCpuPerTaskUs', 'us'),
        pair('the machine busy, all cores (%)', 'machineBusyPercent', '%'),
      ].map((row) => row(r)),
    notes: (r) => [
      `drain.mjs as in the main table (\`celeriac worker --pool inline -c ${DRAIN_CONCURRENCY} --prefetch-multiplier ${DRAIN_PREFETCH_MULTIPLIER}\`, results disabled), once as one process and once with \`--processes 2\`: a supervisor and two worker processes, each with that -c and prefetch (named with %p); the clock starts once the queue has two consumers, so the process that starts first does not drain alone on the clock. The worker's CPU is its whole process group; the broker's is the local RabbitMQ node's beam.smp; the machine's busy share is over all cores, from /proc/stat, everything on the machine included. Median cores used by the workers while draining: one process ${cores(r.one)}, two ${cores(r.two)}.`,
    ],
  };
}

function cores(results) {
  const used = median((results ?? []).filter(Boolean).map((result) => (result.cpuPerTaskUs * result.perSecond) / 1e6));
  return Number.isFinite(used) ? used.toFixed(2) : '—';
}
