/**
 * Growth of beat (issue 17, items 5 and 2): beat's loop with a counting sender (beat-burst.mjs)
 * at 1,000 to 1,000,000 schedules with the memory and file stores: CPU per fire in a burst, RSS,
 * start-up, and how late a timer runs while the loop works (a starved event loop). One run per
 * size; the 1,000,000 runs may be stopped at their timeout and keep what they printed before the
 * burst. Part of section 'growth' (growth-suite.mjs), with a chart.
 */
import { figure, values } from './rows.mjs';
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
        args: ['--store', store, '--count', String(n), '--burst-in', String(burstIn), '--report-behind'],
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
      `beat-burst.mjs at each size: the schedule mix of beat-capacity.mjs merged into a fresh store as \`celeriac beat --schedule\` merges it (ScheduleEditor.mergeAll), then run by beat's loop (BeatLoop) with a sender that only counts, so the figures are beat's own; a quarter of the schedules fall due on one second (the burst). CPU per fire: the process's CPU from 0.2 s before the burst until its last fire was recorded, over the fires in that window (burst and mix). RSS after loading: a forced GC, then 0.2 s for V8 to hand its pages back. Peak RSS (VmHWM): ${steps.map(({ n, label }) => `${label} ${mb(r, 'memory', n)} / ${mb(r, 'file', n)}`).join(', ')} (memory / file store). The mix before the burst, from the loop's start (fires/s; CPU share of a core; CPU per fire, which at small sizes is mostly the process's fixed cost; worst lateness of a 50 ms timer, a sign of a starved event loop): ${steps.map(({ n, label }) => `${label} ${steadyText(r, 'memory', n)} / ${steadyText(r, 'file', n)}`).join(', ')} (memory / file store). ${behind(r)}${overran(r)}One run per size. The MongoDB-wire store is not in the curve: the only one on this machine is FerretDB 1.24 (~5 ms an update), whose 100,000-schedule figures are in the section above and which does not get through 1,000,000 in a bench run.`,
    ],
    charts: (r) => [
      {
        file: 'beat-growth.svg',
        alt: "Beat's CPU per fire and RSS against the number of schedules",
        title: "Beat's loop against the number of schedules (counting sender, no broker)",
        panels: [
          panel('CPU per fire in the burst', 'µs per fire', 'schedules', steps, perStore(r, 'cpuPerBurstFireUs')),
          panel('RSS after loading (a GC, then 0.2 s)', 'MB', 'schedules', steps, perStore(r, 'rssMb'), true),
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

/** Runs whose beat had not handed the whole burst a minute after its slot: a beat behind its schedules. */
function behind(r) {
  const late = Object.entries(r).flatMap(([name, runs]) =>
    runs.filter((result) => result?.burst && result.burst.handed < result.burst.size).map((result) => [name, result]),
  );
  const text = ([name, { burst, windowCpuPerFireUs, windowFires }]) =>
    `${name}, ${count(burst.handed)} of ${count(burst.size)} (meanwhile ${count(windowFires)} fires, ${windowCpuPerFireUs.toFixed(0)} µs of CPU each)`;
  return late.length ? `Burst not all handed within a minute of its slot: ${late.map(text).join('; ')}. ` : '';
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
