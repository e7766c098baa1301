/**
 * The deterministic schedule mix of the beat benchmarks: 10% intervals of 1-10 s, 40% intervals
 * of 1 min-1 day, 25% 5-field and 25% 6-field (seconds) crons, over ten IANA zones, 'skip'
 * policy. Interval anchors are spread over their period so fires do not all land on the same
 * millisecond. With a burst, every fourth schedule is replaced by an hourly interval anchored on
 * `burst.at` running task `burst.task`: a second on which a quarter of the schedules fall due.
 */
const ZONES = [
  'UTC',
  'Europe/Warsaw',
  'Europe/London',
  'America/Chicago',
  'America/New_York',
  'America/Los_Angeles',
  'Asia/Tokyo',
  'Asia/Kolkata',
  'Australia/Sydney',
  'Pacific/Auckland',
];
const CRON_5 = ['*/5 * * * *', '0 * * * *', '0 7 * * *', '30 2 * * *', '0 9 * * 1-5', '15 */2 * * *', '*/1 * * * *'];
const CRON_6 = ['*/15 * * * * *', '0 */5 * * * *', '30 * * * * *', '0 0 * * * *'];
const LONG_MS = [60_000, 300_000, 900_000, 3_600_000, 86_400_000];
export const BURST_EVERY_MS = 3_600_000;

/** A small deterministic PRNG (mulberry32), so every run loads the same schedules. */
export function random(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function specFor(i, rand, now) {
  const bucket = i % 20;
  if (bucket < 2) return interval(1000 * (1 + Math.floor(rand() * 10)), rand, now);
  if (bucket < 10) return interval(LONG_MS[Math.floor(rand() * LONG_MS.length)], rand, now);
  const zone = ZONES[Math.floor(rand() * ZONES.length)];
  const list = bucket < 15 ? CRON_5 : CRON_6;
  return { kind: 'cron', expression: list[Math.floor(rand() * list.length)], timezone: zone };
}

function interval(everyMs, rand, now) {
  return { kind: 'interval', everyMs, anchor: new Date(now + Math.floor(rand() * everyMs) - everyMs) };
}

/**
 * `count` schedule inputs. Options: `now` (anchors), `task`, `options` (e.g. a queue), `burst`
 * ({at: Date, task}) and `json` (dates as ISO strings, for a schedule file).
 */
export function mixedSchedules(count, { now = Date.now(), task = 'bench.noop', options, burst, json = false } = {}) {
  const rand = random(42);
  return Array.from({ length: count }, (_, i) => {
    const inBurst = burst && i % 4 === 0;
    const schedule = inBurst ? { kind: 'interval', everyMs: BURST_EVERY_MS, anchor: burst.at } : specFor(i, rand, now);
    if (json && schedule.anchor) schedule.anchor = schedule.anchor.toISOString();
    return {
      name: `bench-${i}`,
      task: inBurst ? burst.task : task,
      schedule,
      missedRuns: 'skip',
      ...(options ? { options } : {}),
    };
  });
}

/**
 * The second of the burst, at least `inMs` from now: one whose seconds are 7 past a quarter
 * minute, so the mix's crons (which fire on :00, :15, :30, :45 and on whole minutes) do not fall
 * on it too and the burst is the 25% alone, comparable from run to run.
 */
export function burstSecond(inMs) {
  let second = Math.ceil((Date.now() + inMs) / 1000);
  while (second % 15 !== 7) second += 1;
  return new Date(second * 1000);
}
