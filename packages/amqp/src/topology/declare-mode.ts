/**
 * Least privilege: a component whose broker user may not declare (no `configure` permission on
 * the shared entities) runs with `declare: false`, or finds out (`'auto'`, the default): at connect
 * (declare-probe.ts), or from the 403 to any later declaration, after which the refused work is
 * redone on a fresh channel (fallBackToPassive). Its connection is then marked passive, and
 * the declarations of this folder check that the shared queues and exchanges exist instead of
 * declaring them (`celeriac topology apply` declares them once, with an administrator's
 * credentials). Private, short-lived queues (a worker's pidbox queue, reply and event queues,
 * locks) are still declared: they belong to the component, and its user is given their names.
 */
import type { Channel, ChannelModel, Options } from 'amqplib';
import { ConfigurationError, type Logger } from '@celeriac/core';

const PASSIVE = new WeakSet<object>();
/** Connections in 'auto' mode, with the logger that reports their fall back to passive. */
const AUTO = new WeakMap<object, Logger>();

/** Declare; only check; or declare unless the broker user may not (probed at each connect). */
export type DeclareMode = boolean | 'auto';

/** Stage 3 of the `declare` option of client, worker and beat. */
export function checkDeclare(value: unknown): DeclareMode {
  if (value === undefined) return 'auto';
  if (typeof value === 'boolean' || value === 'auto') return value;
  throw new ConfigurationError(`declare must be true, false or 'auto', got ${JSON.stringify(value)}`);
}

/** From now on, declarations on this connection's channels only check. */
export function declarePassively(model: ChannelModel): void {
  PASSIVE.add(model.connection);
}

/** 'auto': a 403 to a declaration on this connection makes it passive (fallBackToPassive). */
export function declareAuto(model: ChannelModel, logger: Logger): void {
  AUTO.set(model.connection, logger);
}

/**
 * After `error`: true when it was the 403 of an 'auto' connection not yet passive, which is now
 * passive (said in one line), so the caller redoes its work on a fresh channel and only checks.
 */
export function fallBackToPassive(model: ChannelModel, error: unknown): boolean {
  const logger = AUTO.get(model.connection);
  if (!logger || (error as { code?: unknown } | null)?.code !== 403) return false;
  AUTO.delete(model.connection);
  declarePassively(model);
  logger.log('info', 'this broker user may not declare: queues and exchanges are checked, not declared', {
    refused: (error as Error).message,
  });
  return true;
}

export function isPassive(channel: Channel): boolean {
  return PASSIVE.has(channel.connection);
}

/** Declares a shared queue, or on a passive connection checks that it exists. */
export async function ensureQueue(channel: Channel, name: string, options: Options.AssertQueue): Promise<void> {
  if (!isPassive(channel) || options.exclusive === true || options.autoDelete === true)
    await channel.assertQueue(name, options);
  else await passively(() => channel.checkQueue(name), 'queue', name);
}

/** Declares a shared exchange, or on a passive connection checks that it exists. */
export async function ensureExchange(
  channel: Channel,
  name: string,
  type: string,
  options: Options.AssertExchange,
): Promise<void> {
  if (!isPassive(channel)) await channel.assertExchange(name, type, options);
  else await passively(() => channel.checkExchange(name), 'exchange', name);
}

async function passively(check: () => Promise<unknown>, kind: string, name: string): Promise<void> {
  try {
    await check();
  } catch (error) {
    if ((error as { code?: unknown }).code !== 404) throw error;
    throw new ConfigurationError(
      `${kind} '${name}' does not exist and declare is off: run "celeriac topology apply" with an administrator's credentials`,
      { cause: error },
    );
  }
}
