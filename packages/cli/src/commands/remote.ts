/**
 * `celeriac inspect`, `celeriac control` and `celeriac status`: Celery's remote control from the
 * command line, answered by Celeriac and Python workers alike. Replies are printed per node as
 * `celery inspect` prints them (`-> node: OK` and the reply), or as one JSON object with --json;
 * no reply within the timeout exits 1, as Celery's "No nodes replied within time constraint".
 */
import { Client, type ControlReplies } from '@celeriac/client';
import { defineCommand, type Args, type RunContext } from '../command.js';
import { ExitCode } from '../errors.js';
import type { Settings } from '../settings.js';
import { CONTROL_COMMANDS, INSPECT_COMMANDS, remoteArguments } from './remote-arguments.js';

interface RemoteConfig {
  method: string;
  args: Record<string, unknown>;
  destination: string[] | undefined;
  timeoutMs: number;
  json: boolean;
}

const REMOTE_OPTIONS = {
  destination: {
    alias: 'd',
    type: 'string',
    requiresArg: true,
    describe: 'Comma-separated node names that should answer (all by default)',
  },
  timeout: {
    alias: 't',
    type: 'number',
    requiresArg: true,
    describe: 'Seconds to wait for replies',
    defaultDescription: '1',
  },
  json: { alias: 'j', type: 'boolean', describe: 'Print the replies as one JSON object' },
} as const;

function remoteCommand(verb: 'inspect' | 'control', table: typeof INSPECT_COMMANDS) {
  return defineCommand<RemoteConfig>({
    command: `${verb} <method> [words..]`,
    describe: `${verb === 'inspect' ? 'Ask' : 'Tell'} the workers (Celeriac and Python): ${Object.keys(table).join(', ')}`,
    positionals: {
      method: { type: 'string', describe: `The ${verb} command` },
      words: { type: 'string', array: true, describe: "The command's arguments, as celery takes them" },
    },
    options: REMOTE_OPTIONS,
    compile: (settings, args) => compileRemote(settings, args, table),
    run: runRemote,
  });
}

export const inspectCommand = remoteCommand('inspect', INSPECT_COMMANDS);
export const controlCommand = remoteCommand('control', CONTROL_COMMANDS);

export const statusCommand = defineCommand<RemoteConfig>({
  command: 'status',
  describe: 'List the workers that answer a ping (Celeriac and Python)',
  options: REMOTE_OPTIONS,
  compile: (settings) => ({ ...remoteSettings(settings), method: 'ping', args: {} }),
  run: runStatus,
});

function compileRemote(settings: Settings, args: Args, table: typeof INSPECT_COMMANDS): RemoteConfig {
  const method = String(args.method);
  const words = Array.isArray(args.words) ? args.words.map(String) : [];
  return { ...remoteSettings(settings), method, args: remoteArguments(table, method, words) };
}

function remoteSettings(settings: Settings): Omit<RemoteConfig, 'method' | 'args'> {
  return {
    destination: settings.list('destination'),
    timeoutMs: (settings.seconds('timeout') ?? 1) * 1000,
    json: settings.boolean('json') ?? false,
  };
}

async function ask(config: RemoteConfig, { global, logger }: RunContext): Promise<ControlReplies> {
  const client = new Client({
    brokerUrl: global.brokerUrl,
    brokerTls: global.brokerTls,
    declare: global.declare,
    resultBackend: null,
    connectionName: 'celeriac-control',
    logger,
  });
  try {
    const { destination, timeoutMs } = config;
    return await client.control(config.method, config.args, { timeoutMs, ...(destination ? { destination } : {}) });
  } finally {
    await client.close();
  }
}

async function runRemote(config: RemoteConfig, context: RunContext): Promise<number> {
  const replies = await ask(config, context);
  if (Object.keys(replies).length === 0) return noReplies(context);
  if (config.json) context.io.stdout.write(`${JSON.stringify(replies)}\n`);
  else for (const [node, reply] of Object.entries(replies)) context.io.stdout.write(describe(node, reply));
  return ExitCode.OK;
}

async function runStatus(config: RemoteConfig, context: RunContext): Promise<number> {
  const replies = await ask(config, context);
  const nodes = Object.keys(replies).sort();
  if (nodes.length === 0) return noReplies(context);
  if (config.json) context.io.stdout.write(`${JSON.stringify(replies)}\n`);
  else
    context.io.stdout.write(
      `${nodes.map((node) => `${node}: OK`).join('\n')}\n\n${nodes.length} ${nodes.length === 1 ? 'node' : 'nodes'} online.\n`,
    );
  return ExitCode.OK;
}

function noReplies({ io }: RunContext): number {
  io.stderr.write('Error: No nodes replied within time constraint\n');
  return ExitCode.FAILURE;
}

/** As celery prints a reply: the node and OK (or the error), then the value indented. */
function describe(node: string, reply: unknown): string {
  const error = (reply as { error?: unknown } | null)?.error;
  const head = `-> ${node}: ${error === undefined ? 'OK' : 'ERROR'}`;
  const ok = (reply as { ok?: unknown } | null)?.ok;
  const body = error ?? ok ?? reply;
  const text = typeof body === 'string' ? body : JSON.stringify(body, null, 2);
  return `${head}\n${text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n')}\n`;
}
