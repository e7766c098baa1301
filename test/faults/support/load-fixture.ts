/**
 * What the broker-side cases share: a queue, a temporary ledger directory, a Client on the
 * private node whose connection events are logged, two ledger workers, and the clean-up after.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@celeriac/client';
import { uniqueName } from '../../support/broker.js';
import type { SpawnedCli } from '../../support/spawned-cli.js';
import { EventLog } from './event-log.js';
import { deleteFaultQueues } from './fault-queues.js';
import { faultBroker } from './global-broker.js';
import { startLedgerWorker } from './worker-fleet.js';

export class LoadFixture {
  readonly queue: string;
  readonly events = new EventLog();
  workers: SpawnedCli[] = [];
  #dir: string | null = null;
  #client: Client | null = null;

  /** `name` tells this case's queue, directory and client connection apart. */
  constructor(private readonly name: string) {
    this.queue = uniqueName(`faults.${name}`);
  }

  async open(): Promise<void> {
    this.#dir = await mkdtemp(join(tmpdir(), `celeriac-faults-${this.name}-`));
    this.#client = new Client({
      brokerUrl: faultBroker().url,
      resultBackend: null,
      connectionName: `faults-${this.name}`,
      logger: this.events,
    });
  }

  get client(): Client {
    if (!this.#client) throw new Error('LoadFixture.open() has not run');
    return this.#client;
  }

  get ledger(): string {
    if (!this.#dir) throw new Error('LoadFixture.open() has not run');
    return join(this.#dir, 'ledger');
  }

  /** Two `celeriac worker` processes on the queue, writing to the ledger. */
  async startWorkers(): Promise<SpawnedCli[]> {
    this.workers = await Promise.all([
      startLedgerWorker(this.queue, this.ledger),
      startLedgerWorker(this.queue, this.ledger),
    ]);
    return this.workers;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.stop()));
    await this.#client?.close();
    await deleteFaultQueues(this.queue);
    if (this.#dir) await rm(this.#dir, { recursive: true, force: true });
  }
}
