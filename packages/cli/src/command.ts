import type { Argv, CommandModule, Options, PositionalOptions } from 'yargs';
import type { Logger } from '@celeriac/core';
import {
  camelCase,
  compileGlobal,
  globalDefaults,
  layerSettings,
  readConfigFile,
  withDefaults,
  type GlobalConfig,
} from './config.js';
import type { CliIo } from './io.js';
import { createLogging } from './logging.js';
import type { Settings } from './settings.js';

/** What a running command gets: its streams, the shared options and a logger to stderr. */
export interface RunContext {
  io: CliIo;
  global: GlobalConfig;
  logger: Logger;
}

export type Args = Readonly<Record<string, unknown>>;

/**
 * A subcommand. `options` (keyed as the flags are spelled, `prefetch-multiplier`) are both its yargs flags and the names it accepts from CELERIAC_*
 * variables and the config file. They carry no yargs `default` (it would hide whether a flag was
 * given and so break layering); defaults show in --help through `defaultDescription` and are
 * applied after layering — the shared ones in config.ts, the rest by the Client and Worker.
 */
export interface CommandSpec<C> {
  command: string;
  describe: string;
  positionals?: Record<string, PositionalOptions>;
  options: Record<string, Options>;
  compile(settings: Settings, args: Args): C;
  run(config: C, context: RunContext): Promise<number>;
}

/** A spec with its config type hidden, so commands of different types share one list. */
export interface Command {
  readonly spec: Omit<CommandSpec<unknown>, 'compile' | 'run'>;
  prepare(settings: Settings, args: Args): (context: RunContext) => Promise<number>;
}

export function defineCommand<C>(spec: CommandSpec<C>): Command {
  return {
    spec,
    prepare: (settings, args) => {
      const config = spec.compile(settings, args);
      return (context) => spec.run(config, context);
    },
  };
}

/** Shared by every command: global flags, and how the program reports the exit code. */
export interface CliRun {
  io: CliIo;
  globalOptions: Record<string, Options>;
  /** Every option any command accepts: the keys a config file may use. */
  knownOptions: ReadonlySet<string>;
  exitCode: number;
}

export function toYargsCommand(command: Command, cli: CliRun): CommandModule {
  const { spec } = command;
  return {
    command: spec.command,
    describe: spec.describe,
    builder: (yargs: Argv) => withPositionals(yargs, spec.positionals ?? {}).options(spec.options),
    handler: async (args) => {
      cli.exitCode = await execute(command, args, cli);
    },
  };
}

/** Option names as settings use them: `prefetch-multiplier` becomes `prefetchMultiplier`. */
export function optionNames(options: Record<string, Options>): string[] {
  return Object.keys(options).map(camelCase);
}

function withPositionals(yargs: Argv, positionals: Record<string, PositionalOptions>): Argv {
  return Object.entries(positionals).reduce((built, [name, options]) => built.positional(name, options), yargs);
}

/** Layers the settings, compiles them (usage errors surface before any connection), then runs. */
async function execute(command: Command, args: Args, cli: CliRun): Promise<number> {
  const { io } = cli;
  const names = optionNames({ ...cli.globalOptions, ...command.spec.options });
  const file = await readConfigFile(args, io.env, io.cwd, cli.knownOptions);
  const raw = layerSettings(names, { flags: args, env: io.env, file });
  const settings = withDefaults(raw, globalDefaults(io));
  const global = compileGlobal(settings);
  const run = command.prepare(settings, args);
  const logging = createLogging({ level: global.logLevel, format: global.logFormat }, io.stderr);
  try {
    return await run({ io, global, logger: logging.logger });
  } finally {
    await logging.flush();
  }
}
