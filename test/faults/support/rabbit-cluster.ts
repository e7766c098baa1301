/**
 * The typed face of scripts/lib/rabbit-cluster.mjs (plain Node, shared with scripts): a
 * three-node RabbitMQ cluster of the fault suite's own. Loaded by path at run time because the
 * compiled tests live in test/dist, where a relative import of the script would not resolve.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from '../../support/spawned-cli.js';

export interface ClusterNode {
  readonly name: string;
  readonly port: number;
  readonly url: string;
  /** SIGKILLs the node's Erlang VM, as a crashed host. */
  kill(): Promise<void>;
  /** Starts the node again on its own data (after a kill or a stop); resolves once it answers. */
  boot(): Promise<void>;
  ctl(args: string[], timeoutMs?: number): Promise<string>;
  /** Cuts the node's links to its peers (iptables on its distribution traffic); AMQP stays open. */
  isolate(): Promise<void>;
  /** Ends the partition isolate() made. */
  heal(): Promise<void>;
}

export interface RabbitCluster {
  readonly dir: string;
  readonly nodes: readonly ClusterNode[];
  readonly urls: readonly string[];
  /** Milliseconds of each phase of the start: boot, join, converge. */
  readonly timings: Record<string, number>;
  runningNodes(from?: ClusterNode): Promise<string[]>;
  waitForRunning(count: number, from?: ClusterNode, timeoutMs?: number): Promise<string[]>;
  destroy(): Promise<void>;
}

interface ClusterModule {
  RabbitCluster: { start(options?: { size?: number; basePort?: number }): Promise<RabbitCluster> };
  canPartition(): Promise<boolean>;
}

async function clusterModule(): Promise<ClusterModule> {
  const script = pathToFileURL(join(ROOT, 'scripts/lib/rabbit-cluster.mjs')).href;
  return (await import(script)) as ClusterModule;
}

export async function startCluster(): Promise<RabbitCluster> {
  return (await clusterModule()).RabbitCluster.start();
}

/** Whether this machine can cut a node off (root with iptables): the partition case needs it. */
export async function canPartition(): Promise<boolean> {
  return (await clusterModule()).canPartition();
}
