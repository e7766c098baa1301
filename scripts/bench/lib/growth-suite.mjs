/**
 * Growth, plotted (issue 17, item 5): how beat's cost per fire and memory grow with the number of
 * schedules (beat-burst.mjs at 1k to 1M, memory and file stores), how a worker's drain grows with
 * its concurrency and its prefetch (drain.mjs beside the raw amqplib consumer with the same
 * prefetch), and how publishing goes with the body size (publish.mjs --body-size, Client beside
 * raw amqplib). Each suite also gives a chart (lib/svg-chart.mjs) drawn from its own figures,
 * written to docs/bench/ with the section. Section 'growth' of BENCHMARKS.md.
 */
import { atLeast, figure, values, versus } from './rows.mjs';
import { median } from './stats.mjs';

const MINUTE = 60_000;
const count = (n) => n.toLocaleString('en');
const med = (results, path) => median(values(results ?? [], path));
const STORES = { memory: 'memory store', file: 'file store' };

/** Schedules per step, how long beat-burst waits before the burst (loading must fit), its timeout. */
const BEAT_STEPS = [
  { n: 1000, label: '1k', burstIn: 4 },
  { n: 10_000, label: '10k', burstIn: 6 },
  { n: 100_000, label: '100k', burstIn: 15 },
  { n: 1_000_000, label: '1M', burstIn: 60 },
];
/** Past this, a run is stopped and keeps what it printed before the burst (beat-burst --json). */
const BIG = 1_000_000;

export function beatGrowth({ quick }) {
  const steps = quick ? BEAT_STEPS.slice(0, 2) : BEAT_STEPS;
  const contestants = {};
  for (const store of Object.keys(STORES))
    for (const { n, burstIn } of steps)
      contestants[`${store}-${n}`] = {
        script: 'beat-burst.mjs',
        nodeArgs: ['--expose-gc'],
        args: ['--store', store, '--count', String(n), '--burst-in', String(burstIn)],
        ...(n >= BIG ? { keepPartial: true, timeoutMs: (burstIn + 90) * 1000 } : {}),
      };
  const v = (r, store, n, path) => values(r[`${store}-${n}`], path);
  const perStore = (r, path) =>
    Object.entries(STORES).map(([store, name]) => ({
      name,
      values: steps.map(({ n }) => med(r[`${store}-${n}`], path)),
    }));
  return {
    id: 'growth-beat',
    title: 'Growth, beat',
    section: 'growth',
    runs: 1,
    timeoutMs: 8 * MINUTE,
    contestants,
    rows: (r) =>
      Object.entries(STORES).flatMap(([store, what]) =>
        steps.flatMap(({ n }) => {
          const label = `Beat loop, ${count(n)} schedules, ${what}, no broker`;
          return [
            figure(`${label}: CPU per fire in the burst (µs)`, v(r, store, n, 'cpuPerBurstFireUs'), 'us'),
            figure(`${label}: RSS after loading (MB)`, v(r, store, n, 'rssMb'), 'MB'),
            figure(`${label}: merge + loop start (ms)`, startMs(r[`${store}-${n}`]), 'ms'),
            figure(`${label}: burst of ${count(n / 4)}, last handed (ms)`, v(r, store, n, 'burst.lastHandedMs'), 'ms'),
            figure(
              `${label}: before the burst, worst lateness of a 50 ms timer (ms)`,
              v(r, store, n, 'steady.timerLateMs'),
              'ms',
            ),
          ];
        }),
      ),
    notes: (r) => [
      `beat-burst.mjs at each size: the schedule mix of beat-capacity.mjs merged into a fresh store as \`celeriac beat --schedule\` merges it (ScheduleEditor.mergeAll), then run by beat's loop (BeatLoop) with a sender that only counts, so the figures are beat's own; a quarter of the schedules fall due on one second (the burst). CPU per fire: the process's CPU from 0.2 s before the burst until its last fire was recorded, over the fires in that window (burst and mix). RSS after loading, after a forced GC. Peak RSS (VmHWM): ${steps.map(({ n, label }) => `${label} ${mb(r, 'memory', n)} / ${mb(r, 'file', n)}`).join(', ')} (memory / file store). The mix before the burst, from the loop's start (fires/s; CPU share of a core; CPU per fire, which at small sizes is mostly the process's fixed cost; worst lateness of a 50 ms timer, a sign of a starved event loop): ${steps.map(({ n, label }) => `${label} ${steadyText(r, 'memory', n)} / ${steadyText(r, 'file', n)}`).join(', ')} (memory / file store). ${overran(r)}One run per size. The MongoDB-wire store is not in the curve: the only one on this machine is FerretDB 1.24 (~5 ms an update), whose 100,000-schedule figures are in the section above and which does not get through 1,000,000 in a bench run.`,
    ],
    charts: (r) => [
      {
        file: 'beat-growth.svg',
        alt: "Beat's CPU per fire and RSS against the number of schedules",
        title: "Beat's loop against the number of schedules (counting sender, no broker)",
        panels: [
          panel('CPU per fire in the burst', 'µs per fire', 'schedules', steps, perStore(r, 'cpuPerBurstFireUs')),
          panel('RSS after loading (after a GC)', 'MB', 'schedules', steps, perStore(r, 'rssMb'), true),
        ],
      },
    ],
  };
}

