import { readFile } from 'node:fs/promises';

/** The store file as written: its header line, and each schedule's line as [next, name, entry]. */
export async function readStoreLines(path: string): Promise<{ header: Record<string, unknown>; lines: unknown[][] }> {
  const [header = '', ...lines] = (await readFile(path, 'utf8')).trimEnd().split('\n');
  return {
    header: JSON.parse(header) as Record<string, unknown>,
    lines: lines.map((line) => JSON.parse(line) as unknown[]),
  };
}
