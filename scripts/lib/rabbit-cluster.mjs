#!/usr/bin/env node
/**
 * A three-node RabbitMQ cluster on this machine, for the cluster fault cases (issue 13, item 4).
 * Each node has its own name (celeriac-c1@localhost…), AMQP port (5781…), dist port, data and log
 * directories in one temp dir; they share the rabbitmq user's Erlang cookie, are joined with
 * `rabbitmqctl join_cluster`, and are stopped and their data removed by destroy(). Started as the
 * rabbitmq user when we are root (the server refuses root), as test/faults/support/private-broker.
 * Configured as production clusters are: `pause_minority`, so a node cut off from the others stops
 * serving instead of splitting the brain, and a 10 s net tick so a cut is noticed in seconds.
 *
 * Partitions (isolate/heal) are iptables rules on the loopback: every node connects to its peers
 * from an address of its own (127.0.0.11, .12, …), so the rules can cut one node's Erlang
 * distribution traffic both ways while its AMQP port, and the other nodes' links, stay open.
 *
 * Plain Node, no npm imports: `node scripts/lib/rabbit-cluster.mjs` starts a cluster, prints its
 * status and timings, and removes it again.
 */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect as tcpConnect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SBIN = ['/usr/sbin', '/usr/lib/rabbitmq/bin', '/usr/local/sbin'];
const RABBITMQ_HOME = '/var/lib/rabbitmq';
const START_TIMEOUT_MS = 120_000;

export class ClusterError extends Error {}

/** One node: its name, ports and where its files live. */
class ClusterNode {
  constructor(prefix, index, port, dir, account) {
    this.name = `${prefix}${index}@localhost`;
    this.port = port;
    // RabbitMQ's own rule (AMQP port + 20000): below the ephemeral range (32768-60999), so no
    // client's local port is ever a node's dist port, which a partition's port rules would cut too.
    this.distPort = port + 20_000;
    this.url = `amqp://guest:guest@127.0.0.1:${port}//`;
    this.dir = dir;
    this.account = account;
    /** The source address of this node's outgoing distribution links, for the partition rules. */
    this.distAddress = `127.0.0.${10 + index}`;
  }

  environment() {
    return {
      PATH: [...SBIN, process.env.PATH ?? '/usr/bin:/bin'].join(':'),
      // The rabbitmq user's home holds the Erlang cookie every node and rabbitmqctl must share.
      HOME: this.account ? RABBITMQ_HOME : (process.env.HOME ?? RABBITMQ_HOME),
      RABBITMQ_NODENAME: this.name,
      RABBITMQ_NODE_PORT: String(this.port),
      RABBITMQ_DIST_PORT: String(this.distPort),
      RABBITMQ_CONFIG_FILE: join(this.dir, 'rabbitmq.conf'),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(this.dir, 'enabled_plugins'),
      RABBITMQ_MNESIA_BASE: join(this.dir, 'mnesia'),
      RABBITMQ_LOG_BASE: join(this.dir, 'log'),
      RABBITMQ_PID_FILE: join(this.dir, 'pid'),
      RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: `-kernel inet_dist_connect_options [{ip,{${this.distAddress.replaceAll('.', ',')}}}]`,
    };
  }

  async writeConfig() {
    await mkdir(this.dir, { recursive: true });
    await writeFile(
      join(this.dir, 'rabbitmq.conf'),
      [
        `listeners.tcp.local = 127.0.0.1:${this.port}`,
        'loopback_users = none',
        'cluster_partition_handling = pause_minority',
        'net_ticktime = 10',
        '',
      ].join('\n'),
    );
    await writeFile(join(this.dir, 'enabled_plugins'), '[].\n');
    for (const path of [this.dir, join(this.dir, 'rabbitmq.conf'), join(this.dir, 'enabled_plugins')])
      await this.own(path);
  }

  async own(path) {
    if (this.account) await chown(path, this.account.uid, this.account.gid);
  }

