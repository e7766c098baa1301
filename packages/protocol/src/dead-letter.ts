/**
 * The headers of a message in `celeriac.dead` (Celeriac's own, not Celery's): the original
 * headers, so the message can be re-driven as it was, plus `x-celeriac-dead-*` saying why, from
 * where and when.
 *
 * A copy must always fit: a message whose own headers are huge (a 60 KB task name) made the
 * broker refuse the copy, and the worker put the original back and took it again forever. So
 * the copy can be made in three fits, each smaller than the last: `whole` (every original header
 * as it came), `cut` (each original value over MAX_KEPT_HEADER_BYTES shortened) and `bare` (no
 * original header). What was cut is named in `x-celeriac-dead-cut` and in the reason.
 */
import { BROKER_DELIVERY_COUNT_HEADER, DELIVERIES_HEADER, INTERRUPTED_HEADER } from './delivery-count.js';
import { fromFieldValue, toFieldTable, type FieldTable } from './field-table.js';

export const DEAD_LETTER_HEADER = {
  reason: 'x-celeriac-dead-reason',
  code: 'x-celeriac-dead-code',
  queue: 'x-celeriac-dead-queue',
  routingKey: 'x-celeriac-dead-routing-key',
  at: 'x-celeriac-dead-at',
  node: 'x-celeriac-dead-node',
  cut: 'x-celeriac-dead-cut',
} as const;

/** Longest reason written; a reason quoting hostile input (a task name) is cut to this. */
export const MAX_REASON_CHARS = 1000;
/** Longest original header value a `cut` copy keeps (UTF-8 bytes, or bytes of a byte array). */
export const MAX_KEPT_HEADER_BYTES = 1024;
/** Names listed in `x-celeriac-dead-cut` before "and N more". */
const MAX_CUT_NAMES = 20;

export type DeadLetterFit = 'whole' | 'cut' | 'bare';
export const DEAD_LETTER_FITS: readonly DeadLetterFit[] = ['whole', 'cut', 'bare'];

export interface DeadLetterStamp {
  code: string;
  reason: string;
  queue: string;
  routingKey: string;
  node: string;
  at: Date;
}

export function deadLetterHeaders(
  original: Readonly<Record<string, unknown>> | undefined,
  stamp: DeadLetterStamp,
  fit: DeadLetterFit,
): FieldTable {
  const { kept, cut } = fitHeaders(original ?? {}, fit);
  const named = cut.length === 0 ? '' : `; headers cut to fit the broker: ${listNames(cut)}`;
  return toFieldTable({
    ...kept,
    [DEAD_LETTER_HEADER.reason]: `${clip(stamp.reason, MAX_REASON_CHARS)}${named}`,
    [DEAD_LETTER_HEADER.code]: clip(stamp.code, 100),
    [DEAD_LETTER_HEADER.queue]: stamp.queue,
    [DEAD_LETTER_HEADER.routingKey]: clip(stamp.routingKey, 255),
    [DEAD_LETTER_HEADER.at]: stamp.at.toISOString(),
    [DEAD_LETTER_HEADER.node]: stamp.node,
    ...(cut.length === 0 ? {} : { [DEAD_LETTER_HEADER.cut]: listNames(cut) }),
  });
}

/** `text` at most `max` characters long, saying how much was left out. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

function fitHeaders(
  original: Readonly<Record<string, unknown>>,
  fit: DeadLetterFit,
): { kept: Record<string, unknown>; cut: string[] } {
  const names = Object.keys(original);
  if (fit === 'whole') return { kept: { ...original }, cut: [] };
  if (fit === 'bare') return { kept: {}, cut: names };
  const kept: Record<string, unknown> = {};
  const cut: string[] = [];
  for (const name of names) {
    const value = original[name];
    if (encodedSize(value) <= MAX_KEPT_HEADER_BYTES) kept[name] = value;
    else {
      cut.push(name);
      if (typeof value === 'string') kept[name] = clip(value, MAX_KEPT_HEADER_BYTES / 4);
    }
  }
  return { kept, cut };
}

/** About the bytes a value takes in a header table; JSON is close enough for nested values. */
function encodedSize(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value);
  if (Buffer.isBuffer(value)) return value.length;
  try {
    return Buffer.byteLength(
      JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? inner.toString() : inner)) ?? '',
    );
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

function listNames(names: readonly string[]): string {
  const shown = names.slice(0, MAX_CUT_NAMES).map((name) => clip(name, 60));
  const more = names.length - shown.length;
  return more > 0 ? `${shown.join(', ')} and ${more} more` : shown.join(', ');
}

/** What a dead letter says about itself: the `x-celeriac-dead-*` headers, read back. */
export interface DeadLetterInfo {
  code: string | null;
  reason: string | null;
  /** The queue the message was taken from, where a requeue sends it back. */
  queue: string | null;
  routingKey: string | null;
  at: Date | null;
  node: string | null;
}

export function readDeadLetterInfo(headers: Readonly<Record<string, unknown>> | undefined): DeadLetterInfo {
  const text = (name: string) => {
    const value = fromFieldValue(headers?.[name]);
    return typeof value === 'string' ? value : Buffer.isBuffer(value) ? value.toString() : null;
  };
  const at = text(DEAD_LETTER_HEADER.at);
  const time = at === null ? Number.NaN : Date.parse(at);
  return {
    code: text(DEAD_LETTER_HEADER.code),
    reason: text(DEAD_LETTER_HEADER.reason),
    queue: text(DEAD_LETTER_HEADER.queue),
    routingKey: text(DEAD_LETTER_HEADER.routingKey),
    at: Number.isNaN(time) ? null : new Date(time),
    node: text(DEAD_LETTER_HEADER.node),
  };
}

/**
 * The headers a dead letter goes back to its queue with: its original ones, without the
 * `x-celeriac-dead-*` stamp and without any delivery count (Celeriac's or the broker's), so the
 * task starts afresh and is not dead-lettered again at once for deliveries it had before.
 */
export function requeuedHeaders(headers: Readonly<Record<string, unknown>> | undefined): FieldTable {
  const dropped = new Set<string>([...Object.values(DEAD_LETTER_HEADER), ...FRESH_START_HEADERS]);
  return toFieldTable(Object.fromEntries(Object.entries(headers ?? {}).filter(([name]) => !dropped.has(name))));
}

/** Counts a requeued task must not carry over. */
const FRESH_START_HEADERS = [DELIVERIES_HEADER, INTERRUPTED_HEADER, BROKER_DELIVERY_COUNT_HEADER];
