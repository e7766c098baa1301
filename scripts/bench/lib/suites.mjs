/**
 * What `npm run bench` measures: each suite names its contestants (one benchmark script run each,
 * in a fresh process, per run; the order rotates from run to run so drift hits all of them), and
 * turns their results into table rows and notes. Full figures by default; --quick for a smoke run.
 */
import { atLeast, atMost, figure, missing, under, values, versus } from './rows.mjs';
import { median } from './stats.mjs';
import { brokerText, openTarget } from './targets.mjs';
import { beatScale } from './scale-suite.mjs';
import { beatGrowth, drainGrowth, publishGrowth } from './growth-suite.mjs';
import { publish } from './publish-suite.mjs';
import { cpuBound } from './cpu-suite.mjs';
import { beatSteady, drainProcesses, resultsMongodb } from './compare-suite.mjs';
import { DRAIN_CONCURRENCY, DRAIN_PREFETCH_MULTIPLIER } from './drain-settings.mjs';

/** The tuned worker settings for the drain, kept in lib/drain-settings.mjs (the comparison suites use them too). */
export { DRAIN_CONCURRENCY, DRAIN_PREFETCH_MULTIPLIER };

const MINUTE = 60_000;
const UNIT_TEXT = { rate: 'tasks/s', us: 'µs', ms: 'ms' };
const count = (n) => n.toLocaleString('en');
const med = (results, path) => median(values(results, path));

function drain({ quick, runs, cores, celery }) {
  const tasks = quick ? 5000 : 20_000;
  const settings = {
    celery: ['--celery-concurrency', String(cores)],
    other: ['--concurrency', String(DRAIN_CONCURRENCY), '--prefetch-multiplier', String(DRAIN_PREFETCH_MULTIPLIER)],
  };
  const spec = (impl) => ({
    script: 'drain.mjs',
    args: ['--impl', impl, '--count', String(tasks), ...(settings[impl] ?? settings.other)],
  });
  const contestants = { celeriac: spec('celeriac'), raw: spec('raw'), ...(celery ? { celery: spec('celery') } : {}) };
  const label = (baseline) => `Worker drain, ${count(tasks)} no-op tasks, one process, vs ${baseline} (tasks/s)`;
  const rate = (results) => values(results, 'perSecond');
  const cpu = (results) => values(results, 'cpuPerTaskUs');
  const cpuLabel = (baseline) => `Worker drain: the worker's CPU per task, all its processes, vs ${baseline} (µs)`;
  return {
    id: 'drain',
    title: 'Worker drain',
    runs,
    timeoutMs: 5 * MINUTE,
    contestants,
    rows: (r) => [
      versus(label('raw amqplib'), rate(r.celeriac), rate(r.raw), 'rate', 'raw amqplib consumer', atLeast(0.9)),
      celery
        ? versus(
            label(`Celery ${celery} prefork -c ${cores}`),
            rate(r.celeriac),
            rate(r.celery),
            'rate',
            `Celery ${celery} prefork`,
            atLeast(5),
          )
        : missing(label('Celery prefork'), 'python3-celery is not installed', '≥ 5×'),
      versus(cpuLabel('raw amqplib'), cpu(r.celeriac), cpu(r.raw), 'us', 'raw amqplib consumer'),
      ...(celery ? [versus(cpuLabel('Celery'), cpu(r.celeriac), cpu(r.celery), 'us', `Celery ${celery} prefork`)] : []),
    ],
    notes: () => [
      `Celeriac: \`celeriac worker --pool inline\`, -c ${DRAIN_CONCURRENCY} --prefetch-multiplier ${DRAIN_PREFETCH_MULTIPLIER} (prefetch ${DRAIN_CONCURRENCY * DRAIN_PREFETCH_MULTIPLIER}), results disabled. Raw: the same prefetch, ack on arrival, no decoding.`,
      celery
        ? `Celery: \`celery worker -P prefork -c ${cores}\`, prefetch multiplier 4 (its default), acks_late, results disabled, --without-gossip --without-mingle --without-heartbeat.`
        : 'Celery: not measured (python3-celery is not installed).',
    ],
  };
}

