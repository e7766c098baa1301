/**
 * Runs mocha jobs side by side: the suite mostly waits on the broker, Python peers and timers (the
 * machine sat ~75% idle running it in one process), so a job per test file on a small pool takes
 * about half the time. Each job is its own mocha process with .mocharc.json's options, so its root
 * hooks, beat group and broker connections are its own; its output is printed whole when it ends,
 * so jobs never interleave. The slowest files of the last run go first (a record kept in
 * test/dist, which a fresh clone lacks: then the largest files go first).
 *
 * Plain Node, no imports outside node: it runs before `npm ci`.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const MOCHA = 'node_modules/mocha/bin/mocha.js';
/** Seconds each file took in the last run: the order of the next. */
const DURATIONS = 'test/dist/.job-durations.json';

/** Every `*.test.js` under `dir`, relative to `root`. */
export function testFiles(root, dir) {
  const full = join(root, dir);
  if (!existsSync(full)) return [];
  return readdirSync(full, { recursive: true })
    .filter((name) => String(name).endsWith('.test.js'))
    .map((name) => relative(root, join(full, String(name))))
    .sort();
}

/** mocha's options from .mocharc.json, without its spec: a job names its own files. */
export function mochaOptions(root) {
  const config = JSON.parse(readFileSync(join(root, '.mocharc.json'), 'utf8'));
  const options = ['--no-config', '--timeout', String(config.timeout ?? 2000)];
  if (config.exit) options.push('--exit');
  for (const module of config.require ?? []) options.push('--require', module);
  return options;
}

/** Seconds per job of the runs so far; nothing (not an error) when the record is missing or damaged. */
function lastDurations(root) {
  try {
    return JSON.parse(readFileSync(join(root, DURATIONS), 'utf8'));
  } catch {
    return {};
  }
}

/** Jobs in the order to start them: the longest first, by the last run, else by size (~1 s per 10 KB). */
export function longestFirst(root, jobs) {
  const last = lastDurations(root);
  const size = (job) => job.files.reduce((sum, file) => sum + statSync(join(root, file)).size, 0);
  const weight = (job) => last[job.key] ?? size(job) / 10_000;
  return [...jobs].sort((a, b) => weight(b) - weight(a));
}

/** Adds these results to the record: a file's latest whole run is what counts. */
export function recordDurations(root, results) {
  const record = { ...lastDurations(root), ...Object.fromEntries(results.map((r) => [r.key, r.seconds])) };
  try {
    writeFileSync(join(root, `${DURATIONS}.tmp`), JSON.stringify(record));
    renameSync(join(root, `${DURATIONS}.tmp`), join(root, DURATIONS));
  } catch (error) {
    console.warn(`  (the durations of this run were not kept: ${error.message})`);
  }
}

/** Runs `jobs` ({key, label, files, env, args}) `width` at a time; resolves to their results in job order. */
export async function runJobs(root, jobs, width) {
  const results = new Array(jobs.length);
  let next = 0;
  const lane = async () => {
    for (let index = next++; index < jobs.length; index = next++) results[index] = await runJob(root, jobs[index]);
  };
  await Promise.all(Array.from({ length: Math.min(width, jobs.length) }, lane));
  return results;
}

function runJob(root, job) {
  const started = Date.now();
  const child = spawn(process.execPath, [MOCHA, ...job.args, ...job.files], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...job.env },
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (text) => (output += text));
  child.stderr.setEncoding('utf8').on('data', (text) => (output += text));
  return new Promise((resolve) => {
    const end = (code, how) => {
      const seconds = Math.round((Date.now() - started) / 100) / 10;
      console.log(`\n▸ ${job.label} (${seconds} s, ${how})\n${output.trimEnd()}`);
      resolve({ key: job.key, label: job.label, code, seconds, ...counts(output) });
    };
    child.on('error', (error) => end(1, `could not run mocha: ${error.message}`));
    child.on('close', (code, signal) => end(code ?? 1, signal ? `killed by ${signal}` : `exit ${code}`));
  });
}

/** Mocha's totals and its "N failing" section (colour codes may come first: CI=true colours a pipe). */
function counts(output) {
  const plain = output.replace(/\x1b\[[\d;]*m/g, '');
  const count = (word) => Number(plain.match(new RegExp(`^\\s*(\\d+) ${word}\\b`, 'm'))?.[1] ?? 0);
  const start = plain.search(/^\s*\d+ failing\b/m);
  // No failing list (an import error, a crash, a signal): its last lines say what happened.
  const failures = start < 0 ? plain.trimEnd().split('\n').slice(-40).join('\n') : plain.slice(start).trimEnd();
  return { passing: count('passing'), pending: count('pending'), failing: count('failing'), failures };
}
