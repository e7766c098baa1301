/**
 * Schedules, through the same AMQP commands as `client.schedules` (the leading beat applies them
 * at once): list with next fires, add, update, enable, disable, remove, and the preview of a
 * spec's next fires. Input is checked here with @celeriac/core's own compile before it is sent,
 * so the page gets the reason and the field at fault while the user types.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { InvalidArgumentError, compileScheduleInput, type ScheduleInput, type ScheduleSpec } from '@celeriac/core';
import type { RouteContext } from '../context.js';
import { nextFire, preview } from '../preview.js';
import { scheduleSchema, previewSchema, NAME_PARAMS, type PreviewQuery } from './schedule-schemas.js';

const FIELDS: ReadonlyArray<[RegExp, string]> = [
  [/cron expression/, 'expression'],
  [/time zone/, 'timezone'],
  [/everyMs|interval/, 'every'],
  [/invalid (at|once)|ISO 8601/, 'at'],
  [/invalid task/, 'task'],
  [/schedule name/, 'name'],
];

export function registerScheduleRoutes(app: FastifyInstance, { fleet }: RouteContext): void {
  const schedules = () => fleet.client.schedules;
  app.get('/api/schedules', { schema: { summary: "The leading beat's schedules" } }, async () => {
    const now = new Date();
    return (await schedules().list()).map((entry) => ({
      ...entry,
      nextFire: entry.enabled ? nextFire(entry.schedule, entry.lastSlot, now) : null,
    }));
  });
  app.get<{ Querystring: PreviewQuery }>('/api/schedules/preview', { schema: previewSchema }, (request, reply) =>
    validated(reply, () => preview(specOf(request.query), new Date(), request.query.count ?? 10)),
  );
  app.post<{ Body: ScheduleInput }>('/api/schedules', { schema: scheduleSchema('Add a schedule') }, (request, reply) =>
    validated(
      reply,
      () => checked(request.body),
      () => schedules().add(request.body),
    ),
  );
  app.post<{ Body: ScheduleInput; Params: { name: string } }>(
    '/api/schedules/:name',
    { schema: { ...scheduleSchema('Replace a schedule (keeps its last slot and run count)'), params: NAME_PARAMS } },
    (request, reply) =>
      validated(
        reply,
        () => checked({ ...request.body, name: request.params.name }),
        () => schedules().update({ ...request.body, name: request.params.name }),
      ),
  );
  for (const action of ['enable', 'disable', 'remove'] as const)
    app.post<{ Params: { name: string } }>(
      `/api/schedules/:name/${action}`,
      { schema: { summary: `${action} a schedule`, params: NAME_PARAMS } },
      async (request) => ({ [action]: await schedules()[action](request.params.name) }),
    );
}

function specOf(query: PreviewQuery): ScheduleSpec {
  if (query.kind === 'interval') return { kind: 'interval', everyMs: query.everyMs ?? 0 };
  return { kind: 'cron', expression: query.expression ?? '', timezone: query.timezone ?? 'UTC' };
}

function checked(input: ScheduleInput): void {
  compileScheduleInput(input, new Date());
}

/** Runs `check`; an InvalidArgumentError becomes a 400 naming the field, else `then` answers. */
async function validated<T>(reply: FastifyReply, check: () => T, then?: () => Promise<unknown>): Promise<unknown> {
  try {
    const value = check();
    return then ? await then() : value;
  } catch (error) {
    if (!(error instanceof InvalidArgumentError)) throw error;
    const field = FIELDS.find(([pattern]) => pattern.test(error.message))?.[1] ?? null;
    return reply.code(400).send({ error: error.code, message: error.message, field });
  }
}
