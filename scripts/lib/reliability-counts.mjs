/**
 * Copies the counts of the fault suite's last run (test/faults/last-run.json) into the table
 * between the markers of RELIABILITY.md, so the document always shows a real run's figures.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './bootstrap.mjs';

export const LAST_RUN = join(ROOT, 'test/faults/last-run.json');
const DOC = join(ROOT, 'RELIABILITY.md');
const START = '<!-- counts:start -->';
const END = '<!-- counts:end -->';
const COLUMNS = ['sent', 'confirmed', 'unconfirmed', 'run', 'succeeded', 'duplicated', 'lost'];

function table(results) {
  const rows = Object.entries(results).map(
    ([name, { counts, notes }]) =>
      `| ${name} | ${COLUMNS.map((key) => counts[key]).join(' | ')} | ${notes.join('; ')} |`,
  );
  return [
    `| case | ${COLUMNS.join(' | ')} | notes |`,
    `|---|${COLUMNS.map(() => '---:').join('|')}|---|`,
    ...rows,
  ].join('\n');
}

export function updateReliabilityCounts() {
  if (!existsSync(LAST_RUN) || !existsSync(DOC)) return;
  const results = JSON.parse(readFileSync(LAST_RUN, 'utf8'));
  const doc = readFileSync(DOC, 'utf8');
  const [before, rest] = doc.split(START);
  const after = rest?.split(END)[1];
  if (before === undefined || after === undefined) return;
  const stamp = `Last run: ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, \`npm run test:faults\`.`;
  writeFileSync(DOC, `${before}${START}\n${stamp}\n\n${table(results)}\n${END}${after}`);
  console.log(`\nRELIABILITY.md: counts of ${Object.keys(results).length} cases updated`);
}
