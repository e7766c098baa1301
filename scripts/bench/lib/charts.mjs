/**
 * The charts of a generated section: each suite may give chart specs (lib/svg-chart.mjs panels
 * of its own figures); with --write they are drawn with the machine, the versions and the load
 * beneath them, written to docs/bench/, and shown in the section by relative links.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { chartSvg } from './svg-chart.mjs';

export const CHART_DIR = 'docs/bench';

function footer(machine, loadAfter, started) {
  return [
    `${machine.cpu}, ${machine.memory}; ${machine.os}`,
    `Node ${machine.node}; ${machine.broker}; amqplib ${machine.amqplib}; Celeriac ${machine.celeriac}`,
    `${started.toISOString().slice(0, 16).replace('T', ' ')} UTC; load average (1, 5, 15 min) before ${machine.loadBefore}, after ${loadAfter} (a shared machine)`,
    'Drawn by npm run bench (scripts/bench) from the figures of its table in BENCHMARKS.md',
  ];
}

/** Writes every chart under `root`/docs/bench; returns the Markdown that shows them. */
export async function writeCharts(root, charts, { machine, loadAfter, started }) {
  if (!charts.length) return [];
  await mkdir(join(root, CHART_DIR), { recursive: true });
  const lines = [];
  for (const { file, alt, ...chart } of charts) {
    await writeFile(join(root, CHART_DIR, file), chartSvg({ ...chart, footer: footer(machine, loadAfter, started) }));
    lines.push(`![${alt}](${CHART_DIR}/${file})`, '');
  }
  return lines;
}
