/**
 * The counts of each fault case's last run, kept in test/faults/last-run.json (not committed);
 * scripts/faults.mjs copies them into RELIABILITY.md after the suite.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../support/spawned-cli.js';
import type { Counts } from './ledger.js';

export const LAST_RUN_FILE = join(ROOT, 'test/faults/last-run.json');

export interface CaseResult {
  counts: Counts;
  /** What else the case measured, in words: faults injected, reconnects, waits. */
  notes: string[];
  finishedAt: string;
}

export function recordCase(name: string, counts: Counts, notes: string[] = []): void {
  const all = existsSync(LAST_RUN_FILE)
    ? (JSON.parse(readFileSync(LAST_RUN_FILE, 'utf8')) as Record<string, CaseResult>)
    : {};
  all[name] = { counts, notes, finishedAt: new Date().toISOString() };
  writeFileSync(LAST_RUN_FILE, `${JSON.stringify(all, null, 2)}\n`);
}
