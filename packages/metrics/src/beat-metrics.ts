import { Counter, Histogram, type Registry } from 'prom-client';
import { gauge } from './worker-metrics.js';

export interface BeatGauges {
  leading: boolean;
  /** Schedules in the loop (enabled, with a future slot). */
  scheduled: number;
}

export interface BeatMetricsOptions {
  registry: Registry;
  gauges: () => BeatGauges;
}

/** Lateness buckets in seconds: a healthy beat fires within milliseconds; minutes mean it was down. */
const LATENESS_BUCKETS = [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15, 60, 300];

/** A beat's Prometheus metrics: fires by schedule and their lateness, leadership, schedules loaded. */
export class BeatMetrics {
  readonly #fires: Counter<'schedule'>;
  readonly #lateness: Histogram;
  readonly #errors: Counter<'schedule'>;
  readonly #leadership: Counter<'change'>;

  constructor(options: BeatMetricsOptions) {
    const registers = [options.registry];
    this.#fires = new Counter({
      name: 'celeriac_beat_fires_total',
      help: 'Slots fired (published and confirmed) by this beat, by schedule',
      labelNames: ['schedule'],
      registers,
    });
    this.#lateness = new Histogram({
      name: 'celeriac_beat_fire_lateness_seconds',
      help: 'How long after its slot time a fire was confirmed by the broker',
      buckets: LATENESS_BUCKETS,
      registers,
    });
    this.#errors = new Counter({
      name: 'celeriac_beat_schedule_errors_total',
      help: 'Schedules that could not be planned or sent, by schedule',
      labelNames: ['schedule'],
      registers,
    });
    this.#leadership = new Counter({
      name: 'celeriac_beat_leadership_changes_total',
      help: 'Times this beat became (acquired) or stopped being (lost) the leader',
      labelNames: ['change'],
      registers,
    });
    const read = options.gauges;
    gauge(registers, 'celeriac_beat_leader', '1 while this beat leads (fires), 0 on standby', () =>
      read().leading ? 1 : 0,
    );
    gauge(
      registers,
      'celeriac_beat_schedules_loaded',
      'Schedules in the loop of the leading beat',
      () => read().scheduled,
    );
  }

  fired(info: { name: string; lateMs: number }): void {
    this.#fires.inc({ schedule: info.name });
    this.#lateness.observe(Math.max(0, info.lateMs) / 1000);
  }

  scheduleError(info: { name: string }): void {
    this.#errors.inc({ schedule: info.name });
  }

  leadership(change: 'acquired' | 'lost'): void {
    this.#leadership.inc({ change });
  }
}
