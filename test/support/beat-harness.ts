/**
 * For the beat tests: a worker in this process that records every fire it receives, and the
 * maths to tell which slot a fire belongs to from its task id alone (slotTaskId is a UUIDv5 of
 * schedule name + slot, so the id is the proof of the slot).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '@celeriac/cli';
import { slotTaskId, type ScheduleInput } from '@celeriac/core';
import { TaskRegistry, Worker } from '@celeriac/worker';
import { BEAT_GROUP, BROKER_URL } from './broker.js';
import { ROOT, SpawnedCli } from './spawned-cli.js';

export interface Fire {
  taskId: string;
  task: string;
  receivedAt: number;
}

/** A worker consuming one queue, recording each task of the given names as it arrives. */
export class FireRecorder {
  readonly fires: Fire[] = [];
  readonly #worker: Worker;

  constructor(queue: string, taskNames: readonly string[]) {
    const tasks = new TaskRegistry();
    for (const task of taskNames)
      tasks.register<[]>(task, (ctx) => void this.fires.push({ taskId: ctx.id, task, receivedAt: Date.now() }));
    this.#worker = new Worker({
      brokerUrl: BROKER_URL,
      tasks,
      queues: [queue],
      resultBackend: null,
      concurrency: 50,
      mingle: false,
    });
  }

  start(): Promise<void> {
    return this.#worker.start();
  }

  stop(): Promise<void> {
    return this.#worker.stop({ timeoutMs: 2000 });
  }

  of(task: string): Fire[] {
    return this.fires.filter((fire) => fire.task === task);
  }
}

/**
 * The slot of each fire of interval schedule `name`, found by computing the ids of its slots
 * from `anchor` on. A fire whose id matches no slot maps to null: it was not a fire of a slot.
 */
export function slotsOf(
  name: string,
  anchor: number,
  everyMs: number,
  fires: readonly Fire[],
  until = Date.now() + 10_000,
): (number | null)[] {
  const bySlotId = new Map<string, number>();
  for (let slot = anchor; slot <= until; slot += everyMs) bySlotId.set(slotTaskId(name, new Date(slot)), slot);
  return fires.map((fire) => bySlotId.get(fire.taskId) ?? null);
}

/** The first whole multiple of `stepMs` at least `leadMs` from now: a future anchor on the grid. */
export function futureAnchor(stepMs: number, leadMs: number): number {
  return Math.ceil((Date.now() + leadMs) / stepMs) * stepMs;
}

/** A temporary directory holding a store file and a schedule file for spawned beats. */
export class BeatDir {
  private constructor(readonly path: string) {}

  static async create(): Promise<BeatDir> {
    return new BeatDir(await mkdtemp(join(tmpdir(), 'celeriac-beat-')));
  }

  get storeUrl(): string {
    return `file:${join(this.path, 'schedule-store.json')}`;
  }

  async writeSchedules(schedules: ScheduleInput[]): Promise<string> {
    const file = join(this.path, 'schedules.json');
    await writeFile(file, JSON.stringify(schedules));
    return file;
  }

  /** `celeriac beat` on this directory's store, resolved once it leads or stands by. */
  beat(scheduleFile?: string, expect: 'leading' | 'standby' = 'leading'): Promise<SpawnedCli> {
    return this.beatWith(['--store', this.storeUrl, ...(scheduleFile ? ['--schedule', scheduleFile] : [])], expect);
  }

  /** `celeriac beat <args>` in this directory, resolved once it leads or stands by. */
  async beatWith(args: string[], expect: 'leading' | 'standby' = 'leading'): Promise<SpawnedCli> {
    const beat = SpawnedCli.start(['beat', '--log-level', 'debug', ...args]);
    const message = expect === 'leading' ? 'beat leading' : 'standby: another beat holds the leader lock';
    // A beat that never got there must not outlive the test (it could hold the lock for good).
    await beat
      .waitForLog((line) => line.message === message)
      .catch(async (error: unknown) => {
        await beat.stop();
        throw error;
      });
    return beat;
  }

  remove(): Promise<void> {
    return rm(this.path, { recursive: true, force: true });
  }
}

/** SIGTERM, then the exit: beat must stop by itself, with 0. */
export async function stopGracefully(
  beat: SpawnedCli,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  beat.child.kill('SIGTERM');
  return beat.exited;
}

/** When a JSON log line was written (winston's timestamp), in ms. */
export function loggedAt(beat: SpawnedCli, message: string): number | undefined {
  const line = beat.logs().find((entry) => entry.message === message);
  return typeof line?.timestamp === 'string' ? Date.parse(line.timestamp) : undefined;
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs one `celeriac` command to its end, e.g. `schedule add …`, against the test broker. */
export async function runCli(args: string[], broker = BROKER_URL): Promise<CliRun> {
  const env = { ...process.env, CELERIAC_BROKER: broker, CELERIAC_BEAT_GROUP: BEAT_GROUP, CELERIAC_LOG_FORMAT: 'json' };
  const child = spawn(process.execPath, ['packages/cli/dist/bin/celeriac.js', ...args], { cwd: ROOT, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr };
}

/** Runs `celeriac <args>` in this process (no node start-up), for commands that need no beat. */
export async function runInProcess(args: string[], broker = BROKER_URL): Promise<CliRun> {
  const out = { stdout: '', stderr: '' };
  const stream = (key: keyof typeof out) =>
    new PassThrough().on('data', (chunk: Buffer) => (out[key] += chunk.toString()));
  const env = { CELERIAC_BROKER: broker, CELERIAC_BEAT_GROUP: BEAT_GROUP, CELERIAC_LOG_FORMAT: 'json' };
  const code = await main(['node', 'celeriac', ...args], {
    env,
    cwd: ROOT,
    stdout: stream('stdout'),
    stderr: stream('stderr'),
    stderrIsTTY: false,
  });
  await new Promise((resolve) => setImmediate(resolve));
  return { code, ...out };
}
