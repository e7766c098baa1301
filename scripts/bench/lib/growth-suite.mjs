/**
 * Growth, plotted (issue 17, item 5): how beat's cost per fire and memory grow with the number of
 * schedules (beat-burst.mjs at 1k to 1M, memory and file stores), how a worker's drain grows with
 * its concurrency and its prefetch (drain.mjs beside the raw amqplib consumer with the same
 * prefetch), and how publishing goes with the body size (publish.mjs --body-size, Client beside
 * raw amqplib). Each suite also gives a chart (lib/svg-chart.mjs) drawn from its own figures,
 * written to docs/bench/ with the section. Section 'growth' of BENCHMARKS.md.
 */
import { atLeast, values, versus } from './rows.mjs';
import { median } from './stats.mjs';

export { beatGrowth } from './beat-growth.mjs';

const MINUTE = 60_000;
const count = (n) => n.toLocaleString('en');
const med = (results, path) => median(values(results ?? [], path));

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
      `${Math.min(runs, 2)} runs per figure. drain.mjs as in the main table (a queue pre-filled with ${count(tasks)} no-op tasks, the ready count polled every 10 ms), \`celeriac worker\` (inline pool, results disabled) at -c 1, 4, 16 and 64 with the default multiplier of 4, and at -c 1 with prefetch 1, 4, 16 and 64 (the worker's prefetch is concurrency × multiplier); beside each, the raw amqplib consumer (acks on arrival, decodes nothing) with the same prefetch.`,
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
export const PUBLISH_BODIES = [
  { bytes: 100, label: '100 B', tasks: 10_000 },
  { bytes: 1000, label: '1 KB', tasks: 10_000 },
  { bytes: 100_000, label: '100 KB', tasks: 1000 },
  { bytes: 1_000_000, label: '1 MB', tasks: 200 },
];

export function publishGrowth({ quick, runs }) {
  const bodies = PUBLISH_BODIES.map((body) => ({ ...body, tasks: quick ? Math.ceil(body.tasks / 5) : body.tasks }));
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
      `${Math.min(runs, 2)} runs per figure. publish.mjs as in the main table with \`--body-size\`: each task's message body is that many bytes (one string argument of 'x'), sent at once and awaited together after a warm-up of the same bodies (500 tasks, or about 2 MB for large bodies). The ≥ 0.9× target for 1 KB and up is issue 17's item 3.`,
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
