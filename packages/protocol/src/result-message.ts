import { ProtocolError } from './errors.js';
import { parseJson, stringifyJson } from './kombu-json.js';
import { isTaskState, type TaskState } from './states.js';

/**
 * A task state as Celery's backends carry it: the body of an rpc:// reply, and the core of a
 * MongoDB `celery_taskmeta` document. Readers tolerate extra keys (Celery 5.7 adds several).
 */
export interface ResultMeta {
  task_id: string;
  status: TaskState;
  result: unknown;
  traceback: string | null;
  children: unknown[] | null;
}

/** AMQP properties of an rpc:// reply, as Celery's rpc backend publishes it. */
export interface ResultPublishProperties {
  contentType: 'application/json';
  contentEncoding: 'utf-8';
  deliveryMode: 1;
  priority: 0;
  correlationId: string;
}

export function encodeResult(meta: ResultMeta, correlationId: string = meta.task_id) {
  const body = Buffer.from(stringifyJson(meta), 'utf8');
  const properties: ResultPublishProperties = {
    contentType: 'application/json',
    contentEncoding: 'utf-8',
    deliveryMode: 1,
    priority: 0,
    correlationId,
  };
  return { body, properties };
}

export function decodeResult(content: Buffer): ResultMeta {
  const value = parseResultJson(content);
  if (typeof value !== 'object' || value === null) throw invalid('a result must be a JSON object');
  const meta = value as Record<string, unknown>;
  if (typeof meta.task_id !== 'string') throw invalid('a result must carry "task_id"');
  if (!isTaskState(meta.status)) throw invalid(`unknown task state ${JSON.stringify(meta.status)}`);
  return {
    task_id: meta.task_id,
    status: meta.status,
    result: meta.result ?? null,
    traceback: typeof meta.traceback === 'string' ? meta.traceback : null,
    children: Array.isArray(meta.children) ? meta.children : null,
  };
}

function parseResultJson(content: Buffer): unknown {
  try {
    return parseJson(content.toString('utf8'));
  } catch (error) {
    throw new ProtocolError(
      'BODY_UNDECODABLE',
      `result is not valid JSON: ${(error as Error).message}`,
      {},
      { cause: error },
    );
  }
}

function invalid(message: string): ProtocolError {
  return new ProtocolError('BODY_SHAPE_INVALID', message);
}