/** The drain with task events on (and a monitor consuming them) beside the same drain with them off. */
function drainEvents({ quick, runs }) {
  const tasks = quick ? 5000 : 20_000;
  const args = ['--impl', 'celeriac', '--count', String(tasks), '--concurrency', String(DRAIN_CONCURRENCY)];
  args.push('--prefetch-multiplier', String(DRAIN_PREFETCH_MULTIPLIER));
  const contestants = {
    off: { script: 'drain.mjs', args },
    on: { script: 'drain.mjs', args: [...args, '--events'] },
  };
  const label = `Worker drain, ${count(tasks)} no-op tasks, task events on (-E) vs off (tasks/s)`;
  return {
    id: 'drain-events',
    title: 'Worker drain with events',
    runs,
    timeoutMs: 5 * MINUTE,
    contestants,
    rows: (r) => [
      versus(label, values(r.on, 'perSecond'), values(r.off, 'perSecond'), 'rate', 'events off', atLeast(0.8)),
      versus(
        `Worker drain: the worker's CPU per task, events on vs off (µs)`,
        values(r.on, 'cpuPerTaskUs'),
        values(r.off, 'cpuPerTaskUs'),
        'us',
        'events off',
      ),
    ],
    notes: (r) => [
      `The drain above (\`celeriac worker\`, -c ${DRAIN_CONCURRENCY} --prefetch-multiplier ${DRAIN_PREFETCH_MULTIPLIER}, results disabled), once with \`--events\` and once without. With events on, the benchmark consumes every event from a queue bound to celeryev (\`#\`), as a monitor would: ${Math.round(med(r.on, 'eventsReceived'))} events received per run (median; 3 task events per task plus heartbeats).`,
    ],
  };
}

function roundTrip({ quick, runs }) {
  const trips = quick ? 300 : 2000;
  const load = 500;
  const spec = (impl) => ({
    script: 'round-trip.mjs',
    args: ['--impl', impl, '--count', String(trips), '--load', String(load)],
  });
  const pair = (r, path, label, target) =>
    versus(label, values(r.celeriac, path), values(r.raw, path), 'ms', 'raw amqplib', target);
  return {
    id: 'round-trip',
    title: 'Round trip',
    runs,
    timeoutMs: 4 * MINUTE,
    contestants: { celeriac: spec('celeriac'), raw: spec('raw') },
    rows: (r) => [
      pair(r, 'idle.p50', 'Round trip send + get (rpc), idle, p50 (ms)'),
      pair(r, 'idle.p99', 'Round trip send + get (rpc), idle, p99 (ms)', atMost(10, 'ms')),
      pair(r, 'loaded.p50', `Round trip under ${load} tasks/s of other tasks, p50 (ms)`),
      pair(r, 'loaded.p99', `Round trip under ${load} tasks/s of other tasks, p99 (ms)`),
    ],
    notes: (r) => [
      `${count(trips)} sequential round trips per run and condition, after 200 to warm up. Celeriac: one Client, \`celeriac worker -c 10\` (inline pool, rpc:// results). Raw: the same task message published by amqplib (persistent, confirmed) to an amqplib consumer that sends a confirmed transient reply and acks (scripts/bench/apps/raw-rpc-worker.mjs). The load comes from a third process (a Client sending no-op tasks at ${load}/s to the same worker).`,
      `Worst round trip, median over the idle runs: Celeriac ${med(r.celeriac, 'idle.max').toFixed(1)} ms, raw ${med(r.raw, 'idle.max').toFixed(1)} ms. The load generator held ${Math.round(median([...values(r.celeriac, 'loaded.loadPerSecond'), ...values(r.raw, 'loaded.loadPerSecond')]))} tasks/s (median).`,
    ],
  };
}

function delays({ quick, runs }) {
  const tasks = quick ? 50 : 200;
  const args = ['--count', String(tasks), '--min', '1', '--max', quick ? '2' : '5', '--rate', '50'];
  const r = (results, path) => values(results.celeriac, path);
  return {
    id: 'delays',
    title: 'Delays',
    runs,
    timeoutMs: 2 * MINUTE,
    contestants: { celeriac: { script: 'delay-lateness.mjs', args } },
    rows: (results) => [
      figure(`Countdown lateness through the delay lanes, p50 (ms)`, r(results, 'p50'), 'ms'),
      figure(`Countdown lateness through the delay lanes, p99 (ms)`, r(results, 'p99'), 'ms'),
    ],
    notes: (results) => [
      `${tasks} tasks per run, countdowns drawn from 1–${quick ? 2 : 5} s with millisecond fractions, sent at 50/s; lateness = handler start − eta. Ran before their eta: ${values(results.celeriac, 'early').reduce((a, b) => a + b, 0)} in all runs.`,
    ],
  };
}

