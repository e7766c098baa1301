/**
 * What the cluster cases share (issue 13, item 4): in-process workers given every node's URL, a
 * run log in place of the ledger file (each run with its worker, start time, the broker's
 * redelivered flag and the task's eta, so lateness and duplicates can be judged), and the
 * quorum-queue views of `rabbitmqctl` (leader, members, which are online, messages).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from 'amqplib';
import { TaskRegistry, Worker } from '@celeriac/worker';
import { work } from '../fixtures/ledger-tasks.js';
import type { LedgerRuns } from './ledger.js';
import type { ClusterNode } from './rabbit-cluster.js';

export interface Run {
  readonly id: string;
  readonly worker: string;
  readonly startedAt: number;
  readonly redelivered: boolean;
  /** The task's eta (ms) for a countdown, else null. */
  readonly eta: number | null;
  done: boolean;
}

/** Every run of `faults.work` in this process's workers. */
export class RunLog {
  readonly runs: Run[] = [];

  /** `faults.work(ms)` recording each run under `worker`'s name. */
  registry(worker: string): TaskRegistry {
    return new TaskRegistry().register(work, async (ms, ctx) => {
      const run: Run = {
        id: ctx.id,
        worker,
        startedAt: Date.now(),
        redelivered: ctx.delivery.redelivered,
        eta: ctx.eta ? ctx.eta.getTime() : null,
        done: false,
      };
      this.runs.push(run);
      if (ms > 0) await sleep(ms);
      run.done = true;
      return 0;
    });
  }

  /** The runs (of `only`'s ids, when given) in the shape ledger.ts tallies (a worker name stands in for a pid). */
  ledger(only?: ReadonlySet<string>): LedgerRuns {
    const started = new Map<string, number>();
    const done = new Map<string, number>();
    const pids = new Map<string, Set<string>>();
    for (const run of this.runs.filter((candidate) => !only || only.has(candidate.id))) {
      started.set(run.id, (started.get(run.id) ?? 0) + 1);
      if (run.done) done.set(run.id, (done.get(run.id) ?? 0) + 1);
      pids.set(run.id, (pids.get(run.id) ?? new Set()).add(run.worker));
    }
    return { started, done, pids };
  }

  doneIds(): Set<string> {
    return new Set(this.runs.filter((run) => run.done).map((run) => run.id));
  }

  /** Confirmed ids not finished yet. */
  missing(confirmed: Iterable<string>): string[] {
    const done = this.doneIds();
    return [...confirmed].filter((id) => !done.has(id));
  }

  /**
   * Each id run more than once, with why: a later run the broker marked redelivered (its first
   * delivery's ack died with a node or a channel), or a countdown task copied by the lanes'
   * at-least-once dead-lettering; anything else is unexplained.
   */
  duplicates(delayed: ReadonlySet<string>): { redelivered: string[]; deadLettered: string[]; unexplained: string[] } {
    const byId = new Map<string, Run[]>();
    for (const run of this.runs) byId.set(run.id, [...(byId.get(run.id) ?? []), run]);
    const result = { redelivered: [] as string[], deadLettered: [] as string[], unexplained: [] as string[] };
    for (const [id, runs] of byId) {
      if (runs.length < 2) continue;
      if (runs.slice(1).every((run) => run.redelivered)) result.redelivered.push(id);
      else if (delayed.has(id)) result.deadLettered.push(id);
      else result.unexplained.push(id);
    }
    return result;
  }
}

/** A quorum worker in this process on every node, trying them in `urls` order. */
export function clusterWorker(name: string, urls: readonly string[], queue: string, log: RunLog): Worker {
  return new Worker({
    brokerUrl: [...urls],
    tasks: log.registry(name),
    queues: [queue],
    queueType: 'quorum',
    resultBackend: null,
    concurrency: 4,
    prefetchMultiplier: 2,
    nodeName: `${name}@cluster`,
  });
}

/** Declares a quorum queue through `url`, so its leader is that node (client-local placement). */
export async function declareQuorumQueue(url: string, queue: string): Promise<void> {
  const connection = await connect(url);
  try {
    const channel = await connection.createChannel();
    await channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  } finally {
    await connection.close();
  }
}

export interface QueueRow {
  name: string;
  leader: string;
  members: string[];
  online: string[];
  messages: number;
  messages_ready: number;
  messages_unacknowledged: number;
  consumers: number;
}

export async function queueRows(from: ClusterNode): Promise<QueueRow[]> {
  const out = await from.ctl([
    'list_queues',
    'name',
    'leader',
    'members',
    'online',
    'messages',
    'messages_ready',
    'messages_unacknowledged',
    'consumers',
    '--formatter',
    'json',
  ]);
  return JSON.parse(out) as QueueRow[];
}

export async function queueRow(from: ClusterNode, queue: string): Promise<QueueRow> {
  const row = (await queueRows(from)).find((candidate) => candidate.name === queue);
  if (!row) throw new Error(`queue ${queue} not listed on ${from.name}`);
  return row;
}

/** Waits until every quorum queue `from` lists has `count` members online. */
export async function waitForQuorumMembers(from: ClusterNode, count: number, timeoutMs = 60_000): Promise<number> {
  const started = Date.now();
  for (;;) {
    const rows = await queueRows(from).catch(() => null);
    const quorum = rows?.filter((row) => Array.isArray(row.online)) ?? null;
    if (quorum && quorum.every((row) => row.online.length === count)) return Date.now() - started;
    if (Date.now() - started > timeoutMs)
      throw new Error(`quorum queues on ${from.name} without ${count} members online: ${JSON.stringify(quorum)}`);
    await sleep(500);
  }
}
