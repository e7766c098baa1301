/**
 * How a child pool reaches one child, whichever kind it is: a worker thread ('threads') or a
 * forked Node process ('processes', like Celery's prefork children). Both run child-entry.ts
 * and exchange the same structured-clone messages (child-protocol.ts).
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Worker as Thread } from 'node:worker_threads';
import type { FromChild, ToChild } from './child-protocol.js';

export type ChildKind = 'threads' | 'processes';

const ENTRY = new URL('./child-entry.js', import.meta.url);
/** A hard stop of a process that does not exit at once on SIGTERM (retiring an idle child). */
const RETIRE_GRACE_MS = 5000;

export interface ChildEvents {
  message(message: FromChild): void;
  /** A thread's uncaught error, or a process that could not be spawned or reached. */
  error(error: Error): void;
  /** The child is gone; `code` is its exit code (a signal's name for a killed process). */
  exit(code: number | string): void;
}

export interface ChildHandle {
  /** The process id of a child process; null for a thread (it shares the worker's). */
  readonly pid: number | null;
  /** Sends a message; throws when the child cannot take it (its channel is closed). */
  post(message: ToChild): void;
  /** Stops the child now, whatever it is doing; resolves once it is gone. */
  kill(): Promise<void>;
  /** Asks an idle child to end (a process gets SIGTERM, then SIGKILL); resolves once it is gone. */
  retire(): Promise<void>;
}

export function spawnChild(kind: ChildKind, appUrl: string, events: ChildEvents): ChildHandle {
  return kind === 'threads' ? threadChild(appUrl, events) : processChild(appUrl, events);
}

function threadChild(appUrl: string, events: ChildEvents): ChildHandle {
  const thread = new Thread(ENTRY, { workerData: { appUrl } });
  thread.on('message', (message: FromChild) => events.message(message));
  thread.on('error', (error) => events.error(error));
  thread.on('exit', (code) => events.exit(code));
  const stop = async () => void (await thread.terminate());
  return { pid: null, post: (message) => thread.postMessage(message), kill: stop, retire: stop };
}

function processChild(appUrl: string, events: ChildEvents): ChildHandle {
  const child = fork(fileURLToPath(ENTRY), [appUrl], {
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // A debugger flag of the worker would make every child fight for its port.
    execArgv: process.execArgv.filter((flag) => !/^--inspect/.test(flag)),
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      events.exit(code ?? signal ?? 'unknown');
      resolve();
    });
  });
  child.on('message', (message) => events.message(message as FromChild));
  child.on('error', (error) => events.error(error));
  const signal = async (name: NodeJS.Signals, graceMs: number | null) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(name);
    if (graceMs === null) return exited;
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  return {
    pid: child.pid ?? null,
    post: (message) => {
      if (!child.connected) throw new Error('the child process has no IPC channel any more');
      child.send(message, (error) => error && events.error(error));
    },
    kill: () => signal('SIGKILL', null),
    retire: () => signal('SIGTERM', RETIRE_GRACE_MS),
  };
}
