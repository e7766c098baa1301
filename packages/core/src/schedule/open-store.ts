import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { redactUrl } from '../broker-url.js';
import { ConfigurationError } from '../errors.js';
import { FileScheduleStore } from './file-store.js';
import { MemoryScheduleStore } from './memory-store.js';
import type { ScheduleStore } from './schedule-store.js';

/**
 * A store from a URL: 'memory:', 'file:<path>' (relative to the working directory) or
 * 'file:///absolute/path.json'. MongoDB ('mongodb://…') comes with @celeriac/mongodb.
 */
export async function openScheduleStore(url: string): Promise<ScheduleStore> {
  if (typeof url !== 'string') throw new ConfigurationError(`invalid schedule store ${JSON.stringify(url)}: expected 'memory:' or 'file:<path>'`);
  if (url === 'memory:' || url === 'memory://') return new MemoryScheduleStore();
  if (url.startsWith('file:')) return new FileScheduleStore(filePath(url));
  if (/^mongodb(\+srv)?:/i.test(url)) {
    throw new ConfigurationError("the MongoDB schedule store comes with @celeriac/mongodb (issue 5), which is not available yet; use 'file:<path>' (beats on one host) or 'memory:'");
  }
  throw new ConfigurationError(`unsupported schedule store '${redactUrl(url)}': expected 'memory:', 'file:<path>' or 'mongodb://…'`);
}

function filePath(url: string): string {
  const path = url.startsWith('file://') ? fileURLToPath(url) : url.slice('file:'.length);
  if (path === '') throw new ConfigurationError("invalid schedule store 'file:': expected a path, e.g. 'file:./celeriac-schedule.json'");
  return resolve(path);
}