  /** Runs a RabbitMQ command as the rabbitmq user when we are root; the error names command and node. */
  async exec(command, args, timeout = 60_000) {
    const env = this.environment();
    const envArgs = Object.entries(env).map(([key, value]) => `${key}=${value}`);
    const [file, argv] = this.account
      ? ['runuser', ['-u', 'rabbitmq', '--', 'env', ...envArgs, command, ...args]]
      : [command, args];
    try {
      const { stdout } = await run(file, argv, { env, timeout, cwd: this.dir });
      return stdout;
    } catch (error) {
      const detail = error.stderr?.trim() || error.stdout?.trim() || error.message;
      throw new ClusterError(`${command} ${args.join(' ')} failed on ${this.name}: ${detail}`);
    }
  }

  ctl(args, timeout) {
    return this.exec('rabbitmqctl', ['-n', this.name, ...args], timeout);
  }

  async boot() {
    await this.exec('rabbitmq-server', ['-detached'], START_TIMEOUT_MS);
    await waitForPort(this.port, START_TIMEOUT_MS);
    await this.ctl(['await_startup'], START_TIMEOUT_MS);
  }

  /** The beam process, from the pid file the server writes. */
  async pid() {
    return Number((await readFile(join(this.dir, 'pid'), 'utf8')).trim());
  }

  /** SIGKILLs the node's Erlang VM: no goodbye to the peers or the clients, as a crashed host. */
  async kill() {
    process.kill(await this.pid(), 'SIGKILL');
  }

  async stop() {
    await this.ctl(['stop', join(this.dir, 'pid')], START_TIMEOUT_MS);
  }

  /**
   * Cuts this node off from its peers (a network partition): drops its distribution traffic
   * both ways, by its outgoing address and its dist port. Clients still reach its AMQP port.
   */
  async isolate() {
    for (const rule of this.#partitionRules()) await iptables(['-I', 'OUTPUT', ...rule]);
  }

  /** Ends the partition isolate() made. */
  async heal() {
    for (const rule of this.#partitionRules()) await iptables(['-D', 'OUTPUT', ...rule]).catch(() => undefined);
  }

  #partitionRules() {
    const drop = ['-j', 'DROP', '-m', 'comment', '--comment', `celeriac-partition ${this.name}`];
    return [
      ['-s', this.distAddress, ...drop],
      ['-d', this.distAddress, ...drop],
      ['-p', 'tcp', '--dport', String(this.distPort), ...drop],
      ['-p', 'tcp', '--sport', String(this.distPort), ...drop],
    ];
  }
}

/** Whether partitions can be made here: root, with iptables answering. */
export async function canPartition() {
  if (userInfo().uid !== 0) return false;
  return iptables(['-S', 'OUTPUT']).then(
    () => true,
    () => false,
  );
}

async function iptables(args) {
  const file = ['/usr/sbin/iptables', '/sbin/iptables'].find((path) => existsSync(path)) ?? 'iptables';
  try {
    await run(file, ['-w', ...args], { timeout: 30_000 });
  } catch (error) {
    throw new ClusterError(`iptables ${args.join(' ')} failed: ${error.stderr?.trim() || error.message}`);
  }
}

/** The rabbitmq account when we are root (CI), else null: the server then runs as ourselves. */
async function rabbitmqAccount() {
  if (userInfo().uid !== 0) return null;
  try {
    const uid = Number((await run('id', ['-u', 'rabbitmq'])).stdout.trim());
    const gid = Number((await run('id', ['-g', 'rabbitmq'])).stdout.trim());
    return { uid, gid };
  } catch {
    throw new ClusterError('running as root but there is no rabbitmq user: apt-get install -y rabbitmq-server');
  }
}

export class RabbitCluster {
  constructor(dir, nodes) {
    this.dir = dir;
    this.nodes = nodes;
    /** Milliseconds each phase of start() took, for the report. */
    this.timings = {};
  }

