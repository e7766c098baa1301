import { createRequire } from 'node:module';
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import type { Argv, Options } from 'yargs';
import { DEFAULT_BROKER_URL } from '@celeriac/core';
import { optionNames, toYargsCommand, type CliRun } from './command.js';
import { COMMANDS } from './commands/index.js';
import { SECURITY_OPTIONS } from './broker-security.js';
import { ExitCode, UsageError, errorLine, exitCodeFor } from './errors.js';
import { processIo, type CliIo, type Env } from './io.js';
import { compileGlobal, globalDefaults, layerSettings, withDefaults, type GlobalConfig } from './config.js';

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

/** Options every command takes. Their defaults are applied after layering (see config.ts). */
export const GLOBAL_OPTIONS: Record<string, Options> = {
  broker: {
    type: 'string',
    requiresArg: true,
    describe: 'Broker URL; several (amqp://h1;amqp://h2, or the flag repeated) fail over across a cluster',
    defaultDescription: DEFAULT_BROKER_URL,
  },
  'result-backend': {
    type: 'string',
    requiresArg: true,
    describe: 'rpc://, mongodb://host:27017/db (needs @celeriac/mongodb) or disabled',
    defaultDescription: 'rpc://',
  },
  'log-level': {
    type: 'string',
    requiresArg: true,
    describe: 'error, warn, info or debug',
    defaultDescription: 'info',
  },
  'log-format': {
    type: 'string',
    requiresArg: true,
    describe: 'json or text',
    defaultDescription: 'json unless stderr is a terminal',
  },
  config: {
    type: 'string',
    requiresArg: true,
    describe: 'JSON file of option values, e.g. {"broker": "amqp://…", "concurrency": 4}',
  },
  ...SECURITY_OPTIONS,
};

/**
 * The options every command shares (broker URLs, TLS, secrets from files, result backend,
 * declare) read from CELERIAC_* variables alone, for a program of one's own that embeds a
 * Client: it then takes them exactly as the CLI does.
 */
export function globalConfigFromEnv(env: Env = process.env): GlobalConfig {
  const raw = layerSettings(optionNames(GLOBAL_OPTIONS), { flags: {}, env, file: null });
  return compileGlobal(withDefaults(raw, globalDefaults({ stderrIsTTY: false })));
}

const EPILOGUE =
  'Every option can also be set as a CELERIAC_<OPTION> environment variable (CELERIAC_BROKER, ' +
  'CELERIAC_RESULT_BACKEND, CELERIAC_PREFETCH_MULTIPLIER, …) or in the --config file. ' +
  'Flags win over the environment, the environment over the file.';

/**
 * Runs the celeriac command line and resolves with the exit code; it never calls
 * `process.exit` itself (only a second shutdown signal does). `argv` is `process.argv`-shaped.
 * Tests pass their own `io` to capture output and control the environment.
 */
export async function main(argv: readonly string[], io: Partial<CliIo> = {}): Promise<number> {
  const cli: CliRun = {
    io: { ...processIo(), ...io },
    globalOptions: GLOBAL_OPTIONS,
    knownOptions: knownOptions(),
    exitCode: ExitCode.OK,
  };
  const args = hideBin([...argv]);
  try {
    const output = await parse(parser(cli, args), args);
    if (output) cli.io.stdout.write(`${output}\n`);
    return cli.exitCode;
  } catch (error) {
    cli.io.stderr.write(`${errorLine(error, commandName(args))}\n`);
    return exitCodeFor(error);
  }
}

function parser(cli: CliRun, args: string[]): Argv {
  const built = yargs(args)
    .scriptName('celeriac')
    .usage('$0 <command> [options]')
    .options(GLOBAL_OPTIONS)
    .demandCommand(1, 'name a command: worker, call, result, beat or schedule')
    .strict()
    .exitProcess(false)
    .fail(fail)
    .help()
    .alias('help', 'h')
    .version(version)
    .epilogue(EPILOGUE)
    .wrap(100);
  return COMMANDS.reduce((withCommands, command) => withCommands.command(toYargsCommand(command, cli)), built);
}

/** Help and version text come back through the callback, so they reach `io.stdout`. */
async function parse(built: Argv, args: string[]): Promise<string> {
  let output = '';
  await built.parseAsync(args, {}, (_error, _argv, text) => {
    output = text ?? '';
  });
  return output;
}

/**
 * Must throw: with exitProcess(false), a fail handler that returns lets yargs run the command
 * handler anyway. yargs' own errors (YError) are usage errors; a handler's errors pass through.
 */
function fail(message: string | undefined, error: Error | undefined): never {
  if (error && error.name !== 'YError') throw error;
  throw new UsageError(message || error?.message || 'invalid command line');
}

function knownOptions(): Set<string> {
  return new Set([GLOBAL_OPTIONS, ...COMMANDS.map((command) => command.spec.options)].flatMap(optionNames));
}

/** The command named on the line, for a hint like `see 'celeriac call --help'`. */
function commandName(args: readonly string[]): string | undefined {
  const names = COMMANDS.map((command) => command.spec.command.split(' ')[0]);
  return args.find((arg) => names.includes(arg));
}
