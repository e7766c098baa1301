/**
 * The dashboard's JSON API against the test broker, from outside the page: what makes it safe
 * by default (auth, no cross-site actions, every input validated, no secrets in answers) and
 * the OpenAPI document that describes it.
 */
import { expect } from 'chai';
import { Dashboard, parseAuth } from '@celeriac/dashboard';
import { BROKER_URL, deleteQueues, eventually, uniqueName } from './support/broker.js';
import { connect } from 'amqplib';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const PAGE = { 'content-type': 'application/json', 'x-celeriac-dashboard': '1' };
const MANAGEMENT_SECRET = 'mgmt-s3cret-not-shown';

async function call(url: string, init: RequestInit = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, init);
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function queueExists(name: string): Promise<boolean> {
  const connection = await connect(BROKER_URL);
  try {
    const channel = await connection.createChannel();
    channel.on('error', () => undefined);
    return await channel.checkQueue(name).then(
      () => true,
      () => false,
    );
  } finally {
    await connection.close().catch(() => undefined);
  }
}

describe('dashboard API', function () {
  this.timeout(30_000);
  let dashboard: Dashboard;
  let base: string;

  before(async function () {
    dashboard = await Dashboard.start({
      brokerUrl: BROKER_URL,
      port: 0,
      // Nothing listens on port 1: the queues view falls back to passive declares.
      managementUrl: `http://ops:${MANAGEMENT_SECRET}@127.0.0.1:1`,
    });
    base = dashboard.url;
  });

  after(async function () {
    await dashboard?.close();
  });

  it('refuses an action without the page header, or from another origin, and sends nothing', async function () {
    const queue = uniqueName('dash-csrf');
    const body = JSON.stringify({ name: 'tasks.anything', queue });
    const bare = await call(`${base}api/tasks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(bare.status).to.equal(403);
    expect(bare.body.error).to.equal('CROSS_SITE');
    const foreign = await call(`${base}api/tasks`, {
      method: 'POST',
      headers: { ...PAGE, origin: 'http://evil.example' },
      body,
    });
    expect(foreign.status).to.equal(403);
    expect(await queueExists(queue)).to.equal(false);
  });

  it('names the field at fault for a bad cron, an unknown zone and an interval under a second', async function () {
    const add = (schedule: Record<string, unknown>) =>
      call(`${base}api/schedules`, {
        method: 'POST',
        headers: PAGE,
        body: JSON.stringify({ name: uniqueName('dash-bad'), task: 'tasks.report', schedule }),
      });
    const cron = await add({ kind: 'cron', expression: '0 25 * * *', timezone: 'UTC' });
    expect(cron).to.deep.include({ status: 400 });
    expect(cron.body).to.include({ error: 'INVALID_ARGUMENT', field: 'expression' });
    const zone = await add({ kind: 'cron', expression: '0 6 * * *', timezone: 'Europe/Atlantis' });
    expect(zone.body).to.include({ field: 'timezone' });
    expect(String(zone.body.message)).to.include('Europe/Atlantis');
    const interval = await add({ kind: 'interval', everyMs: 999 });
    expect(interval.body).to.include({ field: 'every' });
  });

  it('refuses input outside the schemas before any handler runs', async function () {
    const queue = uniqueName('dash-extra');
    const extra = await call(`${base}api/tasks`, {
      method: 'POST',
      headers: PAGE,
      body: JSON.stringify({ name: 'tasks.x', queue, eval: 'process.exit()' }),
    });
    expect(extra.status, 'an unknown property is refused, not dropped').to.equal(400);
    expect(await queueExists(queue)).to.equal(false);
    expect(extra.body.error).to.equal('INVALID_INPUT');
    const control = await call(`${base}api/workers/someone@host/control`, {
      method: 'POST',
      headers: PAGE,
      body: JSON.stringify({ action: 'exec' }),
    });
    expect(control.status).to.equal(400);
    const query = await call(`${base}api/tasks?limit=100000`);
    expect(query.status).to.equal(400);
    const purgeAll = await call(`${base}api/dead-letters/purge`, { method: 'POST', headers: PAGE, body: '{}' });
    expect(purgeAll.status, 'a bare purge selects nothing').to.equal(400);
  });

  it('finds recent tasks by name or id and by state', async function () {
    const queue = uniqueName('dash-search');
    const name = uniqueName('dash.search');
    try {
      const sent = await call(`${base}api/tasks`, {
        method: 'POST',
        headers: PAGE,
        body: JSON.stringify({ name, queue }),
      });
      const id = String(sent.body.id);
      const found = await eventually(async () => {
        const { body } = await call(`${base}api/tasks?q=${encodeURIComponent(name)}`);
        return (body as unknown as Array<{ uuid: string; state: string }>).length > 0 ? body : undefined;
      });
      expect(found).to.deep.equal([{ ...(found as unknown as Array<object>)[0], uuid: id, name, state: 'PENDING' }]);
      const byId = (await call(`${base}api/tasks?q=${id}`)).body as unknown as Array<{ uuid: string }>;
      expect(byId.map((task) => task.uuid)).to.deep.equal([id]);
      const succeeded = (await call(`${base}api/tasks?q=${encodeURIComponent(name)}&state=SUCCESS`)).body;
      expect(succeeded).to.deep.equal([]);
      const later = (await call(`${base}api/tasks?q=${encodeURIComponent(name)}&since=${Date.now() + 60_000}`)).body;
      expect(later).to.deep.equal([]);
    } finally {
      await deleteQueues(queue);
    }
  });

  it('serves the page unframeable, with scripts from itself and its import map only', async function () {
    const page = await fetch(base);
    expect(page.headers.get('content-type')).to.match(/^text\/html/);
    expect(page.headers.get('x-frame-options')).to.equal('DENY');
    expect(page.headers.get('x-content-type-options')).to.equal('nosniff');
    expect(page.headers.get('content-security-policy'))
      .to.match(/script-src 'self' 'sha256-[A-Za-z0-9+/]+=*'/)
      .and.include("frame-ancestors 'none'");
    const missing = await fetch(`${base}app/..%2Fpackage.json`);
    expect(missing.status).to.equal(404);
  });

  it('describes its routes in an OpenAPI document', async function () {
    const { status, body } = await call(`${base}api/openapi.json`);
    expect(status).to.equal(200);
    expect(body.openapi).to.match(/^3\./);
    expect(Object.keys(body.paths as object)).to.include.members([
      '/api/workers',
      '/api/workers/{hostname}/control',
      '/api/tasks',
      '/api/tasks/{id}',
      '/api/schedules',
      '/api/schedules/preview',
      '/api/dead-letters',
      '/api/dead-letters/requeue',
      '/api/queues',
      '/api/stream',
    ]);
  });

  it('never answers with the broker or management password', async function () {
    const brokerPassword = decodeURIComponent(new URL(BROKER_URL).password);
    const paths = ['api/workers', 'api/tasks', 'api/queues', 'api/dead-letters?limit=5', 'api/openapi.json', ''];
    for (const path of paths) {
      const text = await (await fetch(`${base}${path}`)).text();
      expect(text, path).not.to.include(MANAGEMENT_SECRET);
      expect(text, path).not.to.include(`:${brokerPassword}@`);
    }
    const queues = await call(`${base}api/queues`);
    expect(queues.body.source, 'the unreachable management API falls back').to.equal('passive');
  });
});

describe('dashboard queues view from the management API', function () {
  this.timeout(30_000);

  it("reads depth, ready, unacked, consumers and rates, authenticated with the broker's user", async function () {
    const seen: Array<string | undefined> = [];
    const management = createServer((request, response) => {
      seen.push(request.headers.authorization);
      response.setHeader('content-type', 'application/json');
      response.end(
        JSON.stringify([
          {
            name: 'workorders',
            messages: 7,
            messages_ready: 5,
            messages_unacknowledged: 2,
            consumers: 3,
            message_stats: { publish_details: { rate: 1.5 }, deliver_get_details: { rate: 1.25 }, ack: 40 },
          },
        ]),
      );
    });
    management.listen(0, '127.0.0.1');
    await once(management, 'listening');
    const { port } = management.address() as AddressInfo;
    const dashboard = await Dashboard.start({
      brokerUrl: BROKER_URL,
      port: 0,
      managementUrl: `http://127.0.0.1:${port}`,
    });
    try {
      const { body } = await call(`${dashboard.url}api/queues`);
      expect(body).to.deep.equal({
        source: 'management',
        queues: [
          {
            name: 'workorders',
            exists: true,
            messages: 7,
            ready: 5,
            unacked: 2,
            consumers: 3,
            publishRate: 1.5,
            deliverRate: 1.25,
            ackRate: null,
          },
        ],
      });
      const broker = new URL(BROKER_URL);
      const credentials = `${decodeURIComponent(broker.username)}:${decodeURIComponent(broker.password)}`;
      expect(seen).to.deep.equal([`Basic ${Buffer.from(credentials).toString('base64')}`]);
    } finally {
      await dashboard.close();
      management.close();
    }
  });
});

describe('dashboard API with auth', function () {
  this.timeout(30_000);

  it('asks for credentials on every request, the page included', async function () {
    const dashboard = await Dashboard.start({ brokerUrl: BROKER_URL, port: 0, auth: parseAuth('basic:ops:pa:ss', {}) });
    try {
      const page = await fetch(dashboard.url);
      expect(page.status).to.equal(401);
      expect(page.headers.get('www-authenticate')).to.match(/^Basic /);
      expect((await fetch(`${dashboard.url}api/workers`)).status).to.equal(401);
      const wrong = `Basic ${Buffer.from('ops:pa:sS').toString('base64')}`;
      expect((await fetch(`${dashboard.url}api/workers`, { headers: { authorization: wrong } })).status).to.equal(401);
      const right = `Basic ${Buffer.from('ops:pa:ss').toString('base64')}`;
      expect((await fetch(`${dashboard.url}api/workers`, { headers: { authorization: right } })).status).to.equal(200);
    } finally {
      await dashboard.close();
    }
  });
});
