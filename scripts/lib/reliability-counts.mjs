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

function row(name, { counts, notes }) {
  return `| ${name} | ${COLUMNS.map((key) => counts[key]).join(' | ')} | ${notes.join('; ')} |`;
}

/** The rows already in the table, by case name: a run of some cases (--grep) keeps the others. */
function existingRows(section) {
  const rows = section.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| case |'));
  return new Map(rows.map((line) => [line.slice(2, line.indexOf(' | ')), line]));
}

function table(results, previous) {
  const rows = new Map(previous);
  for (const [name, result] of Object.entries(results)) rows.set(name, row(name, result));
  const sorted = [...rows.keys()].sort().map((name) => rows.get(name));
  return [
    `| case | ${COLUMNS.join(' | ')} | notes |`,
    `|---|${COLUMNS.map(() => '---:').join('|')}|---|`,
    ...sorted,
  ].join('\n');
}

export function updateReliabilityCounts() {
  if (!existsSync(LAST_RUN) || !existsSync(DOC)) return;
  const results = JSON.parse(readFileSync(LAST_RUN, 'utf8'));
  const doc = readFileSync(DOC, 'utf8');
  const [before, rest] = doc.split(START);
  const [section, after] = rest?.split(END) ?? [];
  if (before === undefined || section === undefined || after === undefined) return;
  const previous = existingRows(section);
  const kept = [...previous.keys()].filter((name) => !(name in results)).length;
  const time = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const stamp = `Last run: ${time} UTC, \`npm run test:faults\`${kept ? ` (${kept} rows from an earlier run)` : ''}.`;
  writeFileSync(DOC, `${before}${START}\n${stamp}\n\n${table(results, previous)}\n${END}${after}`);
  console.log(`\nRELIABILITY.md: counts of ${Object.keys(results).length} cases updated, ${kept} kept`);
}
