/**
 * A RabbitMQ node of a test's own: own node name, data directory and ports, so that stopping
 * it, closing all its connections or raising a memory alarm on it disturbs no other user of the
 * machine's broker (the fault suite's node; the TLS-only node of the TLS tests). Started with Debian's `rabbitmq-server` as the rabbitmq user
 * (the server refuses root) and driven with `rabbitmqctl -n <node>`.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { connect as tcpConnect } from 'node:net';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SBIN = ['/usr/sbin', '/usr/lib/rabbitmq/bin', '/usr/local/sbin'];
const RABBITMQ_HOME = '/var/lib/rabbitmq';
const START_TIMEOUT_MS = 90_000;

/** The AMQP port of the private node: CELERIAC_FAULTS_PORT, else 5673 (next to the usual 5672). */
export const FAULTS_PORT = Number(process.env.CELERIAC_FAULTS_PORT ?? 5673);

export class PrivateBrokerError extends Error {
  readonly code = 'PRIVATE_BROKER';
  override readonly name = 'PrivateBrokerError';
}

/** What makes a node different from the plain one: its listener lines and files beside its config. */
export interface NodeSetup {
  /** Node name prefix. @default 'celeriac-faults' */
  name?: string;
  /** rabbitmq.conf lines for the listener(s). @default a plain AMQP listener on 127.0.0.1:port */
  listeners?: string[];
  /** The URL clients use. @default amqp://guest:guest@127.0.0.1:port// */
  url?: string;
  /** More rabbitmq.conf lines, e.g. `consumer_timeout = 5000`. @default none */
  config?: string[];
  /**
   * Settings of the `rabbit` application that rabbitmq.conf does not take, written to
   * advanced.config, e.g. `{ channel_tick_interval: 500 }` (how often a channel checks its
   * consumer timeout; a minute by default). @default none
   */
  rabbit?: Record<string, number>;
  /** Plugins to enable, e.g. `rabbitmq_management`. @default none */
  plugins?: string[];
}

interface Account {
  uid: number;
  gid: number;
}

export class PrivateBroker {
  readonly node: string;
  readonly url: string;

  private constructor(
    readonly port: number,
    readonly dir: string,
    private readonly account: Account | null,
    private readonly setup: NodeSetup,
  ) {
    this.node = `${setup.name ?? 'celeriac-faults'}-${port}@localhost`;
    this.url = setup.url ?? `amqp://guest:guest@127.0.0.1:${port}//`;
  }

  /** Creates the node's directory and configuration and starts it; resolves once it accepts AMQP. */
  static async start(port = FAULTS_PORT, setup: NodeSetup = {}): Promise<PrivateBroker> {
    const account = await rabbitmqAccount();
    const dir = await mkdtemp(join(tmpdir(), `${setup.name ?? 'celeriac-faults'}-${port}-`));
    const broker = new PrivateBroker(port, dir, account, setup);
    await broker.writeConfig();
    await broker.stopStale();
    await broker.boot();
    return broker;
  }

  /** Starts the node again after `stop()`, on the same data: durable queues and persistent messages survive. */
  async boot(): Promise<void> {
    await this.serverCommand(['-detached']);
    // The AMQP listener opens last; before that, rabbitmqctl may not even find the node.
    await waitForPort(this.port, START_TIMEOUT_MS);
    await this.ctl(['await_startup'], START_TIMEOUT_MS);
  }

  /** Stops the whole node (not just the app): every connection sees the socket go away. */
  async stop(): Promise<void> {
    await this.ctl(['stop', join(this.dir, 'pid')], START_TIMEOUT_MS);
  }

  closeAllConnections(reason: string): Promise<string> {
    return this.ctl(['close_all_connections', reason]);
  }

  /** 0 raises the memory alarm at once (publishers are blocked); 0.4 is RabbitMQ's default. */
  setMemoryWatermark(fraction: number): Promise<string> {
    return this.ctl(['set_vm_memory_high_watermark', String(fraction)]);
  }

