/**
 * One measurement = one benchmark script in a fresh process, asked for --json: run.mjs reads the
 * last line it prints. A script that fails or overruns is reported with the end of its stderr.
 */
import { once } from 'node:events';
import { start, stop } from './processes.mjs';

export class MeasurementError extends Error {
  code = 'MEASUREMENT_FAILED';
}

/** The command as a person would type it (for BENCHMARKS.md), with the broker when it is not the default. */
export function commandLine({ script, args = [], nodeArgs = [], envText }) {
  return [...(envText ? [envText] : []), 'node', ...nodeArgs, `scripts/bench/${script}`, ...args].join(' ');
}

/**
 * Runs one measurement; `env` adds to the child's environment (CELERIAC_BROKER of a suite's
 * target). With `spec.keepPartial`, a script stopped at the timeout gives its last JSON line.
 */
export async function measure(spec, timeoutMs, env = {}) {
  const { script, args = [], nodeArgs = [] } = spec;
  const child = start(process.execPath, [...nodeArgs, `scripts/bench/${script}`, ...args, '--json'], {
    stdout: 'pipe',
    env,
  });
  let stdout = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  let overran = false;
  const timer = setTimeout(() => ((overran = true), void stop(child)), timeoutMs);
  const [code, signal] = await once(child, 'close');
  clearTimeout(timer);
  const line = stdout.trim().split('\n').at(-1) ?? '';
  if (code === 0 && line.startsWith('{')) return JSON.parse(line);
  // A script that prints what it has measured so far (`partial: true`) keeps it when it overruns.
  if (overran && spec.keepPartial && line.startsWith('{')) return { ...JSON.parse(line), overran: true };
  const why = overran ? `was stopped after ${timeoutMs / 1000} s` : `ended with ${signal ?? `exit code ${code}`}`;
  throw new MeasurementError(
    `${commandLine(spec)} ${why}:\n${child.stderrText.trim().split('\n').slice(-15).join('\n')}`,
  );
}
