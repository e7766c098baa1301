/**
 * A beat whose store is down or refuses a feature at start keeps running and says why, instead
 * of exiting: an unreachable MongoDB is retried with back-off, and a server that refuses TTL
 * indexes (FerretDB) gets a warning and the expiry sweep, and the beat leads.
 */
import { createServer } from 'node:net';
import { expect } from 'chai';
import { BeatDir, stopGracefully } from './support/beat-harness.js';
import { uniqueName } from './support/broker.js';
import { MONGODB_PENDING, MONGODB_URL, dropDatabase, lacking, uniqueDatabaseUrl } from './support/mongodb.js';
import { SpawnedCli } from './support/spawned-cli.js';

/** A loopback port nothing listens on: connections to it are refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('celeriac beat with its MongoDB store down or limited', function () {
  this.timeout(30_000);
  let dir: BeatDir;
  let beat: SpawnedCli | null = null;

  beforeEach(async () => {
    dir = await BeatDir.create();
  });

  afterEach(async () => {
    await beat?.stop();
    beat = null;
    await dir.remove();
  });

  async function scheduleFile(): Promise<string> {
    return dir.writeSchedules([
      {
        name: uniqueName('site'),
        task: 'celeriac.test.store_down.tick',
        schedule: { kind: 'interval', everyMs: 3_600_000 },
      },
    ]);
  }

  it('retries an unreachable store with back-off, saying why, and stops cleanly meanwhile', async () => {
    const store = `mongodb://127.0.0.1:${await closedPort()}/celeriac?serverSelectionTimeoutMS=300`;
    beat = SpawnedCli.start(['beat', '--store', store, '--schedule', await scheduleFile()]);
    const waiting = (line: { message?: unknown }) =>
      typeof line.message === 'string' &&
      line.message.startsWith('the schedule store cannot be reached; trying again in');
    await beat.waitForLog(waiting);
    await beat.waitForLog((line) => waiting(line) && beat!.logs().filter(waiting).length >= 2);
    expect(beat.child.exitCode).to.equal(null);
    const line = beat.logs().find(waiting);
    expect(line).to.include({ code: 'MONGODB_UNREACHABLE' });
    expect(String(line?.error)).to.match(
      /^cannot connect to the schedule store at mongodb:\/\/127\.0\.0\.1:\d+\/celeriac/,
    );
    expect(await stopGracefully(beat)).to.deep.equal({ code: 0, signal: null });
    beat = null;
  });

  const runs = MONGODB_URL !== null;
  const noTtl = runs ? lacking('ttlIndex') : null;
  const title = 'leads on the real server, warning once if it refuses the TTL index of fire records';
  it(
    runs ? title : `${title} (pending: ${MONGODB_PENDING})`,
    runs
      ? async () => {
          const { url, database } = uniqueDatabaseUrl(MONGODB_URL!, 'celeriac_beat_store');
          try {
            beat = await dir.beatWith(['--store', url, '--schedule', await scheduleFile()]);
            const refusals = beat
              .logs()
              .filter(
                (line) =>
                  line.message ===
                  'the server refused a TTL index on firedAt; this process deletes expired fire records itself, at most once a minute',
              );
            expect(refusals).to.have.length(noTtl ? 1 : 0);
          } finally {
            await beat?.stop();
            beat = null;
            await dropDatabase(MONGODB_URL!, database);
          }
        }
      : undefined,
  );
});