function beatLateness({ quick, runs }) {
  const seconds = quick ? 3 : 8;
  const spec = (shape) => ({
    script: 'beat-lateness.mjs',
    args: ['--count', '1000', '--seconds', String(seconds), ...(shape === 'spread' ? ['--spread'] : [])],
  });
  const baseline = 'setTimeout + Client per slot';
  const row = (results, title, measure, p, target) =>
    versus(
      `Beat, 1,000 schedules ${title}: slot → ${measure === 'handed' ? 'handed to amqplib' : 'confirmed'}, ${p} (ms)`,
      values(results, `${measure}.${p}`),
      values(results, `timers.${measure}.${p}`),
      'ms',
      baseline,
      target,
    );
  const shapeRows = (results, title) => [
    row(results, title, 'handed', 'p99', atMost(10, 'ms')),
    row(results, title, 'confirmed', 'p50'),
    row(results, title, 'confirmed', 'p99', atMost(10, 'ms')),
  ];
  const early = (results) => count(values(results, 'early').reduce((a, b) => a + b, 0));
  return {
    id: 'beat-lateness',
    title: 'Beat lateness',
    runs,
    timeoutMs: 2 * MINUTE,
    contestants: { spread: spec('spread'), burst: spec('burst') },
    rows: (r) => [
      ...shapeRows(r.spread, 'spread over each second'),
      ...shapeRows(r.burst, 'all due at the same instant'),
    ],
    notes: (r) => [
      `${seconds} s per run and shape (the first second of slots left out), in-process Beat with a MemoryScheduleStore, nothing consuming the queue; confirmed = broker confirm + slot recorded. Baseline, in the same process after the beat: for 5 s the same slots fired by one setTimeout each that sends the task with a Client (no schedule maths, no store): what the machine and the broker add to any scheduler. Beat may hand a fire to amqplib up to 5 ms before its slot (tickToleranceMs); over all runs ${early(r.spread)} fires (spread) and ${early(r.burst)} (burst) were.`,
    ],
  };
}

function beatCapacity({ quick }) {
  const schedules = quick ? 10_000 : 100_000;
  const args = ['--count', String(schedules), '--seconds', quick ? '5' : '60'];
  const r = (results, path) => values(results.celeriac, path);
  const rssTarget = schedules === 100_000 ? under(300, 'MB') : null;
  return {
    id: 'beat-capacity',
    title: 'Beat capacity',
    runs: 1,
    timeoutMs: 8 * MINUTE,
    contestants: { celeriac: { script: 'beat-capacity.mjs', nodeArgs: ['--expose-gc'], args } },
    rows: (results) => [
      figure(`Beat, ${count(schedules)} schedules loaded: RSS (MB)`, r(results, 'loaded.rssMb'), 'MB', rssTarget),
      versus(
        `Beat, ${count(schedules)} schedules: CPU per fire, whole process (µs)`,
        r(results, 'heap.cpuPerFireUs'),
        r(results, 'naive.cpuPerFireUs'),
        'us',
        'naive scan every 100 ms',
      ),
      versus(
        `Beat, ${count(schedules)} schedules: fire lateness p99, no broker (ms)`,
        r(results, 'heap.lateness.p99'),
        r(results, 'naive.lateness.p99'),
        'ms',
        'naive scan every 100 ms',
      ),
    ],
    notes: (results) => [
      `One run (it takes minutes). Loading: ${(med(results.celeriac, 'compileMs') / 1000).toFixed(1)} s to validate and compile the schedules; JS heap ${med(results.celeriac, 'loaded.heapMb').toFixed(0)} MB after loading (RSS ${med(results.celeriac, 'before.rssMb').toFixed(0)} MB before). Heap pop + re-insert ${med(results.celeriac, 'heapOpUs').toFixed(1)} µs; one naive scan of every entry ${med(results.celeriac, 'naive.scanMs').toFixed(2)} ms.`,
    ],
  };
}

