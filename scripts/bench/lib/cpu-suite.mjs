/**
 * CPU-bound tasks across the pools (issue 19, item 5): 200 tasks of 200 ms of pure computation
 * sent at once to one `celeriac worker -c 2` per pool (inline, threads, processes), beside the
 * PyPI Celery's prefork pool, -c 2 (`.venv-celery`, made by `npm run setup`). Section 'cpu' of
 * BENCHMARKS.md: `npm run bench -- --only cpu --write` rewrites it alone. At most three runs:
 * each contestant takes 20 to 40 s on two free cores.
 */
import { existsSync } from 'node:fs';
import { celeryVersion, VENV_PYTHON } from '../../lib/python-peers.mjs';
import { missing, ratioAtMost, values, versus } from './rows.mjs';
import { median } from './stats.mjs';

const MINUTE = 60_000;

export function cpuBound({ quick, runs }) {
  const count = quick ? 40 : 200;
  const taskMs = quick ? 50 : 200;
  const spec = (impl) => ({
    script: 'cpu.mjs',
    args: ['--impl', impl, '--count', String(count), '--task-ms', String(taskMs), '--concurrency', '2'],
  });
  const celery = existsSync(VENV_PYTHON) ? celeryVersion(VENV_PYTHON) : null;
  const peer = `Celery ${celery} prefork -c 2`;
  const contestants = {
    inline: spec('inline'),
    threads: spec('threads'),
    processes: spec('processes'),
    ...(celery ? { celery: spec('celery') } : {}),
  };
  const wall = (results) => values(results, 'elapsedS');
  const cpu = (results) => values(results, 'cpuPerTaskMs');
  const what = `${count} tasks of ${taskMs} ms of computation, -c 2`;
  const row = (pool, results, r, target) =>
    celery
      ? versus(`${what}, ${pool}, vs ${peer}: wall time (s)`, wall(results), wall(r.celery), 's', peer, target)
      : missing(`${what}, ${pool}: wall time (s)`, 'no .venv-celery (npm run setup makes it)');
  return {
    id: 'cpu',
    title: 'CPU-bound tasks',
    section: 'cpu',
    runs: Math.min(runs, 3),
    timeoutMs: 5 * MINUTE,
    contestants,
    rows: (r) => [
      row("--pool threads (celeriac worker's default)", r.threads, r, ratioAtMost(1.1)),
      row('--pool processes', r.processes, r, ratioAtMost(1.1)),
      row('--pool inline', r.inline, r),
      ...(celery
        ? [
            versus(
              `${what}: the worker's CPU per task, threads pool vs Celery (ms)`,
              cpu(r.threads),
              cpu(r.celery),
              'ms',
              peer,
            ),
            versus(
              `${what}: the worker's CPU per task, processes pool vs Celery (ms)`,
              cpu(r.processes),
              cpu(r.celery),
              'ms',
              peer,
            ),
          ]
        : []),
    ],
    notes: (r) => [
      `\`celeriac worker --pool <pool> -c 2\` (prefetch ×2, rpc:// results) and ${celery ? `the PyPI Celery ${celery}'s \`celery worker -P prefork -c 2\` (prefetch ×4, its default, acks_late, rpc:// results)` : 'no Celery (no .venv-celery)'}, one at a time, each sent all ${count} tasks at once by one Client once it consumes, the clock stopped at the last result. The task is the same loop of integer arithmetic in both languages (scripts/bench/apps/bench-tasks.mjs, scripts/bench/python/bench_tasks.py), its iteration count calibrated in each runtime on this machine so that one task takes ${taskMs} ms of CPU (the best of five tries, in CPU time): ${Math.round(median(values(r.threads, 'iterations')))} iterations in Node, ${Math.round(median(values(r.celery ?? [], 'iterations')))} in Python (medians). Ideal on two free cores: ${((count * taskMs) / 2000).toFixed(0)} s. The inline pool computes on the worker's event loop, one task at a time whatever -c says, and holds its heartbeats meanwhile (the loop watchdog reports each task); threads and processes compute two at a time off the loop. Wall time over the ideal (medians): threads ${over(r.threads)}, processes ${over(r.processes)}, inline ${over(r.inline)}${celery ? `, Celery ${over(r.celery)}` : ''}. The machine's two cores are shared: other work on it shows as time above the ideal for every contestant alike.`,
    ],
  };
}

function over(results) {
  const value = median(values(results ?? [], 'overIdeal'));
  return Number.isFinite(value) ? `${value.toFixed(2)}×` : '—';
}
