/**
 * Where the queue-type benchmarks run: private vhosts on the broker of this machine (the one node
 * on 127.0.0.1:5672), or on a three-node cluster started for the suite (scripts/lib/rabbit-cluster.mjs).
 * Each queue type gets a vhost of its own: the delay lanes are shared by every client of a vhost
 * and exist as one type only (the default vhost's are classic), so classic and quorum cannot share
 * one. The vhosts, or the whole cluster, are removed afterwards.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { RabbitCluster } from '../../lib/rabbit-cluster.mjs';

const run = promisify(execFile);
const NODE_URL = 'amqp://guest:guest@127.0.0.1:5672//';
/** Away from the fault suite's cluster (5781-5783, celeriac-c*), which may run at the same time. */
const CLUSTER = { size: 3, basePort: 5691, prefix: 'celeriac-bench-c' };

/** The same broker URL with another vhost. */
export function withVhost(url, vhost) {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(vhost)}`;
  return parsed.toString();
}

/** The vhost of one queue type in this run of the suite. */
export const vhostName = (queueType) => `celeriac-bench-${queueType}-${process.pid}`;

async function addVhosts(ctl, names) {
  for (const name of names) {
    await ctl(['add_vhost', name]);
    await ctl(['set_permissions', '-p', name, 'guest', '.*', '.*', '.*']);
  }
}

/**
 * Starts the target and creates one vhost per queue type. Returns `env(queueType)`, the
 * CELERIAC_BROKER of a benchmark child (several URLs, ';'-separated, on the cluster), a
 * description for the notes, and `close()`.
 */
export async function openTarget(where, queueTypes) {
  const names = queueTypes.map(vhostName);
  if (where === 'node') {
    const ctl = async (args) => void (await run('rabbitmqctl', args, { timeout: 60_000 }));
    await addVhosts(ctl, names);
    return {
      env: (queueType) => ({ CELERIAC_BROKER: withVhost(NODE_URL, vhostName(queueType)) }),
      close: async () => {
        for (const name of names) await ctl(['delete_vhost', name]).catch(() => undefined);
      },
    };
  }
  if (where !== 'cluster') throw new Error(`unknown benchmark target '${where}'`);
  const cluster = await RabbitCluster.start(CLUSTER);
  try {
    await addVhosts((args) => cluster.nodes[0].ctl(args), names);
  } catch (error) {
    await cluster.destroy();
    throw error;
  }
  return {
    env: (queueType) => ({
      CELERIAC_BROKER: cluster.urls.map((url) => withVhost(url, vhostName(queueType))).join(';'),
    }),
    close: () => cluster.destroy(),
  };
}

/** CELERIAC_BROKER as the commands in BENCHMARKS.md show it (the pid in the vhost name left out). */
export function brokerText(where, queueType) {
  const vhost = `celeriac-bench-${queueType}`;
  if (where === 'node') return `CELERIAC_BROKER=${withVhost(NODE_URL, vhost)}`;
  const ports = Array.from({ length: CLUSTER.size }, (_, i) => CLUSTER.basePort + i);
  return `CELERIAC_BROKER='${ports.map((port) => withVhost(`amqp://guest:guest@127.0.0.1:${port}/`, vhost)).join(';')}'`;
}
