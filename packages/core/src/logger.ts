/**
 * The logging seam. Libraries take a `Logger`; only the CLI builds winston and adapts it, so
 * embedding Celeriac never drags a logging framework into an application.
 */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export type LogMeta = Record<string, unknown>;

export interface Logger {
  log(level: LogLevel, message: string, meta?: LogMeta): void;
  /** A logger that adds `meta` to every line, e.g. the task id. */
  child(meta: LogMeta): Logger;
}

/** Discards everything; the default when no logger is given. */
export const silentLogger: Logger = {
  log: () => undefined,
  child: () => silentLogger,
};

/** Errors nested in metadata lose their stack in most JSON formatters; flatten them first. */
export function errorMeta(error: unknown): LogMeta {
  if (!(error instanceof Error)) return { error: String(error) };
  const code = (error as { code?: unknown }).code;
  return { error: error.message, errorName: error.name, ...(code === undefined ? {} : { code }), stack: error.stack };
}
