/**
 * The main table's Publish rows (issue 17, item 3): one Client beside raw amqplib doing the same
 * work (each message built inside the clock, persistent, confirmed), as a burst, as a steady
 * stream, and with 1 KB, 100 KB and 1 MB bodies.
 */
import { atLeast, values, versus } from './rows.mjs';
import { PUBLISH_BODIES } from './growth-suite.mjs';

const MINUTE = 60_000;
const count = (n) => n.toLocaleString('en');

/** The steady stream: this many sends always in flight, for this long (both contestants alike). */
const STEADY_WINDOW = 100;

export function publish({ quick, runs }) {
  const tasks = quick ? 5000 : 20_000;
  const seconds = quick ? 2 : 5;
  const bodies = PUBLISH_BODIES.filter(({ bytes }) => bytes >= 1000).map((body) => ({
    ...body,
    tasks: quick ? Math.ceil(body.tasks / 5) : body.tasks,
  }));
  const spec = (impl, args) => ({ script: 'publish.mjs', args: ['--impl', impl, ...args] });
  const contestants = {};
  const variants = {
    '': ['--count', String(tasks)],
    '-steady': ['--window', String(STEADY_WINDOW), '--seconds', String(seconds)],
    ...Object.fromEntries(
      bodies.map(({ bytes, tasks: n }) => [`-${bytes}`, ['--count', String(n), '--body-size', String(bytes)]]),
    ),
  };
  for (const [suffix, args] of Object.entries(variants))
    for (const impl of ['celeriac', 'raw']) contestants[`${impl}${suffix}`] = spec(impl, args);
  const pair = (r, suffix, path, label, unit, target = null) =>
    versus(label, values(r[`celeriac${suffix}`], path), values(r[`raw${suffix}`], path), unit, 'raw amqplib', target);
  return {
    id: 'publish',
    title: 'Publish',
    runs,
    timeoutMs: 3 * MINUTE,
    contestants,
    rows: (r) => [
      pair(
        r,
        '',
        'perSecond',
        `Publish ${count(tasks)} tasks at once, persistent, confirmed (tasks/s)`,
        'rate',
        atLeast(0.9),
      ),
      pair(r, '', 'cpuPerTaskUs', `Publish: the publishing process's CPU per task (µs)`, 'us'),
      pair(
        r,
        '-steady',
        'perSecond',
        `Publish a steady stream, ${STEADY_WINDOW} in flight for ${seconds} s, persistent, confirmed (tasks/s)`,
        'rate',
        atLeast(0.9),
      ),
      pair(r, '-steady', 'cpuPerTaskUs', `Publish, steady stream: the publishing process's CPU per task (µs)`, 'us'),
      ...bodies.map(({ bytes, label, tasks: n }) =>
        pair(
          r,
          `-${bytes}`,
          'perSecond',
          `Publish ${count(n)} tasks of ${label} at once, persistent, confirmed (tasks/s)`,
          'rate',
          atLeast(0.9),
        ),
      ),
    ],
    notes: () => [
      `${count(tasks)} no-op tasks sent at once and awaited together, after 500 to warm up. Celeriac: one Client (no result backend), \`sendTask\` per task, building each message included. Raw: amqplib \`sendToQueue\` on a confirm channel, a callback per message, pausing on 'drain' when it returns false; it too builds each message inside the clock, as a user of raw amqplib must (a task id, one \`JSON.stringify\` of the same args, the same protocol-2 headers, argsrepr the JSON of the args capped at 1,024 characters: scripts/bench/lib/messages.mjs \`handWrittenMessage\`). Until 2026-12-02 raw sent Celeriac's bytes encoded before the clock started (still there as \`publish.mjs --impl raw --pre-encoded\`): the broker's ceiling, not the same work.`,
      `Steady stream: ${STEADY_WINDOW} sends always in flight for ${seconds} s (\`--window ${STEADY_WINDOW} --seconds ${seconds}\`), each lane sending its next task when the broker confirms its last; the figure is the confirmed sends per second. Body sizes: \`--body-size\`, one string argument of 'x' making the message body that many bytes, sent at once after a warm-up of about 2 MB. The ≥ 0.9× targets are issue 17's item 3.`,
    ],
  };
}
