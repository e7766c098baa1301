/**
 * The table's vocabulary: a row is one figure over the runs (median and range), optionally next
 * to a baseline with the per-run ratio, and optionally held against a target.
 */
import { median, pairRatios, summary } from './stats.mjs';

/** The figure at `path` (a.b.c) in each run's result; NaN for a run that failed. */
export function values(results, path) {
  return results.map((result) => path.split('.').reduce((value, key) => value?.[key], result) ?? NaN).map(Number);
}

/** A figure of Celeriac's alone. */
export function figure(label, runs, unit, target = null) {
  return {
    label,
    value: { ...summary(runs), unit },
    baseline: null,
    ratio: null,
    target: target?.(median(runs)) ?? null,
  };
}

/**
 * Celeriac next to a baseline of the same runs. A relative target (atLeast) is held against the
 * median of the per-run ratios, an absolute one (atMost, under) against Celeriac's median.
 */
export function versus(label, ours, theirs, unit, baselineName, target = null) {
  const ratios = pairRatios(ours, theirs);
  return {
    label,
    value: { ...summary(ours), unit },
    baseline: { name: baselineName, ...summary(theirs), unit },
    ratio: { ...summary(ratios), unit: 'x' },
    target: target?.(median(target.relative ? ratios : ours)) ?? null,
  };
}

/** A row that could not be measured, with the reason. */
export function missing(label, reason, target = null) {
  return {
    label,
    value: null,
    baseline: null,
    ratio: null,
    reason,
    target: target ? { text: target, met: null } : null,
  };
}

export const atLeast = (limit) =>
  Object.assign((measured) => ({ text: `≥ ${limit}×`, met: Number.isFinite(measured) ? measured >= limit : null }), {
    relative: true,
  });
/** Celeriac's figure at most `limit` times the baseline's (a time: lower is better). */
export const ratioAtMost = (limit) =>
  Object.assign((measured) => ({ text: `≤ ${limit}×`, met: Number.isFinite(measured) ? measured <= limit : null }), {
    relative: true,
  });
export const atMost = (limit, unit) => (measured) => ({
  text: `≤ ${limit} ${unit}`,
  met: Number.isFinite(measured) ? measured <= limit : null,
});
export const under = (limit, unit) => (measured) => ({
  text: `< ${limit} ${unit}`,
  met: Number.isFinite(measured) ? measured < limit : null,
});
