/**
 * `celeriac dead ls|show|requeue|purge`: the dead letters in `celeriac.dead`, selected by task
 * ids (positional), `--code`, `--task` and `--older-than`. Requeue and purge need a selection or
 * `--all`, so a bare command never moves or removes everything; purge also needs `--force`.
 */
import { Client, DEFAULT_LIST_LIMIT, type DeadLetter, type DeadLetterFilter } from '@celeriac/client';
import { clip, stringifyJson } from '@celeriac/protocol';
import { defineCommand, type Args, type RunContext } from '../command.js';
import { ExitCode, UsageError } from '../errors.js';
import type { Settings } from '../settings.js';
import { parseDuration } from './durations.js';
import { columns } from './text-columns.js';

const ACTIONS = ['ls', 'show', 'requeue', 'purge'] as const;
type Action = (typeof ACTIONS)[number];

interface DeadConfig {
  action: Action;
  filter: DeadLetterFilter;
  limit: number;
  json: boolean;
  force: boolean;
}

export const deadCommand = defineCommand<DeadConfig>({
  command: 'dead <action> [ids..]',
  describe: 'List, show, requeue or purge the dead letters in celeriac.dead',
  positionals: {
    action: { type: 'string', choices: ACTIONS, describe: 'ls, show, requeue or purge' },
    ids: { type: 'string', array: true, describe: 'Task ids to act on (show needs one)' },
  },
  options: {
    code: {
      type: 'string',
      requiresArg: true,
      describe: 'Only dead letters with this reason code, e.g. MAX_DELIVERIES',
    },
    task: { type: 'string', requiresArg: true, describe: 'Only dead letters of this task name' },
    'older-than': {
      type: 'string',
      requiresArg: true,
      describe: 'Only dead letters at least this old: 30s, 5m, 1h, 1d',
    },
    all: { type: 'boolean', describe: 'requeue/purge: every dead letter (when no ids or filters are given)' },
    force: { alias: 'f', type: 'boolean', describe: 'purge: really remove them' },
    limit: {
      type: 'number',
      requiresArg: true,
      describe: 'ls: at most this many',
      defaultDescription: String(DEFAULT_LIST_LIMIT),
    },
    json: { type: 'boolean', describe: 'ls: one JSON object per line instead of a table' },
  },
  compile: compileDead,
  run: runDead,
});

function compileDead(settings: Settings, args: Args): DeadConfig {
  const action = args.action as Action;
  const olderThan = settings.string('olderThan');
  const ids = Array.isArray(args.ids) ? args.ids.map(String) : [];
  const filter: DeadLetterFilter = {
    ...(settings.string('code') === undefined ? {} : { code: settings.string('code') }),
    ...(settings.string('task') === undefined ? {} : { task: settings.string('task') }),
    ...(olderThan === undefined
      ? {}
      : { olderThanMs: parseDuration(olderThan, settings.origin('olderThan') ?? '--older-than') }),
    ...(ids.length === 0 ? {} : { taskIds: ids }),
  };
  if (action === 'show' && ids.length !== 1) throw new UsageError('dead show needs exactly one task id');
  const selected = Object.keys(filter).length > 0 || (settings.boolean('all') ?? false);
  if ((action === 'requeue' || action === 'purge') && !selected)
    throw new UsageError(
      `dead ${action} needs task ids, --code, --task or --older-than, or --all for every dead letter`,
    );
  return {
    action,
    filter,
    limit: settings.integer('limit', 1) ?? DEFAULT_LIST_LIMIT,
    json: settings.boolean('json') ?? false,
    force: settings.boolean('force') ?? false,
  };
}

async function runDead(config: DeadConfig, { io, global, logger }: RunContext): Promise<number> {
  if (config.action === 'purge' && !config.force)
    throw new UsageError('dead purge removes the selected dead letters for good; add --force to do it');
  const client = new Client({
    brokerUrl: global.brokerUrl,
    brokerTls: global.brokerTls,
    declare: global.declare,
    resultBackend: null,
    connectionName: 'celeriac-dead',
    logger,
  });
  try {
    const { text, code } = await act(client, config);
    io.stdout.write(text);
    return code;
  } finally {
    await client.close();
  }
}

async function act(client: Client, config: DeadConfig): Promise<{ text: string; code: number }> {
  const admin = client.deadLetters;
  if (config.action === 'ls')
    return { text: listing(await admin.list(config.filter, config.limit), config.json), code: ExitCode.OK };
  if (config.action === 'show') return shown(await admin.list(config.filter, 1));
  if (config.action === 'purge')
    return { text: `purged ${await admin.purge(config.filter)} dead letters\n`, code: ExitCode.OK };
  const { requeued, failed } = await admin.requeue(config.filter);
  const lines = [
    `requeued ${requeued.length} dead letters`,
    ...failed.map((f) => `not requeued ${f.taskId ?? '(no id)'}: ${f.error}`),
  ];
  return { text: `${lines.join('\n')}\n`, code: failed.length === 0 ? ExitCode.OK : ExitCode.FAILURE };
}

const HEADER = ['TASK ID', 'TASK', 'CODE', 'QUEUE', 'AT', 'REASON'];

function listing(letters: readonly DeadLetter[], json: boolean): string {
  if (json) return letters.map((letter) => `${stringifyJson(summary(letter))}\n`).join('');
  if (letters.length === 0) return 'no dead letters\n';
  const row = (l: DeadLetter) => [l.taskId, l.task, l.code, l.queue, l.at?.toISOString(), clip(l.reason ?? '', 100)];
  return columns([HEADER, ...letters.map((letter) => row(letter).map((cell) => cell ?? '-'))]);
}

function shown(letters: readonly DeadLetter[]): { text: string; code: number } {
  const [letter] = letters;
  if (!letter) return { text: 'no such dead letter\n', code: ExitCode.FAILURE };
  const body = letter.body.toString('utf8');
  const full = { ...summary(letter), headers: letter.headers, properties: letter.properties, body: parsedOr(body) };
  return { text: `${JSON.stringify(full, jsonSafe, 2)}\n`, code: ExitCode.OK };
}

function summary(letter: DeadLetter): Record<string, unknown> {
  const { taskId, task, code, reason, queue, routingKey, at, node } = letter;
  return { taskId, task, code, reason, queue, routingKey, at: at?.toISOString() ?? null, node };
}

function parsedOr(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Header values may be Buffers or bigints (amqplib's decoding); printed as text. */
function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value && typeof value === 'object' && (value as { type?: unknown }).type === 'Buffer') return '(bytes)';
  return value;
}