/**
 * Publish, drain and delay lateness with the task queue (and the delay lanes, and celeriac.dead) as
 * quorum queues beside classic ones, on one node or on a three-node cluster: the same benchmark
 * scripts as above with --queue-type, each queue type in a vhost of its own (lib/targets.mjs).
 */
function queueTypes(where) {
  return ({ quick, runs }) => {
    const tasks = quick ? 5000 : 20_000;
    const delayed = quick ? 50 : 200;
    const maxS = quick ? 2 : 5;
    const on = where === 'node' ? 'one node' : 'three-node cluster';
    const scripts = {
      publish: { script: 'publish.mjs', args: ['--impl', 'celeriac', '--count', String(tasks)] },
      drain: {
        script: 'drain.mjs',
        args: [
          ...['--impl', 'celeriac', '--count', String(tasks)],
          ...['--concurrency', String(DRAIN_CONCURRENCY), '--prefetch-multiplier', String(DRAIN_PREFETCH_MULTIPLIER)],
        ],
      },
      delay: {
        script: 'delay-lateness.mjs',
        args: ['--count', String(delayed), '--min', '1', '--max', String(maxS), '--rate', '50'],
      },
    };
    const contestants = {};
    for (const [kind, { script, args }] of Object.entries(scripts))
      for (const queueType of ['classic', 'quorum'])
        contestants[`${kind}-${queueType}`] = {
          script,
          args: [...args, '--queue-type', queueType],
          queueType,
          envText: brokerText(where, queueType),
        };
    const pair = (r, kind, path, what, unit) =>
      versus(
        `${what}, quorum queues, ${on} (${UNIT_TEXT[unit]})`,
        values(r[`${kind}-quorum`], path),
        values(r[`${kind}-classic`], path),
        unit,
        `classic, ${on}`,
      );
    return {
      id: `queue-types-${where}`,
      title: `Queue types, ${on}`,
      section: 'queue-types',
      runs,
      timeoutMs: 5 * MINUTE,
      contestants,
      target: () => openTarget(where, ['classic', 'quorum']),
      rows: (r) => [
        pair(r, 'publish', 'perSecond', `Publish ${count(tasks)} tasks at once, confirmed`, 'rate'),
        pair(r, 'publish', 'cpuPerTaskUs', `Publish: the publishing process's CPU per task`, 'us'),
        pair(r, 'drain', 'perSecond', `Worker drain, ${count(tasks)} no-op tasks`, 'rate'),
        pair(r, 'drain', 'cpuPerTaskUs', `Worker drain: the worker's CPU per task`, 'us'),
        pair(r, 'delay', 'p50', 'Countdown lateness through the delay lanes, p50', 'ms'),
        pair(r, 'delay', 'p99', 'Countdown lateness through the delay lanes, p99', 'ms'),
      ],
      notes: (r) => [
        `${
          where === 'node'
            ? 'The broker on 127.0.0.1:5672, in two private vhosts (one per queue type, created with rabbitmqctl add_vhost and deleted after: the delay lanes of a vhost are of one type).'
            : 'A three-node cluster started for the suite on this machine (scripts/lib/rabbit-cluster.mjs, ports 5691-5693; quorum queues with three replicas), one vhost per queue type; every process is given the three URLs and connects to the first, so classic queues live on node 1.'
        } The scripts and settings of the main table's Publish, Worker drain and Delays rows, with \`--queue-type classic|quorum\`: publish ${count(tasks)} tasks with one Client; drain ${count(tasks)} with \`celeriac worker -c ${DRAIN_CONCURRENCY} --prefetch-multiplier ${DRAIN_PREFETCH_MULTIPLIER}\`; ${delayed} countdowns of 1–${maxS} s at 50/s (with quorum the delay lanes are quorum queues with at-least-once dead-lettering). Ran before their eta: ${[...values(r['delay-classic'], 'early'), ...values(r['delay-quorum'], 'early')].filter(Number.isFinite).reduce((a, b) => a + b, 0)} in all runs.`,
      ],
    };
  };
}

export function suites(options) {
  return [
    publish,
    drain,
    drainEvents,
    roundTrip,
    delays,
    beatLateness,
    beatCapacity,
    queueTypes('node'),
    queueTypes('cluster'),
    beatScale,
    publishGrowth,
    drainGrowth,
    beatGrowth,
    cpuBound,
    beatSteady,
    resultsMongodb,
    drainProcesses,
  ].map((suite) => suite(options));
}
