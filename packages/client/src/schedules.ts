/**
 * Runtime schedule edits from a client: each call publishes one ScheduleCommand to beat's
 * control queue and waits for the leading beat's answer on the client's rpc reply queue (the
 * answer is in Celery's result format, so the ordinary result reader routes it by request id).
 * Nothing restarts: the leader applies the command to its store and its heap at once. The
 * command and answer formats are @celeriac/protocol's (schedule-command.ts, schedule-reply.ts).
 */
import { randomUUID } from 'node:crypto';
import {
  decodeScheduleReply,
  encodeScheduleCommand,
  exceptionMessage,
  type ResultMeta,
  type ScheduleCommand,
  type ScheduleEntry,
  type ScheduleInput,
  type ScheduleReply,
} from '@celeriac/protocol';
import {
  CeleriacError,
  ConfigurationError,
  InvalidArgumentError,
  ResultError,
  compileScheduleInput,
} from '@celeriac/core';
import {
  DEFAULT_EXCHANGE,
  beatControlQueue,
  type BeatGroup,
  type QueueType,
  type ConfirmPublisher,
  type RpcResultReader,
} from '@celeriac/amqp';

/** What the schedule commands need of the client's transport. */
export interface ScheduleTransport {
  publisher: ConfirmPublisher;
  results: RpcResultReader | null;
}

export interface ScheduleCallOptions {
  /** How long to wait for a beat's answer; the command expires in the queue after this too. @default 10 000 */
  timeoutMs?: number;
}

/** The leading beat refused a command for a reason other than invalid input (e.g. its store failed). */
export class ScheduleCommandError extends CeleriacError {
  /** The remote error's type, e.g. 'ConnectionError'. */
  readonly excType: string;
  constructor(excType: string, message: string) {
    super('SCHEDULE_COMMAND_FAILED', message);
    this.excType = excType;
  }
}

export const DEFAULT_SCHEDULE_TIMEOUT_MS = 10_000;

/**
 * `client.schedules`: add, change, remove, enable, disable and list the schedules of the
 * leading beat. Needs the client's rpc:// result backend (the default) for the answers.
 *
 * ```ts
 * await client.schedules.add({ name: 'report', task: 'reports.daily', schedule: { kind: 'cron', expression: '0 6 * * *', timezone: 'Europe/Warsaw' } });
 * await client.schedules.disable('report');
 * const all = await client.schedules.list();
 * ```
 */
export class ScheduleClient {
  constructor(
    private readonly transport: () => Promise<ScheduleTransport>,
    private readonly group: BeatGroup = null,
    private readonly queueType: QueueType = 'classic',
  ) {}

  /** Adds a schedule; rejected (InvalidArgumentError) if the name exists or the input is invalid, e.g. a bad cron or zone. */
  async add(input: ScheduleInput, options: ScheduleCallOptions = {}): Promise<ScheduleEntry> {
    return entryOf(await this.#send({ op: 'add', schedule: checkInput(input) }, options));
  }

  /** Replaces an existing schedule's definition, keeping its last slot and run count. */
  async update(input: ScheduleInput, options: ScheduleCallOptions = {}): Promise<ScheduleEntry> {
    return entryOf(await this.#send({ op: 'update', schedule: checkInput(input) }, options));
  }

  /** Removes a schedule; false if there was none. */
  async remove(name: string, options: ScheduleCallOptions = {}): Promise<boolean> {
    const reply = await this.#send({ op: 'remove', name: checkName(name) }, options);
    return reply.op === 'remove' && reply.removed;
  }

  async enable(name: string, options: ScheduleCallOptions = {}): Promise<ScheduleEntry> {
    return entryOf(await this.#send({ op: 'enable', name: checkName(name) }, options));
  }

  async disable(name: string, options: ScheduleCallOptions = {}): Promise<ScheduleEntry> {
    return entryOf(await this.#send({ op: 'disable', name: checkName(name) }, options));
  }

  /** Every stored schedule with its state (last slot, run count). */
  async list(options: ScheduleCallOptions = {}): Promise<ScheduleEntry[]> {
    const reply = await this.#send({ op: 'list' }, options);
    return reply.op === 'list' ? reply.entries : [];
  }

  async #send(command: ScheduleCommand, options: ScheduleCallOptions): Promise<ScheduleReply> {
    const timeoutMs = checkTimeout(options.timeoutMs ?? DEFAULT_SCHEDULE_TIMEOUT_MS);
    const { publisher, results } = await this.transport();
    if (!results)
      throw new ConfigurationError("client.schedules needs the rpc:// result backend to receive beat's answers");
    const requestId = randomUUID();
    const replyTo = await results.replyTo();
    const queue = beatControlQueue(this.group, this.queueType);
    await publisher.ensureQueue(queue);
    const { body, properties } = encodeScheduleCommand(command, { requestId, replyTo, timeoutMs });
    await publisher.publish(DEFAULT_EXCHANGE, queue.name, body, properties);
    return replyOf(await waitForAnswer(results, requestId, timeoutMs, command.op));
  }
}

async function waitForAnswer(
  results: RpcResultReader,
  requestId: string,
  timeoutMs: number,
  op: string,
): Promise<ResultMeta> {
  try {
    return await results.waitForReady(requestId, timeoutMs);
  } catch (error) {
    if (!(error instanceof ResultError && error.code === 'RESULT_TIMEOUT')) throw error;
    throw new ResultError(
      'RESULT_TIMEOUT',
      requestId,
      `no beat answered the schedule command '${op}' within ${timeoutMs} ms: is a beat running on this broker?`,
    );
  }
}

/** SUCCESS carries the ScheduleReply; FAILURE an encoded error, rethrown here with its message. */
export function replyOf(meta: ResultMeta): ScheduleReply {
  const outcome = decodeScheduleReply(meta);
  if (outcome.ok) return outcome.reply;
  const { error } = outcome;
  const message = exceptionMessage(error);
  // Beat's refusal of the input itself comes back as the same error the local check throws.
  if (error.exc_type === 'InvalidArgumentError') throw new InvalidArgumentError(message);
  throw new ScheduleCommandError(
    error.exc_type,
    `beat could not apply the schedule command: ${error.exc_type}: ${message}`,
  );
}

function entryOf(reply: ScheduleReply): ScheduleEntry {
  if ('entry' in reply) return reply.entry;
  throw new ScheduleCommandError('ProtocolError', `beat answered '${reply.op}' without a schedule`);
}

/**
 * The same validation beat applies, here first: a bad cron or zone fails at once, without a
 * broker round trip and even when no beat runs. Beat still validates (it trusts no client).
 */
function checkInput(input: ScheduleInput): ScheduleInput {
  compileScheduleInput(input, new Date());
  return input;
}

function checkName(name: unknown): string {
  if (typeof name === 'string' && name.length > 0) return name;
  throw new InvalidArgumentError('a schedule name must be a non-empty string');
}

function checkTimeout(timeoutMs: unknown): number {
  if (typeof timeoutMs === 'number' && Number.isFinite(timeoutMs) && timeoutMs > 0) return timeoutMs;
  throw new InvalidArgumentError(
    `timeoutMs must be a positive number of milliseconds, got ${JSON.stringify(timeoutMs)}`,
  );
}
