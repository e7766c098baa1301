#!/usr/bin/env node
/**
 * Background load for the round-trip benchmark: a Client (no results) sending no-op tasks to a
 * queue at a steady rate, in ticks of 10 ms, until SIGTERM. Prints one JSON line on exit: how
 * many it sent and over how long, so the caller can check the rate was held.
 *
 *   node scripts/bench/apps/steady-load.mjs <queue> <tasks per second>
 *
 * Env: CELERIAC_BROKER.
 */
import { performance } from 'node:perf_hooks';
import { Client } from '@celeriac/client';

const [queue, perSecond] = process.argv.slice(2);
const TICK_MS = 10;
const client = new Client({
  brokerUrl: process.env.CELERIAC_BROKER,
  defaultQueue: queue,
  resultBackend: null,
  connectionName: 'celeriac-bench-load',
});
const started = performance.now();
let sent = 0;
let failed = 0;

/** Sends what the clock says is due, so a late tick catches up instead of lowering the rate. */
function tick() {
  const due = Math.floor(((performance.now() - started) * Number(perSecond)) / 1000);
  for (; sent < due; sent++) client.sendTask('celeriac.bench.noop', [], {}).catch(() => failed++);
}

const timer = setInterval(tick, TICK_MS);
process.once('SIGTERM', async () => {
  clearInterval(timer);
  const elapsedMs = performance.now() - started;
  await client.close();
  process.stdout.write(`${JSON.stringify({ sent, failed, elapsedMs })}\n`);
  process.exit(0);
});
