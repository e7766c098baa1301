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
 * on its first line that is written, or its first child (each task gets one). Closures, not a
 * class: a task's handler gets it as `ctx.logger`, and may pass `log` on detached.
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

/** triple-beam's MESSAGE: the formatted line a winston transport writes. */
const MESSAGE = Symbol.for('message');

/**
 * One transform per line, not winston's combine(errors, timestamp, json): logform's json()
 * configures a new stringifier on every line, and beat logs a line per fire — at 10,000 fires a
 * second the three transforms were ~20 µs of each fire's CPU. Lines keep winston's fields:
 * level, message, the metadata, timestamp, and a thrown Error's stack when one is logged.
 */
const oneLine = winston.format((info, opts: unknown) => {
  const line = info as winston.Logform.TransformableInfo & { [MESSAGE]?: string };
  const { json } = opts as { json: boolean };
  if (line.message instanceof Error) Object.assign(line, { message: line.message.message, stack: line.message.stack });
  line.timestamp = new Date().toISOString();
  line[MESSAGE] = json ? jsonLine(line) : textLine(line);
  return line;
});

function jsonFormat(): winston.Logform.Format {
  return oneLine({ json: true });
}

/** `2025-01-01T00:00:00.000Z info task succeeded taskId=… runtimeMs=3`, stack on the next lines. */
function textFormat(): winston.Logform.Format {
  return oneLine({ json: false });
}

/** Plain JSON in the order the fields were given; a line JSON cannot hold (a bigint, a cycle) goes through safeReplacer. */
function jsonLine(info: winston.Logform.TransformableInfo): string {
  try {
    return JSON.stringify(info);
  } catch {
    return JSON.stringify(info, safeReplacer());
  }
}

function bigintAsString(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/** A replacer that writes an object met a second time as '[Circular]' (a repeat, cyclic or not). */
function safeReplacer(): (key: string, value: unknown) => unknown {
  const seen = new WeakSet<object>();
  return (_key, value) => {
    if (typeof value === 'bigint') return value.toString();
    if (typeof value !== 'object' || value === null) return value;
    if (seen.has(value)) return '[Circular]';
    seen.add(value);
    return value;
  };
}

function textLine(info: winston.Logform.TransformableInfo): string {
  const { timestamp, level, message, stack, ...meta } = info;
  const pairs = Object.entries(meta).map(
    ([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value, bigintAsString)}`,
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
