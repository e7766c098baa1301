import { ConfigurationError, InvalidArgumentError, TaskFailedError } from '@celeriac/core';

/** Exit codes: 2 is a usage error (fix the command line), 1 a failure of the work itself. */
export const ExitCode = {
  OK: 0,
  FAILURE: 1,
  USAGE: 2,
  /** 128 + signal number, as a shell reports a process killed by that signal. */
  SIGINT: 130,
  SIGTERM: 143,
} as const;

/** Bad flags, values, config files or `--app` modules: exit 2 with a hint to read --help. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function exitCodeFor(error: unknown): number {
  return isUsageError(error) ? ExitCode.USAGE : ExitCode.FAILURE;
}

/**
 * The single stderr line for a failed command. A remote task failure prints as Python would
 * show it (`ValueError: bad input`); everything else is prefixed with the program name.
 */
export function errorLine(error: unknown, command: string | undefined): string {
  if (error instanceof TaskFailedError) return oneLine(`${error.excType}: ${error.excMessage}`);
  const message = oneLine(error instanceof Error ? error.message : String(error));
  if (!isUsageError(error)) return `celeriac: ${message}`;
  return `celeriac: ${message} (see 'celeriac ${command ? `${command} ` : ''}--help')`;
}

function isUsageError(error: unknown): boolean {
  return error instanceof UsageError || error instanceof ConfigurationError || error instanceof InvalidArgumentError;
}

/** yargs and JSON.parse messages may span lines; an error must stay one line for log scrapers. */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, '; ').trim();
}
