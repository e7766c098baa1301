/**
 * How a benchmark script answers: one JSON line on stdout with --json (what run.mjs reads), or
 * readable lines for a person otherwise. Progress goes to stderr either way.
 */
export function emit(json, result, lines) {
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else for (const line of lines) console.log(line);
}

export function progress(text) {
  process.stderr.write(`${text}\n`);
}

export function ms(value, digits = 1) {
  return Number.isFinite(value) ? `${value.toFixed(digits)} ms` : '—';
}

export function rate(value) {
  return Number.isFinite(value) ? `${Math.round(value).toLocaleString('en')}/s` : '—';
}
