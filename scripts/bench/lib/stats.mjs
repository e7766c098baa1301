/**
 * The few statistics the benchmarks report: percentiles of one run's samples, and the median
 * with its spread over several runs.
 */

/** Nearest-rank percentile of an ascending array (NaN when empty). */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function ascending(values) {
  return [...values].sort((a, b) => a - b);
}

/** Median (the mean of the two middle values for an even count). */
export function median(values) {
  const sorted = ascending(values.filter(Number.isFinite));
  if (sorted.length === 0) return NaN;
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Median and range of one figure over runs: what every cell of the table shows. */
export function summary(values) {
  const finite = ascending(values.filter(Number.isFinite));
  return { median: median(finite), min: finite[0] ?? NaN, max: finite.at(-1) ?? NaN, runs: finite.length };
}

/** p50, p90, p99 and max of one run's samples, e.g. latencies. */
export function distribution(samples) {
  const sorted = ascending(samples);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? NaN,
  };
}

/** Per run pair, a / b: ratios are only taken between figures of the same run. */
export function pairRatios(a, b) {
  return a.map((value, i) => value / b[i]).filter(Number.isFinite);
}
