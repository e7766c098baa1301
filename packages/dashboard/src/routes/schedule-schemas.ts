/** JSON schemas of the schedule routes: Fastify checks requests with them and the OpenAPI document shows them. */
const TEXT = { type: 'string', minLength: 1, maxLength: 200 } as const;

export const NAME_PARAMS = { type: 'object', properties: { name: TEXT }, required: ['name'] } as const;

export interface PreviewQuery {
  kind?: 'cron' | 'interval';
  expression?: string;
  timezone?: string;
  everyMs?: number;
  count?: number;
}

export const previewSchema = {
  summary: 'The next fires of a cron expression in a zone (or of an interval), with DST-change days marked',
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      kind: { type: 'string', enum: ['cron', 'interval'] },
      expression: { type: 'string', maxLength: 200 },
      timezone: { type: 'string', maxLength: 64 },
      everyMs: { type: 'integer' },
      count: { type: 'integer', minimum: 1, maximum: 100 },
    },
  },
} as const;

const SPEC = {
  type: 'object',
  required: ['kind'],
  properties: {
    kind: { type: 'string', enum: ['cron', 'interval', 'once'] },
    expression: { type: 'string', maxLength: 200 },
    timezone: { type: 'string', maxLength: 64 },
    everyMs: { type: 'integer' },
    anchor: { type: 'string', maxLength: 64 },
    at: { type: 'string', maxLength: 64 },
  },
  additionalProperties: false,
} as const;

export function scheduleSchema(summary: string) {
  return {
    summary,
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['task', 'schedule'],
      properties: {
        name: TEXT,
        task: TEXT,
        schedule: SPEC,
        args: { type: 'array', maxItems: 100 },
        kwargs: { type: 'object' },
        options: {
          type: 'object',
          additionalProperties: false,
          properties: {
            queue: TEXT,
            priority: { type: 'integer', minimum: 0, maximum: 255 },
            expires: { type: 'number', minimum: 0 },
          },
        },
        enabled: { type: 'boolean' },
        missedRuns: { type: 'string', enum: ['skip', 'once', 'all'] },
        maxCatchUp: { type: 'integer', minimum: 1 },
      },
    },
  } as const;
}
