/**
 * The shape of a Celery task message (protocol v2), decoded into camelCase.
 * The wire names and their exact types are described in ../PROTOCOL.md.
 */
import type { FieldTable } from './field-table.js';

/**
 * A canvas signature as Celery serialises it (canvas.Signature, a dict): in `link`/`link_error`,
 * chains, chord bodies. `subtask_type` is null for a task, 'group', 'chain' or 'chord' for the
 * canvases (their parts in `kwargs`); `chord_size` is set on a chord's header tasks only.
 */
export interface Signature {
  task: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  options: Record<string, unknown>;
  subtask_type: string | null;
  immutable: boolean;
  chord_size?: number | null;
}

/** The third element of the body: workflow signatures carried with the task. */
export interface TaskEmbed {
  callbacks: Signature[] | null;
  errbacks: Signature[] | null;
  chain: Signature[] | null;
  chord: Signature | null;
}

/** Time limits in seconds; on the wire they travel as `[hard, soft]`. */
export interface TimeLimit {
  hard: number | null;
  soft: number | null;
}

/** A task message as a worker sees it, whichever protocol version it arrived in. */
export interface TaskMessage {
  protocol: 1 | 2;
  id: string;
  name: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  embed: TaskEmbed;
  eta: Date | null;
  expires: Date | null;
  retries: number;
  timeLimit: TimeLimit;
  rootId: string;
  parentId: string | null;
  group: string | null;
  groupIndex: number | null;
  shadow: string | null;
  origin: string | null;
  ignoreResult: boolean;
  replyTo: string | null;
  correlationId: string;
  priority: number | null;
  /** Every header as received, custom ones included. */
  headers: Record<string, unknown>;
}

/** What a producer says about a task; everything but id and name has Celery's default. */
export interface TaskMessageInput {
  id: string;
  name: string;
  args?: readonly unknown[];
  kwargs?: Readonly<Record<string, unknown>>;
  embed?: Partial<TaskEmbed>;
  eta?: Date | null;
  expires?: Date | null;
  retries?: number;
  timeLimit?: Partial<TimeLimit>;
  rootId?: string;
  parentId?: string | null;
  group?: string | null;
  groupIndex?: number | null;
  shadow?: string | null;
  origin?: string;
  ignoreResult?: boolean;
  replyTo?: string | null;
  priority?: number;
  /** Extra headers, merged into the table at top level as `apply_async(headers=...)` does. */
  headers?: Readonly<Record<string, unknown>>;
}

/** AMQP properties of a task publish, in amqplib's spelling. */
export interface TaskPublishProperties {
  contentType: 'application/json';
  contentEncoding: 'utf-8';
  deliveryMode: 2;
  priority: number;
  correlationId: string;
  replyTo?: string;
  expiration?: string;
  headers: FieldTable;
}

export interface EncodedTask {
  body: Buffer;
  properties: TaskPublishProperties;
}

/** A message as it comes off the broker (structurally amqplib's `Message`). */
export interface RawMessage {
  content: Buffer;
  properties: {
    contentType?: unknown;
    contentEncoding?: unknown;
    headers?: Record<string, unknown> | undefined;
    correlationId?: unknown;
    replyTo?: unknown;
    priority?: unknown;
  };
}

export const EMPTY_EMBED: Readonly<TaskEmbed> = Object.freeze({
  callbacks: null,
  errbacks: null,
  chain: null,
  chord: null,
});
