/**
 * Workers: the live list (events and heartbeats, with queues and pool size from inspect) and the
 * control commands the page sends to one worker, under Celery's names so Python workers obey too.
 */
import type { FastifyInstance } from 'fastify';
import type { WorkerInspection } from '../fleet.js';
import type { RouteContext } from '../context.js';

const ACTIONS = ['shutdown', 'pool_grow', 'pool_shrink', 'rate_limit', 'add_consumer', 'cancel_consumer'] as const;
type Action = (typeof ACTIONS)[number];

interface ControlBody {
  action: Action;
  n?: number;
  task?: string;
  rate?: string;
  queue?: string;
}

const NAME = { type: 'string', minLength: 1, maxLength: 200 } as const;

const controlSchema = {
  summary: 'Send a control command to one worker',
  params: { type: 'object', properties: { hostname: NAME }, required: ['hostname'] },
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['action'],
    properties: {
      action: { type: 'string', enum: ACTIONS },
      n: { type: 'integer', minimum: 1, maximum: 1000 },
      task: NAME,
      rate: { type: 'string', pattern: '^(0|[0-9]+(\\.[0-9]+)?(/[smh])?)$' },
      queue: NAME,
    },
  },
} as const;

export function registerFleetRoutes(app: FastifyInstance, { fleet }: RouteContext): void {
  app.get(
    '/api/workers',
    { schema: { summary: 'Workers seen in events, with what they answer to inspect' } },
    async () => {
      const inspected: Record<string, WorkerInspection> = await fleet.inspect().catch(() => ({}));
      return fleet.state.workers().map((worker) => ({
        ...worker,
        queues: inspected[worker.hostname]?.queues ?? null,
        concurrency: inspected[worker.hostname]?.concurrency ?? null,
      }));
    },
  );
  app.post<{ Params: { hostname: string }; Body: ControlBody }>(
    '/api/workers/:hostname/control',
    { schema: controlSchema },
    async (request, reply) => {
      const [method, args] = command(request.body);
      if (method === null) return reply.code(400).send({ error: 'INVALID_INPUT', message: args.message });
      const replies = await fleet.client.control(method, args, { destination: [request.params.hostname] });
      return { sent: method, replies };
    },
  );
}

/** The Celery control method and arguments of an action, or why the body does not make one. */
function command(body: ControlBody): [string, Record<string, unknown>] | [null, { message: string }] {
  switch (body.action) {
    case 'pool_grow':
    case 'pool_shrink':
      return [body.action, { n: body.n ?? 1 }];
    case 'rate_limit':
      if (body.task === undefined || body.rate === undefined)
        return [null, { message: 'rate_limit needs task and rate' }];
      return ['rate_limit', { task_name: body.task, rate_limit: body.rate }];
    case 'add_consumer':
    case 'cancel_consumer':
      if (body.queue === undefined) return [null, { message: `${body.action} needs a queue` }];
      return [body.action, { queue: body.queue }];
    default:
      return ['shutdown', {}];
  }
}