  /** The AMQP URLs of the nodes, in node order, as Celeriac's brokerUrl list takes them. */
  get urls() {
    return this.nodes.map((node) => node.url);
  }

  /** Starts `size` nodes, joins them to the first, and resolves once all run in one cluster. */
  static async start({ size = 3, basePort = 5781, prefix = 'celeriac-c' } = {}) {
    const account = await rabbitmqAccount();
    const dir = await mkdtemp(join(tmpdir(), 'celeriac-cluster-'));
    if (account) await chown(dir, account.uid, account.gid);
    const nodes = Array.from(
      { length: size },
      (_, i) => new ClusterNode(prefix, i + 1, basePort + i, join(dir, `n${i + 1}`), account),
    );
    const cluster = new RabbitCluster(dir, nodes);
    try {
      await cluster.#timed('boot', () => cluster.#boot());
      await cluster.#timed('join', () => cluster.#join());
      await cluster.#timed('converge', () => cluster.waitForRunning(size));
    } catch (error) {
      await cluster.destroy();
      throw error;
    }
    return cluster;
  }

  async #timed(phase, work) {
    const started = Date.now();
    await work();
    this.timings[phase] = Date.now() - started;
  }

  async #boot() {
    // A node of the same name left by an interrupted run would hold the ports and the name.
    await Promise.all(this.nodes.map((node) => node.ctl(['stop'], 30_000).catch(() => undefined)));
    for (const node of this.nodes) await node.writeConfig();
    await Promise.all(this.nodes.map((node) => node.boot()));
  }

  async #join() {
    const [first, ...others] = this.nodes;
    for (const node of others) {
      await node.ctl(['stop_app']);
      await node.ctl(['join_cluster', first.name]);
      await node.ctl(['start_app'], START_TIMEOUT_MS);
    }
  }

  /** The running nodes as `from` sees them (cluster_status as JSON). */
  async runningNodes(from = this.nodes[0]) {
    const status = JSON.parse(await from.ctl(['cluster_status', '--formatter', 'json']));
    return status.running_nodes ?? [];
  }

  async waitForRunning(count, from = this.nodes[0], timeoutMs = 60_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const running = await this.runningNodes(from).catch(() => []);
      if (running.length === count) return running;
      if (Date.now() > deadline)
        throw new ClusterError(`cluster_status on ${from.name} shows ${running.length} running nodes, not ${count}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }

  /** Stops every node (SIGKILL where stop does not answer) and removes all their data. */
  async destroy() {
    await Promise.all(this.nodes.map((node) => node.heal()));
    await Promise.all(this.nodes.map((node) => node.stop().catch(() => node.kill().catch(() => undefined))));
    // A node that failed half-way through its start may answer neither: its command line names
    // its directory, so nothing of this cluster outlives it to hold the ports of the next run.
    spawnSync('pkill', ['-9', '-f', this.dir]);
    await rm(this.dir, { recursive: true, force: true });
  }
}

function answers(port) {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: '127.0.0.1', port });
    const finish = (ok) => (socket.destroy(), resolve(ok));
    socket.setTimeout(1000, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}

async function waitForPort(port, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (!(await answers(port))) {
    if (Date.now() > deadline) throw new ClusterError(`nothing answers on 127.0.0.1:${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function main() {
  const started = Date.now();
  const cluster = await RabbitCluster.start();
  try {
    console.log(`cluster of ${cluster.nodes.length} in ${cluster.dir}`);
    for (const node of cluster.nodes) console.log(`  ${node.name}  amqp ${node.port}  dist ${node.distPort}`);
    console.log(`running nodes: ${(await cluster.runningNodes()).join(', ')}`);
    console.log(`timings (ms): ${JSON.stringify({ ...cluster.timings, total: Date.now() - started })}`);
  } finally {
    const stopping = Date.now();
    await cluster.destroy();
    console.log(`stopped and removed in ${Date.now() - stopping} ms`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(`rabbit-cluster: ${error.message}`);
    process.exitCode = 1;
  });
}
