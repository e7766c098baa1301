/**
 * The tuned worker settings of the drain benchmarks (see BENCHMARKS.md for how they were chosen):
 * one place for every suite that runs drain.mjs as the main table does.
 */
export const DRAIN_CONCURRENCY = 200;
export const DRAIN_PREFETCH_MULTIPLIER = 4;
