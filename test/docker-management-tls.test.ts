/**
 * The Docker stack's RabbitMQ settings (docker/rabbitmq.conf, its lines as they are, with the
 * test's certificates and ports) on a node of the test's own with the management plugin: AMQP
 * and the management API on TLS only, and the dashboard, started as compose starts it (CLI, the
 * CA in NODE_EXTRA_CA_CERTS), fills its queues view from the management API over HTTPS. Without
 * that CA it cannot, and falls back to passive declares: the certificate is checked.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { eventually } from './support/broker.js';
import { PrivateBroker } from './support/private-broker.js';
import { ROOT, SpawnedCli } from './support/spawned-cli.js';
import { TlsCerts } from './support/tls-certs.js';
import { trustedFlags } from './support/tls-node.js';

const PORT = Number(process.env.CELERIAC_TEST_DOCKER_TLS_PORT ?? 5683);
const MANAGEMENT_PORT = PORT + 10_000;

/** docker/rabbitmq.conf with the test's certificate paths and ports in place of the stack's. */
async function dockerConfig(certs: TlsCerts): Promise<string[]> {
  const text = await readFile(join(ROOT, 'docker', 'rabbitmq.conf'), 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim() && !line.startsWith('#'))
    .map((line) =>
      line
        .replace('/certs/rabbitmq.', `${certs.dir}/server.`)
        .replace('/certs/', `${certs.dir}/`)
        .replace(/= 5671$/, `= 127.0.0.1:${PORT}`)
        .replace(/= 15671$/, `= ${MANAGEMENT_PORT}`),
    );
}

describe("the Docker stack's RabbitMQ: AMQP and the management API on TLS only", function () {
  this.timeout(180_000);
  let certs: TlsCerts;
  let broker: PrivateBroker;
  const closers: Array<() => Promise<unknown>> = [];

  before(async () => {
    certs = await TlsCerts.create();
    const listeners = await dockerConfig(certs);
    expect(listeners).to.include(`management.ssl.port = ${MANAGEMENT_PORT}`);
    broker = await PrivateBroker.start(PORT, {
      name: 'celeriac-docker-tls',
      listeners,
      plugins: ['rabbitmq_management'],
    });
  });
  const brokerFlags = () => ['--broker', `amqps://guest:guest@localhost:${PORT}//`, ...trustedFlags(certs)];

  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  });
  after(async () => {
    await broker?.destroy();
    await certs?.remove();
  });

  it('listens for the management API on HTTPS and not on plain HTTP', async () => {
    const status = await broker.ctl(['status']);
    expect(status).to.match(new RegExp(`port: ${MANAGEMENT_PORT}, protocol: https`));
    expect(status).not.to.match(/protocol: http,/);
    expect(status).not.to.match(/protocol: amqp,/);
  });

  async function queuesSource(env: NodeJS.ProcessEnv): Promise<string> {
    const management = ['--management-url', `https://localhost:${MANAGEMENT_PORT}`, '-Q', 'docker.tls'];
    const dashboard = SpawnedCli.start(['dashboard', '--port', '0', ...brokerFlags(), ...management], env);
    closers.push(() => dashboard.stop());
    const listening = await dashboard.waitForLog((line) => line.message === 'dashboard listening', 30_000);
    const base = String((listening as { url?: unknown }).url);
    const body = await eventually(async () => {
      const response = await fetch(`${base}api/queues`);
      return response.ok ? ((await response.json()) as { source?: string }) : undefined;
    });
    return String(body.source);
  }

  it('the dashboard, given the CA as compose gives it, reads queues from the management API over HTTPS', async () => {
    expect(await queuesSource({ NODE_EXTRA_CA_CERTS: certs.path('ca.pem') })).to.equal('management');
  });

  it('without that CA the certificate is refused, and the queues view falls back to passive declares', async () => {
    expect(await queuesSource({})).to.equal('passive');
  });
});
