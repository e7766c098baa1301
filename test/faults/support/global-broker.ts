/**
 * Mocha global fixtures of the fault suite (`--require`d by scripts/faults.mjs): one private
 * RabbitMQ node for the whole run, started before the first case and removed after the last.
 */
import { PrivateBroker } from '../../support/private-broker.js';

let current: PrivateBroker | undefined;

/** The suite's private node; only valid while the suite runs. */
export function faultBroker(): PrivateBroker {
  if (!current) throw new Error('the private broker is not running: run the fault suite with npm run test:faults');
  return current;
}

export async function mochaGlobalSetup(): Promise<void> {
  current = await PrivateBroker.start();
  console.log(`  private RabbitMQ node ${current.node} on ${current.url} (data in ${current.dir})`);
}

export async function mochaGlobalTeardown(): Promise<void> {
  await current?.destroy();
  current = undefined;
}
