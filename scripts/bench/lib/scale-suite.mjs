/**
 * Beat at 100,000 schedules (issue 17, item 2): `celeriac beat` started from the CLI with a
 * `--schedule` file merged into a fresh store (beat-cli.mjs), and beat's loop alone with a
 * counting sender, no broker (beat-burst.mjs), each with the default file store, the memory
 * store (loop only) and a MongoDB-wire store (FerretDB). One run each: every measurement takes
 * from half a minute to minutes. Section 'scale' of BENCHMARKS.md.
 */
import { atMost, figure, under, values } from './rows.mjs';

const MINUTE = 60_000;
const count = (n) => n.toLocaleString('en');
/** A figure of a run that failed is missing (NaN), shown as a dash. */
const shown = (value) => (Number.isFinite(value) ? value : '—');
/**
 * Seconds from start to the burst with FerretDB: loading 100,000 took 49-56 s on this 2-core
 * machine (the merge's inserts and list() are the server's cost), and 60 s was once too few.
 */
const MONGODB_BURST_IN_S = '90';

export function beatScale({ quick }) {
  const schedules = quick ? 10_000 : 100_000;
  const n = ['--count', String(schedules)];
  const cli = (store) => ({
    script: 'beat-cli.mjs',
    args: ['--store', store, ...n, '--burst-in', store === 'mongodb' ? MONGODB_BURST_IN_S : '20'],
  });
  const loop = (store) => ({
    script: 'beat-burst.mjs',
    nodeArgs: ['--expose-gc'],
    args: ['--store', store, ...n, '--burst-in', store === 'mongodb' ? MONGODB_BURST_IN_S : '20'],
  });
  const targets = schedules === 100_000;
  return {
    id: 'beat-scale',
    title: 'Beat at scale',
    section: 'scale',
    runs: 1,
    timeoutMs: 6 * MINUTE,
    contestants: {
      'cli-file': cli('file'),
      'cli-mongodb': cli('mongodb'),
      'loop-memory': loop('memory'),
      'loop-file': loop('file'),
      'loop-mongodb': loop('mongodb'),
    },
    rows: (r) => [
      ...cliRows(r, 'file', 'file store', schedules, targets),
      ...cliRows(r, 'mongodb', 'MongoDB-wire store (FerretDB)', schedules, targets),
      ...loopRows(r, 'memory', 'memory store', schedules, targets),
      ...loopRows(r, 'file', 'file store', schedules, targets),
      ...loopRows(r, 'mongodb', 'MongoDB-wire store (FerretDB)', schedules, targets),
    ],
    notes: (r) => [
      `\`celeriac beat --schedule <file of ${count(schedules)}> --store …\` in a fresh store, as a user starts it, logging at its default level (info, a line per fire), on the local broker; a quarter of the schedules are hourly intervals due on one second (20 s after the start, at :07, :22, :37 or :52 so the mix's crons do not fire on it too), the rest the mix of beat-capacity.mjs. Then the beat is stopped and started again on the same store and file, as a deploy restarts it (restart rows: the store holds the file's merge, so it is not merged again). Start → first fire and the burst's hand-off are taken by a probe loaded into the beat (\`node --import scripts/bench/lib/beat-probe.mjs\`) that wraps amqplib's ConfirmChannel.publish; RSS from /proc. Every slot of the burst was handed exactly once (a run that is not fails).`,
      `Beat's loop alone (BeatLoop, as the leader runs it) over the store after the same merge (ScheduleEditor.mergeAll), with a sender that only counts: beat's own cost, no broker. RSS after loading: a forced GC, then 0.2 s for V8 to hand its pages back; while the mix runs: the highest of a reading every 50 ms from the loop's start until 0.2 s before the burst, garbage and all. Merge of ${count(schedules)}: ${ms(r, 'loop-memory', 'mergeMs')} (memory), ${ms(r, 'loop-file', 'mergeMs')} (file), ${ms(r, 'loop-mongodb', 'mergeMs')} (FerretDB); loop start (load + heap): ${ms(r, 'loop-memory', 'loopStartMs')}, ${ms(r, 'loop-file', 'loopStartMs')}, ${ms(r, 'loop-mongodb', 'loopStartMs')}. Burst fires recorded within a minute: ${shown(values(r['loop-mongodb'], 'burst.recorded')[0])} of ${shown(values(r['loop-mongodb'], 'burst.size')[0])} with FerretDB.`,
    ],
  };
}

function ms(r, name, path) {
  const [value] = values(r[name], path);
  return Number.isFinite(value) ? `${(value / 1000).toFixed(1)} s` : '—';
}

function cliRows(r, store, what, schedules, targets) {
  const v = (path) => values(r[`cli-${store}`], path);
  const label = `celeriac beat --schedule ${count(schedules)}, ${what}`;
  return [
    figure(`${label}: start → leading (ms)`, v('leadingMs'), 'ms'),
    figure(`${label}: start → first fire (ms)`, v('firstFireMs'), 'ms', targets ? atMost(1000, 'ms') : null),
    figure(`${label}: RSS when leading (MB)`, v('rssMb'), 'MB', targets ? under(200, 'MB') : null),
    figure(`${label}: peak RSS (MB)`, v('peakRssMb'), 'MB'),
    figure(`${label}: restart → leading (ms)`, v('restart.leadingMs'), 'ms'),
    figure(`${label}: restart → first fire (ms)`, v('restart.firstFireMs'), 'ms', targets ? atMost(1000, 'ms') : null),
    figure(`${label}: restart, RSS when leading (MB)`, v('restart.rssMb'), 'MB', targets ? under(200, 'MB') : null),
    figure(
      `${label}: burst of ${count(schedules / 4)}, last handed to amqplib after its slot (ms)`,
      v('burst.lastLateMs'),
      'ms',
    ),
  ];
}

function loopRows(r, store, what, schedules, targets) {
  const v = (path) => values(r[`loop-${store}`], path);
  const label = `Beat loop, ${count(schedules)}, ${what}, no broker`;
  return [
    figure(`${label}: RSS after loading (MB)`, v('rssMb'), 'MB', targets ? under(200, 'MB') : null),
    figure(
      `${label}: RSS while the mix runs, highest (MB)`,
      v('steady.rssMaxMb'),
      'MB',
      targets ? under(200, 'MB') : null,
    ),
    figure(
      `${label}: burst of ${count(schedules / 4)}, last handed (ms)`,
      v('burst.lastHandedMs'),
      'ms',
      targets ? atMost(500, 'ms') : null,
    ),
    figure(`${label}: burst of ${count(schedules / 4)}, last recorded (ms)`, v('burst.lastRecordedMs'), 'ms'),
    figure(`${label}: CPU per fire in the burst (µs)`, v('cpuPerBurstFireUs'), 'us'),
  ];
}
