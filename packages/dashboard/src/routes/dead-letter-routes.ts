/**
 * Dead letters (`celeriac.dead`) through client.deadLetters, the same admin as `celeriac dead`:
 * list, show one (body and headers), requeue one or a selection (each removed only once the
 * broker confirmed its copy: nothing is lost) and purge a selection or all.
 */
import type { FastifyInstance } from 'fastify';
import type { DeadLetter, DeadLetterFilter } from '@celeriac/client';
import type { RouteContext } from '../context.js';

const ID = { type: 'string', minLength: 1, maxLength: 200 } as const;
const CODE = { type: 'string', pattern: '^[A-Z_]{1,64}$' } as const;

const selectionSchema = (summary: string) =>
  ({
    summary,
    body: {
      type: 'object',
      additionalProperties: false,
      properties: {
        taskIds: { type: 'array', items: ID, minItems: 1, maxItems: 1000 },
        code: CODE,
        all: { type: 'boolean' },
      },
    },
  }) as const;

interface Selection {
  taskIds?: string[];
  code?: string;
  all?: boolean;
}

export function registerDeadLetterRoutes(app: FastifyInstance, { fleet }: RouteContext): void {
  const admin = () => fleet.client.deadLetters;
  app.get<{ Querystring: { limit?: number; task?: string; code?: string } }>(
    '/api/dead-letters',
    {
      schema: {
        summary: 'Dead letters, oldest first, optionally of one task name or reason code',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            limit: { type: 'integer', minimum: 1, maximum: 1000 },
            task: ID,
            code: CODE,
          },
        },
      },
    },
    async (request) => {
      const { limit, task, code } = request.query;
      const filter: DeadLetterFilter = { ...(task ? { task } : {}), ...(code ? { code } : {}) };
      return (await admin().list(filter, limit ?? 100)).map(summary);
    },
  );
  app.get<{ Params: { id: string } }>(
    '/api/dead-letters/:id',
    {
      schema: {
        summary: 'One dead letter with its body and headers',
        params: { type: 'object', properties: { id: ID } },
      },
    },
    async (request, reply) => {
      const [letter] = await admin().list({ taskIds: [request.params.id] }, 1);
      if (letter === undefined) return reply.code(404).send({ error: 'NOT_FOUND', message: 'no such dead letter' });
      return {
        ...summary(letter),
        headers: jsonSafe(letter.headers),
        properties: jsonSafe(letter.properties),
        body: letter.body.toString('utf8'),
      };
    },
  );
  app.post<{ Body: Selection }>(
    '/api/dead-letters/requeue',
    { schema: selectionSchema('Requeue dead letters to their queues') },
    async (request, reply) => {
      const filter = selection(request.body);
      if (filter === null)
        return reply.code(400).send({ error: 'INVALID_INPUT', message: 'select task ids, a code, or all' });
      return admin().requeue(filter);
    },
  );
  app.post<{ Body: Selection }>(
    '/api/dead-letters/purge',
    { schema: selectionSchema('Remove dead letters for good') },
    async (request, reply) => {
      const filter = selection(request.body);
      if (filter === null)
        return reply.code(400).send({ error: 'INVALID_INPUT', message: 'select task ids, a code, or all' });
      return { purged: await admin().purge(filter) };
    },
  );
}

/** A bare request never moves or removes every dead letter: `all` must be said. */
function selection(body: Selection): DeadLetterFilter | null {
  const filter: DeadLetterFilter = {
    ...(body.taskIds ? { taskIds: body.taskIds } : {}),
    ...(body.code ? { code: body.code } : {}),
  };
  return Object.keys(filter).length > 0 || body.all === true ? filter : null;
}

function summary(letter: DeadLetter): Record<string, unknown> {
  const { taskId, task, code, reason, queue, routingKey, at, node } = letter;
  return { taskId, task, code, reason, queue, routingKey, at: at?.toISOString() ?? null, node };
}

/** Headers as JSON: byte strings as text, big integers as strings. */
function jsonSafe(value: unknown): unknown {
  return JSON.parse(
    JSON.stringify(value, (_key, item: unknown) => {
      if (typeof item === 'bigint') return item.toString();
      const buffer = item as { type?: unknown; data?: unknown } | null;
      if (buffer?.type === 'Buffer' && Array.isArray(buffer.data))
        return Buffer.from(buffer.data as number[]).toString('utf8');
      return item;
    }),
  );
}
