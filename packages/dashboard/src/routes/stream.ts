/**
 * Live updates over Server-Sent Events: `/api/stream` sends a `change` event whenever the fleet's
 * events changed the workers or tasks (at most every 250 ms), and a comment every 15 s so
 * proxies keep the connection. The page then re-reads the JSON API, so the stream carries no
 * data of its own to keep in step.
 */
import type { FastifyInstance } from 'fastify';
import type { RouteContext } from '../context.js';

const KEEPALIVE_MS = 15_000;

export function registerStream(app: FastifyInstance, { fleet }: RouteContext): void {
  app.get(
    '/api/stream',
    { schema: { summary: 'Server-Sent Events: `change` when workers or tasks changed' } },
    (request, reply) => {
      reply.hijack();
      const out = reply.raw;
      out.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
      });
      out.write('retry: 2000\n\n');
      const stop = fleet.onChange(() => out.write('event: change\ndata: {}\n\n'));
      const keepalive = setInterval(() => out.write(': keepalive\n\n'), KEEPALIVE_MS);
      request.raw.on('close', () => {
        stop();
        clearInterval(keepalive);
      });
    },
  );
}
