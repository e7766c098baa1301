import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ScheduleInput } from '@celeriac/core';
import { UsageError } from '../errors.js';

/**
 * `celeriac beat --schedule FILE`: a `.json` file holding an array of schedules, or a JS module
 * whose default export (or export `schedules`) is that array. A module can compute its list
 * (one schedule per site, a date from the environment); JSON suits a list kept by hand.
 * Each schedule is validated by Beat itself before it connects.
 */
export interface ScheduleFile {
  /**
   * Names the content: a hash of a JSON file's bytes, or of the list a module exported (null if
   * that list is not JSON). A store that merged this digest last lets beat skip the merge.
   */
  digest: string | null;
  /** The list, parsed when asked: a restart whose digest the store holds never parses it. */
  read(): Promise<ScheduleInput[]>;
}

export async function openScheduleFile(file: string, cwd: string): Promise<ScheduleFile> {
  const path = resolve(cwd, file);
  if (!path.endsWith('.json')) return moduleFile(file, await importList(file, path));
  const readBytes = () =>
    readFile(path).catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(`cannot read --schedule ${file}: ${error.code ?? error.message}`);
    });
  let bytes: Buffer | null = await readBytes();
  const digest = sha256(bytes);
  // The bytes are let go once parsed (17 MB for 100,000 schedules); a second read (a merge
  // retried after a store error) reads the file again, which must not have changed.
  const readAgain = async () => {
    const again = await readBytes();
    if (sha256(again) !== digest) throw new UsageError(`--schedule ${file} changed while beat was starting`);
    return again;
  };
  const read = async () => {
    const content = bytes ?? (await readAgain());
    bytes = null;
    return list(file, parseJson(file, content.toString('utf8')));
  };
  return { digest, read };
}

function moduleFile(file: string, value: unknown): ScheduleFile {
  const schedules = list(file, value);
  let text: string | undefined;
  try {
    text = JSON.stringify(schedules);
  } catch {
    text = undefined; // a bigint or a cycle: compiling will say what is wrong with it
  }
  return { digest: text === undefined ? null : sha256(text), read: async () => schedules };
}

function sha256(content: string | Buffer): string {
  return `sha256:${createHash('sha256').update(content).digest('hex')}`;
}

function list(file: string, value: unknown): ScheduleInput[] {
  if (Array.isArray(value)) return value as ScheduleInput[];
  throw new UsageError(
    `--schedule ${file} must hold an array of schedules, got ${value === null ? 'null' : typeof value}`,
  );
}

function parseJson(file: string, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`--schedule ${file} is not valid JSON (${(error as Error).message})`);
  }
}

async function importList(file: string, path: string): Promise<unknown> {
  let module: { default?: unknown; schedules?: unknown };
  try {
    module = (await import(pathToFileURL(path).href)) as { default?: unknown; schedules?: unknown };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && (error as Error).message.includes(path))
      throw new UsageError(`--schedule module ${file} not found (resolved to ${path})`);
    throw new UsageError(`--schedule module ${file} failed to load: ${(error as Error).message}`);
  }
  return module.default ?? module.schedules;
}
