/** Reading what a metrics server serves: /metrics samples and /healthz statuses. */
import { expect } from 'chai';
import { createServer } from 'node:net';
import type { MetricsServer } from '@celeriac/metrics';

export async function scrape(server: MetricsServer): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${server.port}/metrics`);
  expect(response.headers.get('content-type')).to.match(/^text\/plain; version=0\.0\.4/);
  return response.text();
}

export async function health(server: Pick<MetricsServer, 'port'>): Promise<number> {
  return (await fetch(`http://127.0.0.1:${server.port}/healthz`)).status;
}

/** A port free right now (the kernel's pick), for a spawned process to listen on. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The value of one sample, labels in any order; undefined when the series does not exist. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  const line = text
    .split('\n')
    .find((row) =>
      row.startsWith(`${name}{`) || row.startsWith(`${name} `) ? wanted.every((pair) => row.includes(pair)) : false,
    );
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}
