/**
 * One three-node cluster per cluster fault file (started in `before`, removed in `after`), and
 * what its cases share: URLs in a chosen order, in-process quorum workers and clients on every
 * node (stopped after each case), and the drain at the end of a case.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '@celeriac/client';
import type { LogLevel, LogMeta } from '@celeriac/core';
import type { Worker } from '@celeriac/worker';
import { eventually } from '../../support/broker.js';
import { type RunLog, clusterWorker, queueRow } from './cluster-runs.js';
import { EventLog } from './event-log.js';
import { startCluster, type ClusterNode, type RabbitCluster } from './rabbit-cluster.js';

const DRAIN_TIMEOUT_MS = 120_000;

/** An EventLog that keeps the client's warnings and errors too, for a failure message. */
export class ClientLog extends EventLog {
  readonly problems: string[] = [];

  override log(level: LogLevel, message: string, meta?: LogMeta): void {
    if (level === 'warn' || level === 'error') this.problems.push(`${level}: ${message} ${JSON.stringify(meta ?? {})}`);
    super.log(level, message, meta);
  }
}

export function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}

export class ClusterFixture {
  #cluster: RabbitCluster | null = null;
  /** The nodes still in use; a case that kills one drops it. */
  nodes: ClusterNode[] = [];
  readonly workers: Worker[] = [];
  readonly clients: Client[] = [];

  async start(): Promise<void> {
    const started = Date.now();
    this.#cluster = await startCluster();
    this.nodes = [...this.#cluster.nodes];
    console.log(`    cluster up in ${Date.now() - started} ms ${JSON.stringify(this.#cluster.timings)}`);
  }

  get cluster(): RabbitCluster {
    if (!this.#cluster) throw new Error('ClusterFixture.start() has not run');
    return this.#cluster;
  }

  node(index: number): ClusterNode {
    const found = this.nodes[index];
    if (!found) throw new Error(`no node ${index + 1}`);
    return found;
  }

  /** URLs starting at node `first`, then the others in node order. */
  urlsFrom(first: number): string[] {
    return this.nodes.map((_, i) => this.node((first + i) % this.nodes.length).url);
  }

  /** One in-process worker per entry of `firsts`, each trying the nodes from that one. */
  async startWorkers(queue: string, log: RunLog, firsts: readonly number[]): Promise<void> {
    for (const [i, first] of firsts.entries()) {
      const worker = clusterWorker(`cluster-w${i + 1}`, this.urlsFrom(first), queue, log);
      this.workers.push(worker);
      await worker.start();
    }
  }

  /** A quorum client trying the nodes from `first` (node 1 by default). */
  newClient(name: string, events: ClientLog, first = 0): Client {
    const client = new Client({
      brokerUrl: this.urlsFrom(first),
      resultBackend: null,
      queueType: 'quorum',
      connectionName: `faults-${name}`,
      logger: events,
    });
    this.clients.push(client);
    return client;
  }

  /** Every confirmed id finished, and nothing left in the queue as a live node counts it. */
  async drain(log: RunLog, confirmed: Iterable<string>, queue: string, from: ClusterNode): Promise<void> {
    const ids = [...confirmed];
    await eventually(() => (log.missing(ids).length === 0 ? true : undefined), DRAIN_TIMEOUT_MS).catch(async () => {
      const row = await queueRow(from, queue).catch(String);
      throw new Error(
        `${log.missing(ids).length} of ${ids.length} confirmed tasks never finished; queue ${JSON.stringify(row)}`,
      );
    });
    await eventually(async () => ((await queueRow(from, queue)).messages === 0 ? true : undefined), 30_000);
    // A duplicate redelivered at the very end would still be on its way.
    await sleep(1000);
  }

  /** After each case: its workers and clients go. */
  async stopCase(): Promise<void> {
    await Promise.all(this.workers.splice(0).map((worker) => worker.stop({ timeoutMs: 5000 }).catch(() => undefined)));
    await Promise.all(this.clients.splice(0).map((client) => client.close().catch(() => undefined)));
  }

  async destroy(): Promise<void> {
    await this.stopCase();
    if (!this.#cluster) return;
    // Its data goes anyway: SIGKILL first, so no node outlives the file whatever state a case left.
    await Promise.all(this.#cluster.nodes.map((node) => node.kill().catch(() => undefined)));
    await sleep(500);
    await this.#cluster.destroy();
  }
}