function startMs(results) {
  return values(results, 'mergeMs').map((merge, i) => merge + values(results, 'loopStartMs')[i]);
}

function steadyText(r, store, n) {
  const [rate, share, perFire, late] = ['firesPerSecond', 'cpuShare', 'cpuPerFireUs', 'timerLateMs'].map((k) =>
    med(r[`${store}-${n}`], `steady.${k}`),
  );
  if (!Number.isFinite(rate)) return '—';
  return `${count(Math.round(rate))}/s; ${share.toFixed(2)}; ${perFire.toFixed(0)} µs; ${late.toFixed(0)} ms`;
}

/** Which runs were stopped at their timeout, keeping the figures taken before the burst. */
function overran(r) {
  const stopped = Object.entries(r).filter(([, runs]) => runs.some((result) => result?.overran));
  if (!stopped.length) return '';
  return `Stopped at their timeout, before the burst was through (their figures are those printed before the burst): ${stopped.map(([name]) => name).join(', ')}. `;
}

function mb(r, store, n) {
  const peak = med(r[`${store}-${n}`], 'peakRssMb');
  return Number.isFinite(peak) ? `${peak.toFixed(0)} MB` : '—';
}

function panel(title, yTitle, xTitle, steps, series, log = false) {
  return { title, yTitle, xTitle, x: steps.map((step) => step.label), series, log };
}

/** Concurrency with the default multiplier of 4, and prefetch at -c 1 (prefetch = c × multiplier). */
const CONCURRENCY = [1, 4, 16, 64];
const PREFETCH = [1, 4, 16, 64];

export function drainGrowth({ quick, runs }) {
  const tasks = quick ? 2000 : 10_000;
  const spec = (impl, c, m) => ({
    script: 'drain.mjs',
    args: ['--impl', impl, '--count', String(tasks), '--concurrency', String(c), '--prefetch-multiplier', String(m)],
  });
  const contestants = {};
  for (const c of CONCURRENCY) contestants[`celeriac-c${c}-m4`] = spec('celeriac', c, 4);
  for (const p of PREFETCH) contestants[`celeriac-c1-m${p}`] = spec('celeriac', 1, p);
  for (const p of new Set([...CONCURRENCY.map((c) => 4 * c), ...PREFETCH]))
    contestants[`raw-p${p}`] = spec('raw', 1, p);
  const rate = (r, name) => values(r[name], 'perSecond');
  const row = (r, c, m, what) =>
    versus(
      `Worker drain, ${count(tasks)} no-op tasks, ${what} (tasks/s)`,
      rate(r, `celeriac-c${c}-m${m}`),
      rate(r, `raw-p${c * m}`),
      'rate',
      `raw amqplib consumer, prefetch ${c * m}`,
    );
  const line = (r, names) => names.map((name) => med(r[name], 'perSecond'));
  return {
    id: 'growth-drain',
    title: 'Growth, worker drain',
    section: 'growth',
    runs: Math.min(runs, 2),
    timeoutMs: 5 * MINUTE,
    contestants,
    rows: (r) => [
      ...CONCURRENCY.map((c) => row(r, c, 4, `-c ${c} --prefetch-multiplier 4 (prefetch ${4 * c})`)),
      ...PREFETCH.filter((p) => p !== 4).map((p) => row(r, 1, p, `-c 1 --prefetch-multiplier ${p} (prefetch ${p})`)),
    ],
    notes: () => [
      `drain.mjs as in the main table (a queue pre-filled with ${count(tasks)} no-op tasks, the ready count polled every 10 ms), \`celeriac worker\` (inline pool, results disabled) at -c 1, 4, 16 and 64 with the default multiplier of 4, and at -c 1 with prefetch 1, 4, 16 and 64 (the worker's prefetch is concurrency × multiplier); beside each, the raw amqplib consumer (acks on arrival, decodes nothing) with the same prefetch.`,
    ],
    charts: (r) => [
      {
        file: 'drain-growth.svg',
        alt: 'Worker drain throughput against concurrency and prefetch, beside a raw amqplib consumer',
        title: `Worker drain of ${count(tasks)} no-op tasks: throughput against concurrency and prefetch`,
        panels: [
          {
            title: 'Concurrency (-c), prefetch = 4 × c',
            ...axesOf('-c', CONCURRENCY),
            series: [
              {
                name: 'celeriac worker',
                values: line(
                  r,
                  CONCURRENCY.map((c) => `celeriac-c${c}-m4`),
                ),
              },
              {
                name: 'raw amqplib consumer, same prefetch',
                values: line(
                  r,
                  CONCURRENCY.map((c) => `raw-p${4 * c}`),
                ),
              },
            ],
          },
          {
            title: 'Prefetch, -c 1',
            ...axesOf('prefetch (messages)', PREFETCH),
            series: [
              {
                name: 'celeriac worker -c 1',
                values: line(
                  r,
                  PREFETCH.map((p) => `celeriac-c1-m${p}`),
                ),
              },
              {
                name: 'raw amqplib consumer',
                values: line(
                  r,
                  PREFETCH.map((p) => `raw-p${p}`),
                ),
              },
            ],
          },
        ],
      },
    ],
  };
}

