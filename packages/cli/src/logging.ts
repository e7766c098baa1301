/**
 * winston, adapted to the core `Logger` seam. Logs go to stderr only — stdout carries command
 * output such as a task id — as JSON lines when stderr is not a terminal. Child loggers keep
 * their metadata (the worker's task lines carry `taskId`) because `child()` maps to winston's.
 */
import winston from 'winston';
import type { LogLevel, LogMeta, Logger } from '@celeriac/core';
import type { LogFormat } from './config.js';

export interface Logging {
  logger: Logger;
  /** Waits until every line is written; call before the process exits. */
  flush(): Promise<void>;
}

const FLUSH_LIMIT_MS = 2_000;

export function createLogging(options: { level: LogLevel; format: LogFormat }, stream: NodeJS.WritableStream): Logging {
  const transport = new winston.transports.Stream({ stream });
  const base = winston.createLogger({
    level: options.level,
    format: options.format === 'json' ? jsonFormat() : textFormat(),
    transports: [transport],
  });
  // A closed stderr (EPIPE) must not crash the worker; nothing useful can be logged about it.
  base.on('error', () => undefined);
  let flushed: Promise<void> | null = null;
  return { logger: adapt(base), flush: () => (flushed ??= flush(base, transport)) };
}

/**
 * Lines below the level cost nothing: winston would run the whole format (timestamp, JSON) before
 * its transport drops them, and the worker logs every task at info and debug. A child is created
 * on its first line that is written (each task gets one).
 */
export function adapt(logger: winston.Logger, enabled = levelCheck(logger)): Logger {
  return {
    log: (level: LogLevel, message: string, meta?: LogMeta) => {
      if (enabled(level)) logger.log(level, message, safeMeta(meta));
    },
    child: (meta: LogMeta) => lazyChild(logger, meta, enabled),
  };
}

function lazyChild(parent: winston.Logger, meta: LogMeta, enabled: LevelCheck): Logger {
  let child: Logger | null = null;
  const real = () => (child ??= adapt(parent.child(safeMeta(meta)), enabled));
  return {
    log: (level, message, more) => {
      if (enabled(level)) real().log(level, message, more);
    },
    child: (more) => real().child(more),
  };
}

type LevelCheck = (level: LogLevel) => boolean;

/**
 * winston's isLevelEnabled walks the transports (a stream's pipes) on every call, and a worker
 * asks for each of its tasks' lines; the level and transports are fixed when the CLI builds the
 * logger, so each level's answer is taken once.
 */
function levelCheck(logger: winston.Logger): LevelCheck {
  const known = new Map<LogLevel, boolean>();
  return (level) => {
    let answer = known.get(level);
    if (answer === undefined) known.set(level, (answer = logger.isLevelEnabled(level)));
    return answer;
  };
}

/** `level` and `message` would overwrite winston's own fields; keep them under other names. */
function safeMeta(meta: LogMeta | undefined): LogMeta {
  if (!meta) return {};
  const { level, message, ...rest } = meta;
  return {
    ...rest,
    ...(level === undefined ? {} : { metaLevel: level }),
    ...(message === undefined ? {} : { metaMessage: message }),
  };
}

function jsonFormat(): winston.Logform.Format {
  const { combine, errors, timestamp, json } = winston.format;
  return combine(errors({ stack: true }), timestamp(), json());
}

/** `2025-01-01T00:00:00.000Z info task succeeded taskId=… runtimeMs=3`, stack on the next lines. */
function textFormat(): winston.Logform.Format {
  const { combine, errors, timestamp, printf } = winston.format;
  return combine(errors({ stack: true }), timestamp(), printf(textLine));
}

function textLine(info: winston.Logform.TransformableInfo): string {
  const { timestamp, level, message, stack, ...meta } = info;
  const pairs = Object.entries(meta).map(
    ([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`,
  );
  const line = [String(timestamp), level, String(message), ...pairs].join(' ');
  return typeof stack === 'string' ? `${line}\n${stack}` : line;
}

/** Ending the logger ends its transport once every queued line is written to the stream. */
function flush(logger: winston.Logger, transport: NodeJS.EventEmitter): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, FLUSH_LIMIT_MS);
    transport.once('finish', () => {
      clearTimeout(timer);
      resolve();
    });
    logger.end();
  });
}
