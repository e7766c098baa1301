import { isAbsolute, resolve } from 'node:path';
import { Beat, staticSchedulesMerged, type BeatOptions } from '@celeriac/beat';
import type { MetricsServer } from '@celeriac/metrics';
import { isoString, openScheduleStore, redactUrl, type ScheduleStore } from '@celeriac/core';
import type { QueueType } from '@celeriac/amqp';
import { BEAT_GROUP_OPTION } from './beat-group-option.js';
import { QUEUE_TYPE_OPTION, QUEUE_TYPES } from './queue-type-option.js';
import { defineCommand, type RunContext } from '../command.js';
import { ExitCode } from '../errors.js';
import { ShutdownSignals } from '../shutdown.js';
import { METRICS_PORT_OPTION, serveBeatMetrics } from '../metrics.js';
import { openScheduleFile, type ScheduleFile } from './schedule-file.js';

interface BeatConfig {
  store: string;
  beatGroup: string | undefined;
  scheduleFile: string | undefined;
  pruneStatic: boolean;
  queueType: QueueType | undefined;
  /** Serve /metrics and /healthz on this port. */
  metricsPort: number | undefined;
}

export const DEFAULT_STORE = 'file:./celeriac-schedule.json';

export const beatCommand = defineCommand<BeatConfig>({
  command: 'beat',
  describe: 'Fire periodic tasks from a schedule store until SIGTERM or SIGINT; run several for a hot standby',
  options: {
    store: {
      type: 'string',
      requiresArg: true,
      describe:
        'Where schedules and their state live: file:PATH (atomic JSON file; beats on one host share it), mongodb://host:27017/db (beats on many hosts; needs @celeriac/mongodb) or memory:',
      defaultDescription: DEFAULT_STORE,
    },
    schedule: {
      type: 'string',
      requiresArg: true,
      describe:
        'Static schedules merged into the store at start: a .json file (array) or a JS module (default export array); a restart skips the merge when the store merged this very content last',
    },
    'beat-group': BEAT_GROUP_OPTION,
    'queue-type': QUEUE_TYPE_OPTION,
    'metrics-port': METRICS_PORT_OPTION,
    'prune-static': {
      type: 'boolean',
      describe: 'Make --schedule the whole truth: remove stored schedules not in it (runtime additions included)',
      defaultDescription: 'false',
    },
  },
  compile: (settings) => ({
    store: settings.string('store') ?? DEFAULT_STORE,
    beatGroup: settings.string('beatGroup'),
    scheduleFile: settings.string('schedule'),
    pruneStatic: settings.boolean('pruneStatic') ?? false,
    queueType: settings.choice('queueType', QUEUE_TYPES),
    metricsPort: settings.integer('metricsPort', 0, 65_535),
  }),
  run: runBeat,
});

/** Leads or stands by until a shutdown signal, then stops firing and closes the store. */
async function runBeat(config: BeatConfig, { io, global, logger }: RunContext): Promise<number> {
  let file = config.scheduleFile === undefined ? null : await openScheduleFile(config.scheduleFile, io.cwd);
  const store = await openScheduleStore(storeUrl(config.store, io.cwd), { logger });
  const shutdown = new ShutdownSignals(io, logger);
  let metrics: MetricsServer | null = null;
  try {
    logger.log('debug', 'beat configured', {
      store: redactUrl(config.store),
      broker: redactUrl(global.brokerUrl),
      scheduleDigest: file?.digest,
    });
    const beat = createBeat(config, await staticSchedules(file, store, config.pruneStatic), store, { global, logger });
    file = null; // the Beat holds it until its merge, not for its life: the file's bytes were 17 MB of RSS
    if (config.metricsPort !== undefined) metrics = await serveBeatMetrics(beat, config.metricsPort, logger);
    await Promise.race([beat.start(), shutdown.received]);
    await shutdown.received;
    await beat.stop();
    return ExitCode.OK;
  } finally {
    shutdown.dispose();
    await metrics?.close();
    await store.close();
  }
}

/**
 * The file's schedules: read now (so a bad one stops the start as a usage error), unless the
 * store merged this very file last; then only if the beat finds the store changed after all.
 * Not kept in runBeat's frame: 100,000 inputs held for the life of the process were tens of MB.
 */
async function staticSchedules(
  file: ScheduleFile | null,
  store: ScheduleStore,
  pruneStatic: boolean,
): Promise<Statics> {
  if (file === null) return { schedules: [] };
  const staticDigest = file.digest ?? undefined;
  const merged = staticDigest !== undefined && (await mergedAlready(store, staticDigest, pruneStatic));
  return { schedules: merged ? () => file.read() : await file.read(), staticDigest };
}

/** How long the digest may take to read before the file is read anyway. */
const DIGEST_WAIT_MS = 3000;

/**
 * A store that does not answer (soon) is the Beat's to wait for, with back-off and a log line
 * per attempt: here it only means the file is read, as without a digest.
 */
async function mergedAlready(store: ScheduleStore, digest: string, pruneStatic: boolean): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), DIGEST_WAIT_MS)));
  try {
    return await Promise.race([staticSchedulesMerged(store, digest, pruneStatic).catch(() => false), late]);
  } finally {
    clearTimeout(timer);
  }
}

type Statics = Pick<BeatOptions, 'schedules' | 'staticDigest'>;

function createBeat(
  config: BeatConfig,
  statics: Statics,
  store: ScheduleStore,
  { global, logger }: Pick<RunContext, 'global' | 'logger'>,
): Beat {
  const beat = new Beat({
    brokerUrl: global.brokerUrl,
    brokerTls: global.brokerTls,
    declare: global.declare,
    store,
    ...statics,
    pruneStatic: config.pruneStatic,
    beatGroup: config.beatGroup ?? null,
    client: { queueType: config.queueType },
    logger,
  });
  // One line per fire: what an operator greps for ("did the 07:00 inspection go out?").
  beat.on('schedule:fired', ({ name, slot, taskId, lateMs }) =>
    logger.log('info', 'schedule fired', { schedule: name, slot: isoString(slot), taskId, lateMs }),
  );
  return beat;
}

/** A relative `file:` path is relative to the working directory the command was given. */
export function storeUrl(url: string, cwd: string): string {
  const match = /^file:(?!\/\/)(.+)$/.exec(url);
  if (!match?.[1] || isAbsolute(match[1])) return url;
  return `file:${resolve(cwd, match[1])}`;
}
