/**
 * A running dashboard: the fleet connection and the HTTP server over it.
 *
 * ```ts
 * const dashboard = await Dashboard.start({ brokerUrl, port: 5555 });
 * console.log(dashboard.url);
 * await dashboard.close();
 * ```
 */
import type { FastifyInstance } from 'fastify';
import { Fleet } from './fleet.js';
import { compileDashboardOptions, type DashboardOptions } from './options.js';
import { buildServer } from './server.js';

export class Dashboard {
  private constructor(
    private readonly server: FastifyInstance,
    private readonly fleet: Fleet,
    /** Where it listens, e.g. `http://127.0.0.1:5555/`. */
    readonly url: string,
  ) {}

  static async start(input: DashboardOptions = {}): Promise<Dashboard> {
    const options = compileDashboardOptions(input);
    const fleet = await Fleet.open(options);
    try {
      const server = await buildServer({ fleet, options });
      await server.listen({ host: options.host, port: options.port });
      const address = server.server.address();
      const port = typeof address === 'object' && address !== null ? address.port : options.port;
      const host = options.host.includes(':') ? `[${options.host}]` : options.host;
      return new Dashboard(server, fleet, `http://${host}:${port}/`);
    } catch (error) {
      await fleet.close();
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.server.close();
    await this.fleet.close();
  }
}
