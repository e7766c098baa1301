/**
 * worker-online, worker-heartbeat every `freq` seconds, worker-offline: what makes a worker
 * appear in Flower and `celery events`, which call it offline after two silent periods. Sent
 * whatever the task events switch says, as Celery's heart sends them with or without `-E`.
 */
import { loadavg, type } from 'node:os';
import type { EventDispatcher } from '@celeriac/amqp';
import type { WorkerEventFields } from '@celeriac/protocol';

/** Celery's `worker_heartbeat` interval and the `freq` its events carry. */
export const HEARTBEAT_FREQ_S = 2;

/** What the heartbeat reports about the worker, read at each beat. */
export interface WorkerLoad {
  /** Tasks running now. */
  active(): number;
  /** Tasks started since the worker started. */
  processed(): number;
}

export class WorkerHeartbeat {
  #timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly dispatcher: EventDispatcher,
    private readonly load: WorkerLoad,
    private readonly version: string,
  ) {}

  start(): void {
    this.dispatcher.send('worker-online', this.#fields());
    this.#timer = setInterval(() => this.beat(), HEARTBEAT_FREQ_S * 1000).unref();
  }

  /** A heartbeat now; none before worker-online or after worker-offline (a `heartbeat` command can come then). */
  beat(): void {
    if (this.#timer === null) return;
    this.dispatcher.send('worker-heartbeat', this.#fields());
  }

  stop(): void {
    if (this.#timer === null) return;
    clearInterval(this.#timer);
    this.#timer = null;
    this.dispatcher.send('worker-offline', this.#fields());
  }

  #fields(): WorkerEventFields {
    const [one = 0, five = 0, fifteen = 0] = loadavg().map((value) => Math.round(value * 100) / 100);
    return {
      freq: HEARTBEAT_FREQ_S,
      active: this.load.active(),
      processed: this.load.processed(),
      loadavg: [one, five, fifteen],
      sw_ident: 'celeriac',
      sw_ver: this.version,
      // Python's platform.system(): 'Linux', 'Darwin', 'Windows'.
      sw_sys: type() === 'Windows_NT' ? 'Windows' : type(),
    };
  }
}
