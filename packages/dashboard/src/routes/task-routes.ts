/**
 * Tasks: the recent history (filtered by name, state, worker, id and time), one task's page
 * (summary, arguments, traceback, timeline, related tasks), and the actions: send, revoke or
 * terminate, re-send.
 */
import type { FastifyInstance } from 'fastify';
import type { TaskView } from '@celeriac/client';
import type { RouteContext } from '../context.js';
import { reprToJson } from '../repr-json.js';

interface TaskQuery {
  q?: string;
  state?: string;
  worker?: string;
  since?: number;
  until?: number;
  limit?: number;
}

interface SendBody {
  name: string;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  queue?: string;
  countdown?: number;
}

const TEXT = { type: 'string', minLength: 1, maxLength: 200 } as const;
const ID = { type: 'object', properties: { id: TEXT }, required: ['id'] } as const;
const ARGS = { args: { type: 'array', maxItems: 100 }, kwargs: { type: 'object' } } as const;

const listSchema = {
  summary: 'Recent tasks, newest first',
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      q: { type: 'string', maxLength: 200 },
      state: { type: 'string', pattern: '^[A-Z]{1,20}$' },
      worker: TEXT,
      since: { type: 'number', minimum: 0 },
      until: { type: 'number', minimum: 0 },
      limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
    },
  },
} as const;

const sendSchema = {
  summary: 'Send a task by name',
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: {
      name: { type: 'string', pattern: '^[A-Za-z_][\\w.:-]{0,199}$' },
      ...ARGS,
      queue: TEXT,
      countdown: { type: 'number', minimum: 0, maximum: 31_536_000 },
    },
  },
} as const;

export function registerTaskRoutes(app: FastifyInstance, { fleet }: RouteContext): void {
  app.get<{ Querystring: TaskQuery }>('/api/tasks', { schema: listSchema }, (request) =>
    fleet.state
      .tasks()
      .filter(matching(request.query))
      .slice(0, request.query.limit ?? 100),
  );
  app.get<{ Params: { id: string } }>(
    '/api/tasks/:id',
    { schema: { summary: 'One task', params: ID } },
    (request, reply) => {
      const task = fleet.state.tasks().find((view) => view.uuid === request.params.id);
      if (task === undefined)
        return reply.code(404).send({ error: 'NOT_FOUND', message: 'no such task in the recent history' });
      return { ...task, ...fleet.log.get(task.uuid), related: fleet.log.related(task.uuid) };
    },
  );
  app.post<{ Body: SendBody }>('/api/tasks', { schema: sendSchema }, async (request) => {
    const { name, args, kwargs, queue, countdown } = request.body;
    const sent = await fleet.client.sendTask(name, args ?? [], kwargs ?? {}, { queue, countdown });
    return { id: sent.id };
  });
  app.post<{ Params: { id: string }; Body: { terminate?: boolean } }>(
    '/api/tasks/:id/revoke',
    {
      schema: {
        summary: 'Revoke a task (terminate: also abort it if running)',
        params: ID,
        body: { type: 'object', additionalProperties: false, properties: { terminate: { type: 'boolean' } } },
      },
    },
    async (request) => {
      await fleet.client.revoke(request.params.id, { terminate: request.body.terminate ?? false });
      return { revoked: request.params.id };
    },
  );
  app.post<{ Params: { id: string }; Body: { args?: unknown[]; kwargs?: Record<string, unknown> } }>(
    '/api/tasks/:id/resend',
    {
      schema: {
        summary: 'Send a task again under a new id, with its arguments or the ones given',
        params: ID,
        body: { type: 'object', additionalProperties: false, properties: ARGS },
      },
    },
    async (request, reply) => {
      const task = fleet.state.tasks().find((view) => view.uuid === request.params.id);
      const details = fleet.log.get(request.params.id);
      if (task?.name == null || details === null)
        return reply.code(404).send({ error: 'NOT_FOUND', message: 'no such task in the recent history' });
      const args = request.body.args ?? reprToJson(details.args ?? '');
      const kwargs = request.body.kwargs ?? reprToJson(details.kwargs ?? '{}');
      if (!Array.isArray(args) || kwargs === null || typeof kwargs !== 'object' || Array.isArray(kwargs))
        return reply.code(409).send({
          error: 'ARGS_UNKNOWN',
          message: 'the arguments cannot be read back from the events; give args and kwargs',
        });
      const sent = await fleet.client.sendTask(task.name, args, kwargs as Record<string, unknown>, {
        queue: details.queue ?? undefined,
      });
      return { id: sent.id };
    },
  );
}

function matching(query: TaskQuery): (task: TaskView) => boolean {
  const q = query.q?.toLowerCase();
  return (task) =>
    (q === undefined || task.uuid.includes(q) || (task.name ?? '').toLowerCase().includes(q)) &&
    (query.state === undefined || task.state === query.state) &&
    (query.worker === undefined || task.worker === query.worker) &&
    (query.since === undefined || task.updatedMs >= query.since) &&
    (query.until === undefined || task.updatedMs <= query.until);
}
