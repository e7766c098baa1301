/**
 * A private RabbitMQ vhost for one test file. The quorum tests need one: the delay lanes
 * `celery_delayed_*` on the default vhost are shared by every test on this broker and are
 * classic, and redeclaring them as quorum there would be a 406 for everyone else.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';

const run = promisify(execFile);
const RABBITMQCTL = process.env.CELERIAC_TEST_RABBITMQCTL ?? '/usr/sbin/rabbitmqctl';

export interface QueueInfo {
  name: string;
  type: string;
  /** Argument name → value, as the broker stores them. */
  arguments: Record<string, unknown>;
}

export class PrivateVhost {
  readonly name = `celeriac-test-${randomUUID().slice(0, 8)}`;

  /** The broker URL of this vhost (guest, on the local node). */
  get url(): string {
    return `amqp://guest:guest@127.0.0.1:5672/${this.name}`;
  }

  async create(): Promise<void> {
    await rabbitmqctl('add_vhost', this.name);
    await rabbitmqctl('set_permissions', '-p', this.name, 'guest', '.*', '.*', '.*');
  }

  async delete(): Promise<void> {
    await rabbitmqctl('delete_vhost', this.name).catch(() => undefined);
    for (const user of this.#users.splice(0)) await rabbitmqctl('delete_user', user).catch(() => undefined);
  }

  readonly #users: string[] = [];

  /** A user of this vhost only, with these permission patterns; deleted with the vhost. Returns its URL. */
  async user(
    role: string,
    permissions: { configure: string; write: string; read: string },
    password: string = randomUUID(),
  ): Promise<string> {
    const name = `${this.name}-${role}`;
    await rabbitmqctl('add_user', name, password);
    this.#users.push(name);
    await rabbitmqctl(
      'set_permissions',
      '-p',
      this.name,
      name,
      permissions.configure,
      permissions.write,
      permissions.read,
    );
    return `amqp://${name}:${encodeURIComponent(password)}@127.0.0.1:5672/${this.name}`;
  }

  /** Every queue of the vhost with its type and arguments, read from the broker itself. */
  async queues(): Promise<Map<string, QueueInfo>> {
    const out = await rabbitmqctl('list_queues', '-p', this.name, 'name', 'type', 'arguments', '--formatter', 'json');
    const rows = JSON.parse(out) as Array<{ name: string; type: string; arguments: [string, string, unknown][] }>;
    return new Map(
      rows.map((row) => [
        row.name,
        {
          name: row.name,
          type: row.type,
          arguments: Object.fromEntries(row.arguments.map(([key, , value]) => [key, value])),
        },
      ]),
    );
  }
}

async function rabbitmqctl(...args: string[]): Promise<string> {
  const { stdout } = await run(RABBITMQCTL, ['-q', ...args], { timeout: 30_000 });
  return stdout;
}
