/**
 * Loaded by mocha (`require` in .mocharc.json) before any test file: when no MongoDB URL is
 * configured but a Docker engine answers, it starts `mongo:7` with testcontainers and points
 * CELERIAC_TEST_MONGODB_URL at it, so the MongoDB cases run instead of staying pending. Without
 * a Docker engine it does nothing (testcontainers is not even loaded).
 */
import { spawnSync } from 'node:child_process';

interface Stoppable {
  stop(): Promise<unknown>;
}

let container: Stoppable | null = null;

function dockerEngineAnswers(): boolean {
  const probe = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'ignore', timeout: 10_000 });
  return probe.status === 0;
}

async function startMongo(): Promise<void> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const started = await new GenericContainer('mongo:7')
    .withExposedPorts(27017)
    .withWaitStrategy(Wait.forLogMessage(/Waiting for connections/))
    .start();
  container = started;
  process.env.CELERIAC_TEST_MONGODB_URL = `mongodb://${started.getHost()}:${started.getMappedPort(27017)}`;
  console.log(`MongoDB tests: started mongo:7 with testcontainers at ${process.env.CELERIAC_TEST_MONGODB_URL}`);
}

if (!process.env.CELERIAC_TEST_MONGODB_URL && dockerEngineAnswers()) await startMongo();

/** mocha calls this once every test has run. */
export async function mochaGlobalTeardown(): Promise<void> {
  await container?.stop();
}
