import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { redactUrl } from '../broker-url.js';
import { ConfigurationError } from '../errors.js';
import { loadMongoModule } from '../load-backend.js';
import { isMongoUrl } from '../result-backend-url.js';
import { FileScheduleStore } from './file-store.js';
import { MemoryScheduleStore } from './memory-store.js';
import type { Logger } from '../logger.js';
import type { ScheduleStore } from './schedule-store.js';

/**
 * A store from a URL: 'memory:', 'file:<path>' (relative to the working directory) or
 * 'file:///absolute/path.json'. MongoDB ('mongodb://…',
 * 'mongodb+srv://…') is loaded from @celeriac/mongodb, which must then be installed; it logs
 * through `logger` (a server that refuses TTL indexes, say).
 */
export async function openScheduleStore(url: string, options: { logger?: Logger } = {}): Promise<ScheduleStore> {
  if (typeof url !== 'string')
    throw new ConfigurationError(`invalid schedule store ${JSON.stringify(url)}: expected 'memory:' or 'file:<path>'`);
  if (url === 'memory:' || url === 'memory://') return new MemoryScheduleStore();
  if (url.startsWith('file:')) return new FileScheduleStore(filePath(url));
  if (isMongoUrl(url)) return (await loadMongoModule()).openMongoScheduleStore(url, options);
  throw new ConfigurationError(
    `unsupported schedule store '${redactUrl(url)}': expected 'memory:', 'file:<path>' or 'mongodb://…'`,
  );
}

function filePath(url: string): string {
  const path = url.startsWith('file://') ? fileURLToPath(url) : url.slice('file:'.length);
  if (path === '')
    throw new ConfigurationError(
      "invalid schedule store 'file:': expected a path, e.g. 'file:./celeriac-schedule.json'",
    );
  return resolve(path);
}
