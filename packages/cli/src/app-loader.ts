import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TaskRegistry } from '@celeriac/worker';
import { UsageError } from './errors.js';

/**
 * Loads the `--app` module (a path relative to the working directory, e.g. `dist/tasks.js`)
 * and returns its TaskRegistry: the default export, or else a named export `tasks`.
 */
export async function loadTaskRegistry(app: string, cwd: string): Promise<TaskRegistry> {
  const path = resolve(cwd, app);
  await access(path).catch(() => {
    throw new UsageError(`--app module ${app} not found (resolved to ${path})`);
  });
  const module = await importModule(app, path);
  // Loaded here, not at the top: every other command (beat among them) starts without the worker package.
  const { isTaskRegistry } = await import('@celeriac/worker');
  const registry = [module.default, module.tasks].find(isTaskRegistry);
  if (registry) return registry;
  throw new UsageError(`--app module ${app} must export a TaskRegistry as its default export or as "tasks"`);
}

async function importModule(app: string, path: string): Promise<Record<string, unknown>> {
  try {
    return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`--app module ${app} failed to load: ${(error as Error).message}`);
  }
}