  /** Stops the node and removes its data. */
  async destroy(): Promise<void> {
    await this.stop().catch(() => undefined);
    // A node still shutting down after `stop` returned was seen writing its mnesia directory
    // again after the first removal: look once more a moment later.
    for (let attempt = 0; attempt < 3 && existsSync(this.dir); attempt++) {
      await rm(this.dir, { recursive: true, force: true });
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }

  async ctl(args: string[], timeoutMs = 30_000): Promise<string> {
    const { stdout } = await this.exec('rabbitmqctl', ['-n', this.node, ...args], timeoutMs);
    return stdout;
  }

  /** A node of this name left running by an interrupted earlier run would hold the ports. */
  private async stopStale(): Promise<void> {
    await this.ctl(['stop'], 30_000).catch(() => undefined);
  }

  private serverCommand(args: string[]): Promise<unknown> {
    return this.exec('rabbitmq-server', args, START_TIMEOUT_MS);
  }

  private async writeConfig(): Promise<void> {
    const listeners = this.setup.listeners ?? [`listeners.tcp.local = 127.0.0.1:${this.port}`];
    const rabbit = Object.entries(this.setup.rabbit ?? {}).map(([key, value]) => `{${key}, ${value}}`);
    const files = {
      'rabbitmq.conf': [...listeners, 'loopback_users = none', ...(this.setup.config ?? []), ''].join('\n'),
      enabled_plugins: `[${(this.setup.plugins ?? []).join(', ')}].\n`,
      'advanced.config': `[{rabbit, [${rabbit.join(', ')}]}].\n`,
    };
    for (const [name, text] of Object.entries(files)) await this.own(await writeAndReturn(join(this.dir, name), text));
    await this.own(this.dir);
  }

  private async own(path: string): Promise<void> {
    if (this.account) await chown(path, this.account.uid, this.account.gid);
  }

  private environment(): NodeJS.ProcessEnv {
    return {
      PATH: [...SBIN, process.env.PATH ?? '/usr/bin:/bin'].join(':'),
      HOME: this.account ? RABBITMQ_HOME : (process.env.HOME ?? RABBITMQ_HOME),
      RABBITMQ_NODENAME: this.node,
      RABBITMQ_NODE_PORT: String(this.port),
      RABBITMQ_DIST_PORT: String(this.port + 20_000),
      RABBITMQ_CONFIG_FILE: join(this.dir, 'rabbitmq.conf'),
      RABBITMQ_ADVANCED_CONFIG_FILE: join(this.dir, 'advanced.config'),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(this.dir, 'enabled_plugins'),
      RABBITMQ_MNESIA_BASE: join(this.dir, 'mnesia'),
      RABBITMQ_LOG_BASE: join(this.dir, 'log'),
      RABBITMQ_PID_FILE: join(this.dir, 'pid'),
    };
  }

  /** Runs a RabbitMQ command as the rabbitmq user when we are root (the server refuses root). */
  private exec(command: string, args: string[], timeout: number) {
    const env = this.environment();
    const [file, argv] = this.account
      ? ['runuser', ['-u', 'rabbitmq', '--', 'env', ...envArgs(env), command, ...args]]
      : [command, args];
    return run(file, argv, { env, timeout, cwd: this.dir }).catch((error: Error & { stderr?: string }) => {
      throw new PrivateBrokerError(
        `${command} ${args.join(' ')} failed on ${this.node}: ${error.stderr?.trim() || error.message}`,
      );
    });
  }
}

function envArgs(env: NodeJS.ProcessEnv): string[] {
  return Object.entries(env).map(([key, value]) => `${key}=${value ?? ''}`);
}

async function writeAndReturn(path: string, text: string): Promise<string> {
  await writeFile(path, text);
  return path;
}

/** The rabbitmq account when running as root (CI), else null: run the server as ourselves. */
async function rabbitmqAccount(): Promise<Account | null> {
  if (userInfo().uid !== 0) return null;
  const { stdout } = await run('id', ['-u', 'rabbitmq']).catch(() => {
    throw new PrivateBrokerError(
      'running as root but there is no rabbitmq user: install rabbitmq-server (apt-get install -y rabbitmq-server)',
    );
  });
  const { stdout: gid } = await run('id', ['-g', 'rabbitmq']);
  return { uid: Number(stdout.trim()), gid: Number(gid.trim()) };
}

/** Whether rabbitmq-server is installed where Debian puts it. */
export function rabbitmqInstalled(): boolean {
  return SBIN.some((dir) => existsSync(join(dir, 'rabbitmq-server')));
}

async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await answers(port))) {
    if (Date.now() > deadline)
      throw new PrivateBrokerError(`nothing answers on 127.0.0.1:${port} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: '127.0.0.1', port });
    const finish = (ok: boolean) => (socket.destroy(), resolve(ok));
    socket.setTimeout(1000, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}
