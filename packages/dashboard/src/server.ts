/**
 * The dashboard's HTTP server: Fastify with its JSON-schema validation (every body and query is
 * checked server-side before a handler runs) and @fastify/swagger, which turns the same schemas
 * into the OpenAPI document at /api/openapi.json. Auth runs first on every request; actions
 * (POST) must also come from the dashboard's own page.
 */
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import { CeleriacError } from '@celeriac/core';
import { authorized, sameSiteAction } from './auth.js';
import type { RouteContext } from './context.js';
import { INDEX_HTML, registerAssets } from './assets.js';
import { securityHeaders } from './headers.js';
import { registerFleetRoutes } from './routes/fleet-routes.js';
import { registerTaskRoutes } from './routes/task-routes.js';
import { registerScheduleRoutes } from './routes/schedule-routes.js';
import { registerDeadLetterRoutes } from './routes/dead-letter-routes.js';
import { registerQueueRoutes } from './routes/queue-routes.js';
import { registerStream } from './routes/stream.js';

/** The largest request body accepted: schedules and task arguments, never uploads. */
const BODY_LIMIT = 256 * 1024;

export async function buildServer(context: RouteContext): Promise<FastifyInstance> {
  const app = Fastify({
    bodyLimit: BODY_LIMIT,
    logger: false,
    ajv: { customOptions: { allErrors: false, removeAdditional: false } },
  });
  await app.register(swagger, {
    openapi: {
      info: { title: 'Celeriac dashboard API', version: '0.1.0' },
      components: { securitySchemes: securitySchemes() },
    },
  });
  const headers = await securityHeaders(INDEX_HTML);
  app.addHook('onRequest', (request, reply, done) => guard(context, request, reply, done));
  app.addHook('onSend', async (_request, reply) => void reply.headers(headers));
  app.setErrorHandler<FastifyError>((error, request, reply) => failure(context, error, request, reply));
  registerAssets(app);
  app.get('/api/openapi.json', { schema: { hide: true } }, () => app.swagger());
  registerFleetRoutes(app, context);
  registerTaskRoutes(app, context);
  registerScheduleRoutes(app, context);
  registerDeadLetterRoutes(app, context);
  registerQueueRoutes(app, context);
  registerStream(app, context);
  return app;
}

function guard(context: RouteContext, request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  const { auth } = context.options;
  if (auth !== null && !authorized(auth, request.headers.authorization)) {
    if (auth.kind === 'basic') void reply.header('www-authenticate', 'Basic realm="celeriac", charset="UTF-8"');
    void reply.code(401).send({ error: 'UNAUTHORIZED', message: 'credentials required' });
    return;
  }
  if (request.method !== 'GET' && request.method !== 'HEAD' && !sameSiteAction(request.headers)) {
    void reply
      .code(403)
      .send({ error: 'CROSS_SITE', message: "actions are accepted from the dashboard's own page only" });
    return;
  }
  done();
}

/** Bad input is a 400 with the reason; a Celeriac error keeps its code; anything else is logged, not shown. */
function failure(context: RouteContext, error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  if (error.validation) {
    void reply
      .code(400)
      .send({ error: 'INVALID_INPUT', message: `${error.validationContext ?? 'input'} ${error.message}` });
    return;
  }
  if (error instanceof CeleriacError) {
    const status = error.code === 'INVALID_ARGUMENT' ? 400 : 502;
    void reply.code(status).send({ error: error.code, message: redacted(error.message) });
    return;
  }
  if (typeof error.statusCode === 'number' && error.statusCode < 500) {
    void reply.code(error.statusCode).send({ error: error.code, message: error.message });
    return;
  }
  context.options.logger.log('error', 'dashboard request failed', { url: request.url, error: error.message });
  void reply.code(500).send({ error: 'INTERNAL', message: 'the request failed; see the dashboard log' });
}

function securitySchemes(): Record<string, { type: 'http'; scheme: string }> {
  return { basic: { type: 'http', scheme: 'basic' }, bearer: { type: 'http', scheme: 'bearer' } };
}

/** A broker or management URL in an error keeps its host, never its password. */
export function redacted(message: string): string {
  return message.replace(/(\/\/[^:/@\s]+):[^@\s]*@/g, '$1:***@');
}
