/**
 * A beat's Prometheus metrics and /healthz on the real broker, through the wiring `--metrics-port`
 * uses (serveBeatMetrics): fires, lateness, leader state, and a health check that answers 200 while
 * leading or standing by, 503 while the broker connection is down and once stopped.
 */
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { Beat } from '@celeriac/beat';
import { serveBeatMetrics } from '@celeriac/cli';
import { MemoryScheduleStore, silentLogger } from '@celeriac/core';
import type { MetricsServer } from '@celeriac/metrics';
import { BROKER_URL, deleteQueues, eventually, sideBeatGroup, uniqueName } from './support/broker.js';
import { canCloseConnections, closeConnectionsNamed } from './support/connections.js';
import { health, sample, scrape } from './support/metrics-scrape.js';

describe('beat metrics and health checks', function () {
  this.timeout(60_000);
  const servers: MetricsServer[] = [];
  const queue = uniqueName('metrics-beat');
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });
  after(() => deleteQueues(queue));

  it('serves a beat: fires by schedule, lateness, leader state, schedules loaded, and /healthz', async () => {
    const name = uniqueName('metrics-schedule');
    const schedule = { kind: 'interval' as const, everyMs: 1000 };
    const beat = new Beat({
      brokerUrl: BROKER_URL,
      store: new MemoryScheduleStore(),
      beatGroup: sideBeatGroup('metrics'),
      schedules: [{ name, task: 'celeriac.test.metrics.tick', schedule, options: { queue: queue } }],
    });
    const server = await serveBeatMetrics(beat, 0, silentLogger);
    servers.push(server);
    expect(await health(server)).to.equal(503);
    try {
      await beat.start();
      const text = await eventually(async () => {
        const body = await scrape(server);
        return (sample(body, 'celeriac_beat_fires_total', { schedule: name }) ?? 0) >= 2 ? body : undefined;
      });
      expect(sample(text, 'celeriac_beat_leader')).to.equal(1);
      expect(sample(text, 'celeriac_beat_schedules_loaded')).to.equal(1);
      expect(sample(text, 'celeriac_beat_fire_lateness_seconds_count')).to.be.at.least(2);
      expect(await health(server)).to.equal(200);
    } finally {
      await beat.stop();
    }
    expect(await health(server)).to.equal(503);
    expect(sample(await scrape(server), 'celeriac_beat_leader')).to.equal(0);
  });

  it('answers a standing-by beat 200 (leader 0), and 503 while its broker connection is down', async function () {
    if (!(await canCloseConnections())) return this.skip();
    const beatGroup = sideBeatGroup(`metrics-standby-${randomUUID().slice(0, 8)}`);
    const beat = (connectionName: string) =>
      new Beat({ brokerUrl: BROKER_URL, store: new MemoryScheduleStore(), beatGroup, connectionName });
    const leader = beat(uniqueName('metrics-leader'));
    const standbyName = uniqueName('metrics-standby');
    const standby = beat(standbyName);
    try {
      await leader.start();
      await standby.start();
      const server = await serveBeatMetrics(standby, 0, silentLogger);
      servers.push(server);
      expect([standby.isLeader, await health(server)]).to.deep.equal([false, 200]);
      expect(sample(await scrape(server), 'celeriac_beat_leader')).to.equal(0);
      const statuses = new Set<number>();
      const polling = (async () => {
        for (const until = Date.now() + 20_000; Date.now() < until && !(statuses.has(503) && standby.healthy);)
          statuses.add(await health(server));
      })();
      expect(await closeConnectionsNamed(`${standbyName}:lock`)).to.equal(1);
      await polling;
      expect([...statuses].sort()).to.deep.equal([200, 503]);
      expect(standby.isLeader).to.equal(false);
    } finally {
      await Promise.all([standby.stop(), leader.stop()]);
    }
  });
});
