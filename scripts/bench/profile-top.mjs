#!/usr/bin/env node
/**
 * Reads a V8 CPU profile (`node --cpu-prof`) and prints where the time went: the top functions
 * by self time, and self time summed per package (@celeriac/*, node_modules, node internals).
 *
 *   node scripts/bench/profile-top.mjs <file.cpuprofile> [--top 25] [--callers NAME]
 *
 * --callers NAME prints, for the functions called NAME, their self time by call path (the
 * innermost few callers), to see who pays for a hot internal such as writeBuffer.
 * --inclusive A,B,... prints the total time spent inside each named function (callees included).
 * --stalls MS keeps only the samples of busy stretches (no idle sample) longer than MS: what
 * blocks the event loop when a latency figure has a long tail.
 * --until MS keeps only the samples of the first MS of the profile (a start-up's own cost);
 * --from MS only those after MS (with --until: a window, such as one burst).
 *
 * The benchmarks write profiles with --profile DIR (drain.mjs, round-trip.mjs) or run under
 * `node --cpu-prof` (publish.mjs).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    top: { type: 'string', default: '25' },
    callers: { type: 'string' },
    inclusive: { type: 'string' },
    stalls: { type: 'string' },
    depth: { type: 'string', default: '6' },
    until: { type: 'string' },
    from: { type: 'string' },
  },
});

/** Self time (µs) per profile node, from the sample ticks (only those `keep` accepts, by index). */
function selfTimes(profile, keep = () => true) {
  const self = new Map();
  profile.samples.forEach((id, i) => keep(i) && self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  return self;
}

/** Indexes of the samples in busy stretches longer than `ms`, and how many such stretches. */
function stallSamples(profile, ms) {
  const idle = new Set(
    profile.nodes
      .filter((node) => ['(idle)', '(program)'].includes(node.callFrame.functionName))
      .map((node) => node.id),
  );
  const kept = new Set();
  let stretch = [];
  let stretchUs = 0;
  let count = 0;
  const close = () => {
    if (stretchUs > ms * 1000) ((count += 1), stretch.forEach((i) => kept.add(i)));
    stretch = [];
    stretchUs = 0;
  };
  profile.samples.forEach((id, i) => {
    if (idle.has(id)) return close();
    stretch.push(i);
    stretchUs += profile.timeDeltas[i] ?? 0;
  });
  close();
  return { keep: (i) => kept.has(i), count };
}

/** Indexes of the samples taken between `fromMs` and `untilMs` after the profile's start. */
function windowSamples(profile, fromMs, untilMs) {
  const kept = new Set();
  let elapsed = 0;
  profile.timeDeltas.forEach((delta, i) => {
    elapsed += delta;
    if (elapsed >= fromMs * 1000 && elapsed <= untilMs * 1000) kept.add(i);
  });
  return (i) => kept.has(i);
}

/** Where a frame's code lives, shortened: packages/worker/dist/pipeline.js, node_modules/amqplib/lib/… */
function where(url) {
  if (!url) return '';
  const path = url.replace(/^file:\/\//, '');
  const inRepo = path.match(/(?:packages|node_modules|scripts)\/.*$/);
  return inRepo ? inRepo[0] : path;
}

function owner(url) {
  const path = where(url);
  const match = path.match(/^packages\/([^/]+)/) ?? path.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/);
  if (match) return path.startsWith('packages/') ? `@celeriac/${match[1]}` : match[1];
  if (path.startsWith('node:') || path === '') return 'node internals / GC / idle';
  return path;
}

function aggregate(profile, keep) {
  const self = selfTimes(profile, keep);
  const byFunction = new Map();
  const byOwner = new Map();
  let total = 0;
  for (const node of profile.nodes) {
    const us = self.get(node.id) ?? 0;
    total += us;
    const { functionName, url, lineNumber } = node.callFrame;
    const key = `${functionName || '(anonymous)'}  ${where(url)}${url ? `:${lineNumber + 1}` : ''}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    byOwner.set(owner(url), (byOwner.get(owner(url)) ?? 0) + us);
  }
  return { total, byFunction, byOwner };
}

function print(title, map, total, top) {
  console.log(`\n${title}`);
  const rows = [...map].sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [key, us] of rows)
    console.log(`${((us / total) * 100).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${key}`);
}

/** Self time of the functions called `name`, per path of their innermost callers. */
function callers(profile, name, depth) {
  const self = selfTimes(profile);
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node);
  const frame = (node) =>
    `${node.callFrame.functionName || '(anonymous)'} ${where(node.callFrame.url)}:${node.callFrame.lineNumber + 1}`;
  const paths = new Map();
  for (const node of profile.nodes) {
    if (node.callFrame.functionName !== name) continue;
    const path = [];
    for (let up = parent.get(node.id); up && path.length < depth; up = parent.get(up.id)) path.push(frame(up));
    const key = path.join('\n          <- ');
    paths.set(key, (paths.get(key) ?? 0) + (self.get(node.id) ?? 0));
  }
  return paths;
}

/** Time inside functions called `name`, callees included (a recursive call is counted once). */
function inclusive(profile, name) {
  const self = selfTimes(profile);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const total = (node, inside) => {
    const entering = !inside && node.callFrame.functionName === name;
    const own = inside || entering ? (self.get(node.id) ?? 0) : 0;
    return own + (node.children ?? []).reduce((sum, id) => sum + total(byId.get(id), inside || entering), 0);
  };
  return total(profile.nodes[0], false);
}

for (const file of positionals) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const stalls = values.stalls ? stallSamples(profile, Number(values.stalls)) : null;
  const windowed = values.until !== undefined || values.from !== undefined;
  const window = windowed
    ? windowSamples(profile, Number(values.from ?? 0), Number(values.until ?? Infinity))
    : undefined;
  const keep = stalls && window ? (i) => stalls.keep(i) && window(i) : (stalls?.keep ?? window);
  const { total, byFunction, byOwner } = aggregate(profile, keep);
  console.log(
    `${file}: ${(total / 1000).toFixed(0)} ms sampled${stalls ? ` in ${stalls.count} busy stretches over ${values.stalls} ms` : ''}`,
  );
  if (values.inclusive) {
    print(
      'inclusive time',
      new Map(values.inclusive.split(',').map((name) => [name, inclusive(profile, name)])),
      total,
      100,
    );
    continue;
  }
  if (values.callers) {
    print(
      `${values.callers}, by caller`,
      callers(profile, values.callers, Number(values.depth)),
      total,
      Number(values.top),
    );
    continue;
  }
  print('self time by package', byOwner, total, 12);
  print('self time by function', byFunction, total, Number(values.top));
}
