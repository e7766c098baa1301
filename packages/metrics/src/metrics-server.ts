import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorMeta, type Logger } from '@celeriac/core';
import type { Registry } from 'prom-client';

export interface MetricsServerOptions {
  /** 0 picks a free port (see `port` once started). */
  port: number;
  /** @default '0.0.0.0' (Prometheus and the kubelet scrape from outside the pod) */
  host?: string;
  registry: Registry;
  /** `/healthz` answers 200 while this is true, else 503. */
  healthy: () => boolean;
  logger: Logger;
}

/**
 * The HTTP endpoint of one process: `/metrics` in Prometheus text format, `/healthz` for
 * liveness and readiness probes. Nothing else is served.
 */
export class MetricsServer {
  private constructor(
    private readonly server: Server,
    readonly port: number,
  ) {}

  static async start(options: MetricsServerOptions): Promise<MetricsServer> {
    const server = createServer((request, response) => void answer(options, request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host ?? '0.0.0.0', () => resolve());
    });
    server.on('error', (error) => options.logger.log('warn', 'metrics server error', errorMeta(error)));
    return new MetricsServer(server, (server.address() as AddressInfo).port);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

async function answer(
  options: MetricsServerOptions,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const path = (request.url ?? '/').split('?')[0];
  try {
    if (path === '/metrics') return send(response, 200, options.registry.contentType, await options.registry.metrics());
    if (path === '/healthz')
      return options.healthy() ? send(response, 200, TEXT, 'ok\n') : send(response, 503, TEXT, 'unavailable\n');
    send(response, 404, TEXT, 'not found: try /metrics or /healthz\n');
  } catch (error) {
    options.logger.log('warn', 'metrics request failed', errorMeta(error));
    send(response, 500, TEXT, 'error\n');
  }
}

const TEXT = 'text/plain; charset=utf-8';

function send(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(body);
}