function axesOf(xTitle, steps) {
  return { xTitle, yTitle: 'tasks/s', x: steps.map(String) };
}

/** Body sizes, and how many tasks at each (fewer for large bodies: 200 × 1 MB is 200 MB). */
const BODIES = [
  { bytes: 100, label: '100 B', tasks: 10_000 },
  { bytes: 1000, label: '1 KB', tasks: 10_000 },
  { bytes: 100_000, label: '100 KB', tasks: 1000 },
  { bytes: 1_000_000, label: '1 MB', tasks: 200 },
];

export function publishGrowth({ quick, runs }) {
  const bodies = BODIES.map((body) => ({ ...body, tasks: quick ? Math.ceil(body.tasks / 5) : body.tasks }));
  const contestants = {};
  for (const { bytes, tasks } of bodies)
    for (const impl of ['celeriac', 'raw'])
      contestants[`${impl}-${bytes}`] = {
        script: 'publish.mjs',
        args: ['--impl', impl, '--count', String(tasks), '--body-size', String(bytes)],
      };
  const rate = (r, name) => values(r[name], 'perSecond');
  const line = (r, impl, path) => bodies.map(({ bytes }) => med(r[`${impl}-${bytes}`], path));
  const ratios = (r) =>
    bodies.map(({ bytes }) => median(rate(r, `celeriac-${bytes}`).map((v, i) => v / rate(r, `raw-${bytes}`)[i])));
  return {
    id: 'growth-publish',
    title: 'Growth, publish',
    section: 'growth',
    runs: Math.min(runs, 2),
    timeoutMs: 3 * MINUTE,
    contestants,
    rows: (r) =>
      bodies.map(({ bytes, label, tasks }) =>
        versus(
          `Publish ${count(tasks)} tasks of ${label} at once, persistent, confirmed (tasks/s)`,
          rate(r, `celeriac-${bytes}`),
          rate(r, `raw-${bytes}`),
          'rate',
          'raw amqplib',
          bytes >= 1000 ? atLeast(0.9) : null,
        ),
      ),
    notes: () => [
      `publish.mjs as in the main table with \`--body-size\`: each task's message body is that many bytes (one string argument of 'x'), sent at once and awaited together after a warm-up of the same bodies (500 tasks, or about 2 MB for large bodies). The ≥ 0.9× target for 1 KB and up is issue 17's item 3.`,
    ],
    charts: (r) => [
      {
        file: 'publish-growth.svg',
        alt: 'Publish throughput against body size, Celeriac Client beside raw amqplib',
        title: 'Publishing persistent, confirmed tasks: throughput against body size',
        panels: [
          {
            title: 'Tasks per second (log scale)',
            xTitle: 'message body',
            yTitle: 'tasks/s',
            x: bodies.map((body) => body.label),
            log: true,
            series: [
              { name: 'celeriac Client', values: line(r, 'celeriac', 'perSecond') },
              { name: 'raw amqplib', values: line(r, 'raw', 'perSecond') },
            ],
          },
          {
            title: 'Client ÷ raw amqplib, per run (median)',
            xTitle: 'message body',
            yTitle: 'ratio',
            x: bodies.map((body) => body.label),
            reference: { value: 0.9, label: 'target 0.9× (issue 17, item 3)' },
            series: [{ name: 'celeriac Client ÷ raw amqplib', values: ratios(r) }],
          },
        ],
      },
    ],
  };
}
