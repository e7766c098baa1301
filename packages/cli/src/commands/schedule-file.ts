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
export async function loadScheduleFile(file: string, cwd: string): Promise<ScheduleInput[]> {
  const path = resolve(cwd, file);
  const value = path.endsWith('.json') ? await readJson(file, path) : await importList(file, path);
  if (Array.isArray(value)) return value as ScheduleInput[];
  throw new UsageError(
    `--schedule ${file} must hold an array of schedules, got ${value === null ? 'null' : typeof value}`,
  );
}

async function readJson(file: string, path: string): Promise<unknown> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read --schedule ${file}: ${error.code ?? error.message}`);
  });
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
