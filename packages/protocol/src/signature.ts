/**
 * Canvas signatures on the wire: reading them from a message's embed, and turning one into the
 * task message that Celery's `Signature.apply_async(args, **options)` publishes. The option
 * names are Celery's (`task_id`, `queue`, `link`, `group_id`, ...): they are the wire.
 */
import { ProtocolError, type MessageIdentity } from './errors.js';
import { parseCeleryDate } from './iso-date.js';
import type { Signature, TaskMessageInput } from './task-message.js';

/** Reads one signature as Celery's `signature(dict)` accepts it, filling its defaults. */
export function readSignature(value: unknown, where: string, identity: MessageIdentity = {}): Signature {
  const fields = isObject(value) ? value : invalid(`${where} must be a signature object`, identity);
  const task = fields.task;
  if (typeof task !== 'string' || !task) invalid(`${where}.task must be a non-empty string`, identity);
  const sig: Signature = {
    task,
    args: listOr(fields.args, `${where}.args`, identity),
    kwargs: objectOr(fields.kwargs, `${where}.kwargs`, identity),
    options: objectOr(fields.options, `${where}.options`, identity),
    subtask_type: typeof fields.subtask_type === 'string' ? fields.subtask_type : null,
    immutable: fields.immutable === true,
  };
  if (typeof fields.chord_size === 'number') sig.chord_size = fields.chord_size;
  return sig;
}

/** A list of signatures (`callbacks`, `chain`), or one alone as Celery's `link=sig` also allows. */
export function readSignatures(value: unknown, where: string, identity: MessageIdentity = {}): Signature[] | null {
  if (value === undefined || value === null) return null;
  const list = Array.isArray(value) ? value : [value];
  return list.map((item, index) => readSignature(item, `${where}[${index}]`, identity));
}

/** What a finished task passes to `apply_async` of the signature it sends next. */
export interface SignatureCall {
  /** Prepended to the signature's own args unless it is immutable (`si`). */
  args?: readonly unknown[];
  kwargs?: Readonly<Record<string, unknown>>;
  /** Celery's apply_async options; the signature's own win for group_id (Celery's immutable options). */
  options?: Readonly<Record<string, unknown>>;
}

/** A task message ready to encode, and the queue the signature names (null: the sender's default). */
export interface SignatureSend {
  message: TaskMessageInput;
  queue: string | null;
}

/** Options whose value in the signature is kept over the caller's (Celery's _IMMUTABLE_OPTIONS). */
const KEPT_OPTIONS = new Set(['group_id']);

/** Celery's `Signature._merge`: partial args in front, kwargs merged, options merged. */
export function mergeCall(sig: Signature, call: SignatureCall): Signature {
  const given = Object.entries(call.options ?? {}).filter(([key]) => !(KEPT_OPTIONS.has(key) && key in sig.options));
  const options = { ...sig.options, ...Object.fromEntries(given) };
  if (sig.immutable) return { ...sig, options };
  return { ...sig, args: [...(call.args ?? []), ...sig.args], kwargs: { ...sig.kwargs, ...call.kwargs }, options };
}

/**
 * The message a plain task signature sends once merged with `call`: its id from `task_id` (else
 * `newId`), the workflow from `link`, `link_error`, `chain`, `chord`, `group_id`, `group_index`.
 */
export function signatureSend(sig: Signature, call: SignatureCall, newId: () => string, now: Date): SignatureSend {
  const merged = mergeCall(sig, call);
  const read = new OptionReader(merged.options, sig.task);
  return {
    message: {
      id: read.string('task_id') ?? newId(),
      name: merged.task,
      args: merged.args,
      kwargs: merged.kwargs,
      embed: {
        callbacks: readSignatures(merged.options.link, 'link'),
        errbacks: readSignatures(merged.options.link_error, 'link_error'),
        chain: readSignatures(merged.options.chain, 'chain'),
        chord: merged.options.chord == null ? null : readSignature(merged.options.chord, 'chord'),
      },
      ...read.times(now),
      ...read.workflow(),
    },
    queue: read.string('queue') ?? read.string('routing_key'),
  };
}

/** Reads Celery's apply_async options, refusing a wrong type with the option's name. */
class OptionReader {
  constructor(
    private readonly options: Record<string, unknown>,
    private readonly task: string,
  ) {}

  string(key: string): string | null {
    const value = this.options[key];
    if (value === undefined || value === null) return null;
    if (typeof value === 'string') return value;
    return invalid(`option ${key} of ${this.task} must be a string`);
  }

  number(key: string): number | null {
    const value = this.options[key];
    if (value === undefined || value === null) return null;
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    return invalid(`option ${key} of ${this.task} must be a number`);
  }

  /** `countdown` (seconds) or `eta`; `expires` as seconds or a date. */
  times(now: Date): Pick<TaskMessageInput, 'eta' | 'expires' | 'timeLimit'> {
    const countdown = this.number('countdown');
    const eta = countdown === null ? this.date('eta') : new Date(now.getTime() + countdown * 1000);
    const expiresIn = typeof this.options.expires === 'number' ? this.number('expires') : null;
    const expires = expiresIn === null ? this.date('expires') : new Date(now.getTime() + expiresIn * 1000);
    return { eta, expires, timeLimit: { hard: this.number('time_limit'), soft: this.number('soft_time_limit') } };
  }

  date(key: string): Date | null {
    const text = this.string(key);
    if (text === null) return null;
    return parseCeleryDate(text) ?? invalid(`option ${key} of ${this.task} is not an ISO-8601 date`);
  }

  workflow(): Omit<TaskMessageInput, 'id' | 'name' | 'args' | 'kwargs' | 'embed' | 'eta' | 'expires' | 'timeLimit'> {
    const priority = this.number('priority');
    const headers = this.options.headers;
    return {
      rootId: this.string('root_id') ?? undefined,
      parentId: this.string('parent_id'),
      group: this.string('group_id'),
      groupIndex: this.number('group_index'),
      shadow: this.string('shadow'),
      ignoreResult: this.options.ignore_result === true,
      replyTo: this.string('reply_to'),
      ...(priority === null ? {} : { priority }),
      ...(isObject(headers) ? { headers: customHeaders(headers) } : {}),
    };
  }
}

/** Protocol headers that a signature's `headers` option must not replace. */
const PROTOCOL_HEADERS = new Set(['lang', 'task', 'id', 'root_id', 'parent_id', 'group', 'group_index', 'retries']);

function customHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(headers).filter(([key]) => !PROTOCOL_HEADERS.has(key)));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function listOr(value: unknown, where: string, identity: MessageIdentity): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : invalid(`${where} must be an array`, identity);
}

function objectOr(value: unknown, where: string, identity: MessageIdentity): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  return isObject(value) ? value : invalid(`${where} must be an object`, identity);
}

function invalid(message: string, identity: MessageIdentity = {}): never {
  throw new ProtocolError('SIGNATURE_INVALID', message, identity);
}
