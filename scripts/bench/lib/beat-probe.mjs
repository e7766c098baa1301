/**
 * Loaded into a `celeriac beat` process by beat-cli.mjs (`node --import`): records when each
 * publish is handed to amqplib's confirm channel, without changing what is sent, and writes a
 * summary to $CELERIAC_BENCH_PROBE when the process exits. Publishes of the task named in
 * $CELERIAC_BENCH_BURST_TASK are the burst being timed. The summary is also saved every second.
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';

const require = createRequire(new URL('../../../packages/amqp/package.json', import.meta.url));
// By absolute path (amqplib's exports map hides lib/): the same module instance the CLI loads.
const { ConfirmChannel } = require(join(dirname(require.resolve('amqplib')), 'lib/channel_model.js'));
const burstTask = process.env.CELERIAC_BENCH_BURST_TASK ?? 'bench.burst';
const seen = { firstAt: null, publishes: 0, burst: 0, burstFirstAt: null, burstLastAt: null };

const publish = ConfirmChannel.prototype.publish;
ConfirmChannel.prototype.publish = function (exchange, routingKey, content, options, cb) {
  const now = Date.now();
  seen.publishes += 1;
  seen.firstAt ??= now;
  if (options?.headers?.task === burstTask) {
    seen.burst += 1;
    seen.burstFirstAt ??= now;
    seen.burstLastAt = now;
  }
  return publish.call(this, exchange, routingKey, content, options, cb);
};

function save() {
  const summary = { ...seen, processStartedAt: performance.timeOrigin, cpu: process.cpuUsage() };
  writeFileSync(process.env.CELERIAC_BENCH_PROBE, JSON.stringify(summary));
}

// Every second as well as at exit: a beat still recording a backlog when the benchmark stops it
// may be killed before it exits on its own.
setInterval(save, 1000).unref();
process.on('exit', save);
