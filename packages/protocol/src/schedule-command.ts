/**
 * Schedule commands: Celeriac's own message (Celery has no runtime schedule edits) from a client
 * to the leading beat of a group, on its control queue through the default exchange.
 *
 * The body is the JSON of a ScheduleCommand; `correlation_id` is the request id and `reply_to`
 * the client's rpc reply queue. The AMQP `expiration` equals the client's wait, so a command
 * nobody waits for any more is never applied late. Beat answers in Celery's result format
 * (schedule-reply.ts), so a client reuses its rpc result reader to wait for the answer.
 */
import { ProtocolError } from './errors.js';
import type { ScheduleEntry, ScheduleInput } from './schedule-shapes.js';

export type ScheduleCommand =
  | { op: 'add'; schedule: ScheduleInput }
  | { op: 'update'; schedule: ScheduleInput }
  | { op: 'remove'; name: string }
  | { op: 'enable'; name: string }
  | { op: 'disable'; name: string }
  | { op: 'list' };

/** What beat sends back in the SUCCESS result of a command. */
export type ScheduleReply =
  | { op: 'add' | 'update' | 'enable' | 'disable'; entry: ScheduleEntry }
  | { op: 'remove'; removed: boolean }
  | { op: 'list'; entries: ScheduleEntry[] };

export type ScheduleOp = ScheduleCommand['op'];

/** Where the answer goes and how long the command stays worth applying. */
export interface ScheduleRequest {
  requestId: string;
  /** The client's rpc reply queue. */
  replyTo: string;
  /** The client's wait; the command expires in the queue after it. */
  timeoutMs: number;
}

export interface ScheduleCommandProperties {
  contentType: 'application/json';
  contentEncoding: 'utf-8';
  correlationId: string;
  replyTo: string;
  deliveryMode: 2;
  expiration: string;
}

export interface EncodedScheduleCommand {
  body: Buffer;
  properties: ScheduleCommandProperties;
}

const NAME_OPS: ReadonlySet<string> = new Set(['remove', 'enable', 'disable']);
const INPUT_OPS: ReadonlySet<string> = new Set(['add', 'update']);

/** A command as `client.schedules` publishes it: persistent, so it survives a broker restart while no beat leads. */
export function encodeScheduleCommand(command: ScheduleCommand, request: ScheduleRequest): EncodedScheduleCommand {
  const properties: ScheduleCommandProperties = {
    contentType: 'application/json',
    contentEncoding: 'utf-8',
    correlationId: request.requestId,
    replyTo: request.replyTo,
    deliveryMode: 2,
    expiration: String(Math.ceil(request.timeoutMs)),
  };
  return { body: Buffer.from(JSON.stringify(command), 'utf8'), properties };
}

/**
 * The shape of a command off the control queue, checked before anything is applied; a
 * ProtocolError says what is wrong. The schedule itself is validated later by core's
 * compileScheduleInput (beat trusts no client).
 */
export function decodeScheduleCommand(body: Buffer): ScheduleCommand {
  const value = parseBody(body);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw shape('a schedule command must be a JSON object');
  const { op, name, schedule } = value as { op?: unknown; name?: unknown; schedule?: unknown };
  if (op === 'list') return { op };
  if (typeof op === 'string' && NAME_OPS.has(op)) return { op: op as 'remove', name: nameOf(name) };
  if (typeof op === 'string' && INPUT_OPS.has(op)) return { op: op as 'add', schedule: inputOf(schedule) };
  throw shape(
    `unknown schedule command op ${JSON.stringify(op)}; expected add, update, remove, enable, disable or list`,
  );
}

function parseBody(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new ProtocolError(
      'BODY_UNDECODABLE',
      `a schedule command must be JSON: ${(error as Error).message}`,
      {},
      { cause: error },
    );
  }
}

function nameOf(name: unknown): string {
  if (typeof name === 'string' && name.length > 0) return name;
  throw shape('the command needs the schedule name as a non-empty string');
}

function inputOf(schedule: unknown): ScheduleInput {
  if (typeof schedule === 'object' && schedule !== null && !Array.isArray(schedule)) return schedule as ScheduleInput;
  throw shape('the command needs a schedule object');
}

function shape(message: string): ProtocolError {
  return new ProtocolError('BODY_SHAPE_INVALID', message);
}
