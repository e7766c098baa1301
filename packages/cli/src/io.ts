/**
 * Everything the CLI touches outside itself. `main` takes these as arguments, so tests run
 * commands in-process with their own env and captured output instead of spawning.
 */
export type Env = Readonly<Record<string, string | undefined>>;

export type ShutdownSignal = 'SIGINT' | 'SIGTERM';

export interface SignalSource {
  on(signal: ShutdownSignal, listener: () => void): unknown;
  off(signal: ShutdownSignal, listener: () => void): unknown;
}

export interface CliIo {
  env: Env;
  cwd: string;
  /** Command output only (a task id, a result), so it can be piped. */
  stdout: NodeJS.WritableStream;
  /** Logs and error lines. */
  stderr: NodeJS.WritableStream;
  /** Decides the default log format: text for a person, JSON for a collector. */
  stderrIsTTY: boolean;
  /** Whether a live view may redraw the screen (`celeriac events`). @default false */
  stdoutIsTTY?: boolean;
  signals: SignalSource;
  /** Ends the process at once; only a second shutdown signal uses it. */
  exit(code: number): void;
}

export function processIo(): CliIo {
  return {
    env: process.env,
    cwd: process.cwd(),
    stdout: process.stdout,
    stderr: process.stderr,
    stderrIsTTY: process.stderr.isTTY === true,
    stdoutIsTTY: process.stdout.isTTY === true,
    signals: process,
    exit: (code) => process.exit(code),
  };
}
