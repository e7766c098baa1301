/**
 * How `celeriac inspect` and `celeriac control` turn words on the command line into a command's
 * arguments, as `celery inspect`/`celery control` do (celery/bin/control.py): each command names
 * its positional arguments and how to read them. A command not listed is refused here, as
 * Celery's CLI refuses it, naming the ones it knows.
 */
import { UsageError } from '../errors.js';

type Reader = (words: readonly string[]) => Record<string, unknown>;

const none: Reader = () => ({});
const text = (name: string) => (word: string | undefined) => (word === undefined ? {} : { [name]: word });

function number(word: string | undefined, name: string): number | undefined {
  if (word === undefined) return undefined;
  const value = Number(word);
  if (!Number.isFinite(value)) throw new UsageError(`${name} must be a number, got ${JSON.stringify(word)}`);
  return value;
}

function bool(word: string | undefined): boolean | undefined {
  return word === undefined ? undefined : /^(1|true|yes|on)$/i.test(word);
}

/** Leaves out what the user did not give, so the worker applies its own default. */
function defined(args: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(args).filter(([, value]) => value !== undefined));
}

export const INSPECT_COMMANDS: Readonly<Record<string, Reader>> = {
  ping: none,
  active: ([safe]) => defined({ safe: bool(safe) }),
  reserved: none,
  scheduled: none,
  registered: (words) => (words.length === 0 ? {} : { taskinfoitems: [...words] }),
  stats: none,
  active_queues: none,
  query_task: (ids) => ({ ids: [...ids] }),
  revoked: none,
  conf: ([withDefaults]) => defined({ with_defaults: bool(withDefaults) }),
  report: none,
  clock: none,
};

export const CONTROL_COMMANDS: Readonly<Record<string, Reader>> = {
  rate_limit: ([task, rate]) => ({ task_name: task, rate_limit: rate }),
  time_limit: ([task, soft, hard]) =>
    defined({ task_name: task, soft: number(soft, 'soft'), hard: number(hard, 'hard') }),
  add_consumer: ([queue, exchange, exchangeType, routingKey]) =>
    defined({ queue, exchange, exchange_type: exchangeType, routing_key: routingKey }),
  cancel_consumer: ([queue]) => text('queue')(queue),
  pool_grow: ([n]) => ({ n: number(n, 'n') ?? 1 }),
  pool_shrink: ([n]) => ({ n: number(n, 'n') ?? 1 }),
  autoscale: ([max, min]) => defined({ max: number(max, 'max'), min: number(min, 'min') }),
  shutdown: none,
  heartbeat: none,
  enable_events: none,
  disable_events: none,
  revoke: (ids) => ({ task_id: [...ids], terminate: false }),
  terminate: ([signal, ...ids]) => ({ task_id: ids, signal }),
};

/** The arguments of `command` from its words; `table` says which commands this CLI verb knows. */
export function remoteArguments(
  table: Readonly<Record<string, Reader>>,
  command: string,
  words: readonly string[],
): Record<string, unknown> {
  const read = Object.hasOwn(table, command) ? table[command] : undefined;
  if (!read)
    throw new UsageError(`unknown command ${JSON.stringify(command)}; known: ${Object.keys(table).join(', ')}`);
  return read(words);
}
