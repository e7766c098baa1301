import { Client, type ClientOptions } from '@celeriac/client';
import { Worker, type TaskRegistry, type WorkerOptions } from '@celeriac/worker';
import { BROKER_URL, deleteQueues, uniqueName } from './broker.js';

/** A queue of its own, and the clients and workers of one test, all released afterwards. */
export class TaskHarness {
  readonly queue: string;
  readonly #clients: Client[] = [];
  readonly #workers: Worker[] = [];
  readonly #queues: string[];
  #shared: Client | null = null;

  constructor(prefix: string) {
    this.queue = uniqueName(prefix);
    this.#queues = [this.queue];
  }

  client(options: ClientOptions = {}): Client {
    const client = new Client({ brokerUrl: BROKER_URL, defaultQueue: this.queue, ...options });
    this.#clients.push(client);
    return client;
  }

  /** One client on the harness queue, made on first use. */
  get sharedClient(): Client {
    this.#shared ??= this.client();
    return this.#shared;
  }

  async worker(tasks: TaskRegistry, options: Partial<WorkerOptions> = {}): Promise<Worker> {
    const worker = new Worker({
      brokerUrl: BROKER_URL,
      tasks,
      queues: [this.queue],
      nodeName: uniqueName('node'),
      // Mingle waits up to a second for other workers' replies at every start; the mingle tests ask for it.
      mingle: false,
      ...options,
    });
    this.#workers.push(worker);
    await worker.start();
    return worker;
  }

  /** Another queue deleted at release. */
  extraQueue(prefix: string): string {
    const name = uniqueName(prefix);
    this.#queues.push(name);
    return name;
  }

  async release(): Promise<void> {
    await Promise.all(this.#workers.splice(0).map((worker) => worker.stop({ timeoutMs: 2000 })));
    await Promise.all(this.#clients.splice(0).map((client) => client.close()));
    await deleteQueues(...this.#queues);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
