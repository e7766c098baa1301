/**
 * A lock file beside the store file (`<file>.lock`, created with O_EXCL), so two processes on one
 * host never interleave read-modify-write cycles — two beats sharing the file could otherwise both
 * record the same slot. A lock whose process is gone (even after SIGKILL) is taken over; a lock
 * from another host (a shared volume) is taken over once it is older than STALE_MS.
 * Known limit: two processes that both find the same stale lock may both break it in the same
 * instant; that needs a crash and a race within milliseconds of each other.
 */
import { hostname } from 'node:os';
import { mkdir, open, readFile, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConfigurationError } from '../errors.js';

const RETRY_MS = 5;
const STALE_MS = 30_000;

export async function withFileLock<T>(lockPath: string, timeoutMs: number, work: () => Promise<T>): Promise<T> {
  await acquire(lockPath, Date.now() + timeoutMs);
  try {
    return await work();
  } finally {
    await unlink(lockPath).catch(() => undefined);
  }
}

async function acquire(lockPath: string, deadline: number): Promise<void> {
  await mkdir(dirname(lockPath), { recursive: true });
  for (;;) {
    if (await tryCreate(lockPath)) return;
    if (await isStale(lockPath)) {
      await unlink(lockPath).catch(() => undefined);
      continue;
    }
    if (Date.now() > deadline) {
      throw new ConfigurationError(
        `schedule store lock '${lockPath}' is held by another process (${await holder(lockPath)}); remove it if that process is gone`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }
}

async function tryCreate(lockPath: string): Promise<boolean> {
  try {
    const handle = await open(lockPath, 'wx');
    await handle.writeFile(JSON.stringify({ pid: process.pid, host: hostname() }));
    await handle.close();
    return true;
  } catch (error) {
    if (isCode(error, 'EEXIST')) return false;
    throw error;
  }
}

async function isStale(lockPath: string): Promise<boolean> {
  try {
    const owner = JSON.parse(await readFile(lockPath, 'utf8')) as { pid?: unknown; host?: unknown };
    if (owner.host === hostname() && typeof owner.pid === 'number') return !isAlive(owner.pid);
    return Date.now() - (await stat(lockPath)).mtimeMs > STALE_MS;
  } catch (error) {
    if (isCode(error, 'ENOENT')) return false; // released meanwhile: just retry
    // Unreadable or half-written (its writer may have just created it): stale only when old.
    return (
      Date.now() -
        (await stat(lockPath).then(
          (s) => s.mtimeMs,
          () => Date.now(),
        )) >
      STALE_MS
    );
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return isCode(error, 'EPERM'); // exists but belongs to another user
  }
}

async function holder(lockPath: string): Promise<string> {
  return readFile(lockPath, 'utf8').catch(() => 'unknown');
}

export function isCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
