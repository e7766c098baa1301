/**
 * Celery's inspect commands (reference wave2 §4.2): what the worker holds, runs and knows, in
 * the reply shapes `celery inspect` and Flower read. Read-only: none of them changes anything.
 */
import { arch, release, type } from 'node:os';
import {
  brokerInfo,
  okReply,
  poolInfo,
  queueAsDict,
  rusageInfo,
  scheduledInfo,
  type ConsumedQueue,
} from '@celeriac/protocol';
import type { QueueSpec } from '@celeriac/amqp';
import type { RegisteredTask } from '../task-registry.js';
import type { ControlArguments } from './arguments.js';
import type { ControlContext } from './control-context.js';
import { ControlArgumentError } from './control-errors.js';

export type ControlCommand = (args: ControlArguments) => unknown;

export function inspectCommands(ctx: ControlContext): Array<[string, ControlCommand]> {
  return [
    // Cheap, and what `celery inspect ping` and `celery status` ask for.
    ['ping', () => okReply('pong')],
    ['clock', () => ({ clock: ctx.clock.value })],
    ['active', (args) => ctx.requests.list('active', args.safe === true).map(({ info }) => info)],
    ['reserved', () => ctx.requests.list('reserved').map(({ info }) => info)],
    ['scheduled', () => ctx.requests.list('scheduled').map(({ job, info }) => scheduledInfo(job.task.eta, info))],
    ['query_task', (args) => ctx.requests.query(taskIds(args.ids))],
    ['revoked', () => ctx.revocations.ids.ids()],
    ['registered', (args) => registered(ctx, args.taskinfoitems)],
    ['active_queues', () => ctx.consumers.queues().map((spec) => queueAsDict(consumedQueue(spec)))],
    ['stats', () => stats(ctx)],
    ['conf', (args) => ctx.about.settings(args.with_defaults === true)],
    ['report', () => okReply(report(ctx))],
  ];
}

/** `ids` is one id or a list of them (Celery's `maybe_list`). */
function taskIds(value: unknown): string[] {
  const ids: unknown[] = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  if (ids.every((id) => typeof id === 'string')) return ids;
  throw new ControlArgumentError('ids must be a task id or a list of task ids');
}

/** Celery's default `taskinfoitems`; of them Celeriac tasks have none, but time limits are asked for by name. */
const DEFAULT_INFO_ITEMS = ['exchange', 'routing_key', 'rate_limit'];

/** Sorted names; a task with some of the asked attributes set reads `"name [attr=value ...]"`. */
function registered(ctx: ControlContext, items: unknown): string[] {
  const wanted = Array.isArray(items) ? items.filter((item) => typeof item === 'string') : DEFAULT_INFO_ITEMS;
  return ctx.tasks.names().map((name) => {
    const attrs = taskAttributes(ctx, ctx.tasks.get(name)!);
    const set = wanted.filter((item) => attrs[item] !== undefined && attrs[item] !== null);
    return set.length === 0 ? name : `${name} [${set.map((item) => `${item}=${String(attrs[item])}`).join(' ')}]`;
  });
}

/** The Celery task attributes a Celeriac task has, in Celery's units (seconds). */
function taskAttributes(ctx: ControlContext, task: RegisteredTask): Record<string, unknown> {
  const limits = ctx.timeLimits.for(task);
  // Celery's limits are floats: str(20.0) is '20.0'.
  const seconds = (ms: number | null) => (ms === null ? null : pyFloat(ms / 1000));
  return {
    time_limit: seconds(limits.timeLimitMs),
    soft_time_limit: seconds(limits.softTimeLimitMs),
    acks_late: task.options.acksLate ? 'True' : 'False',
    ignore_result: task.options.ignoreResult ? 'True' : 'False',
    max_retries: task.options.maxRetries,
    // The limit in force, a `control rate_limit` change included, as Celery shows `rate_limit=10/m`.
    rate_limit: ctx.rateLimits.limitOf(task.name),
  };
}

function pyFloat(value: number): string {
  return Number.isInteger(value) ? `${value}.0` : String(value);
}

/** What a kombu Queue would say of a spec: the exchange and key this worker binds it with. */
function consumedQueue(spec: QueueSpec): ConsumedQueue {
  return {
    name: spec.name,
    exchange: spec.exchange ?? '',
    exchangeType: spec.exchangeType ?? 'direct',
    routingKey: spec.routingKey ?? spec.name,
    durable: spec.durable,
    exclusive: spec.exclusive,
    autoDelete: spec.autoDelete,
    arguments: spec.arguments,
  };
}

function stats(ctx: ControlContext): Record<string, unknown> {
  const { about, pool } = ctx;
  return {
    total: ctx.requests.totals(),
    pid: process.pid,
    clock: String(ctx.clock.forward()),
    uptime: Math.floor((Date.now() - about.startedAtMs) / 1000),
    pool: poolInfo({
      implementation: pool.implementation,
      maxConcurrency: pool.size,
      pids: pool.pids,
      maxTasksPerChild: pool.maxTasksPerChild,
      softTimeoutS: seconds(about.timeLimits.softTimeLimitMs),
      hardTimeoutS: seconds(about.timeLimits.timeLimitMs),
    }),
    ...(pool.autoscaler ? { autoscaler: pool.autoscaler } : {}),
    broker: brokerInfo(about.brokerUrls),
    prefetch_count: about.prefetchCount,
    rusage: rusageInfo(process.resourceUsage()),
  };
}

function seconds(ms: number | null): number | null {
  return ms === null ? null : ms / 1000;
}

/** Celery's bug report (`celery report`): software, platform, then the settings, one per line. */
function report(ctx: ControlContext): string {
  const settings = ctx.about.settings(false);
  const backend = ctx.about.settings(true).result_backend;
  const results = typeof backend === 'string' ? backend : 'disabled';
  const lines = Object.entries(settings).map(([key, value]) => `${key}: ${JSON.stringify(value)}`);
  return [
    '',
    `software -> celeriac node:${process.versions.node}`,
    `platform -> system:${type()} arch:${arch()}`,
    `            kernel version:${release()}`,
    `settings -> transport:amqp results:${results}`,
    '',
    ...lines,
    '',
  ].join('\n');
}
