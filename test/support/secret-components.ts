/**
 * Every command the CLI has that talks to the broker, for the tests that make each one fail
 * (refused password, no broker, TLS refused) and look for a secret in all it printed.
 */
import { expect } from 'chai';
import { SEMANTICS_APP, SpawnedCli } from './spawned-cli.js';

/** A queue that no test uses: the commands that need one get this. */
export const NO_QUEUE = 'secrets.none';

export const COMPONENTS: Record<string, string[]> = {
  worker: ['worker', '--app', SEMANTICS_APP, '-Q', NO_QUEUE],
  beat: ['beat', '--store', 'memory:'],
  call: ['call', 'secrets.task'],
  schedule: ['schedule', 'ls'],
  dead: ['dead', 'ls'],
  purge: ['purge', '-Q', NO_QUEUE, '--force'],
  dashboard: ['dashboard', '--port', '0'],
  events: ['events'],
  inspect: ['inspect', 'conf'],
  control: ['control', 'shutdown', '--destination', 'nobody@nowhere'],
  topology: ['topology', 'apply', '-Q', NO_QUEUE],
};

/** Runs every component at debug level with `env`; each must fail (exit 1). Name → all it printed. */
export async function runAllFailing(env: NodeJS.ProcessEnv, extra: string[] = []): Promise<Map<string, string>> {
  const outputs = new Map<string, string>();
  // Two at a time: eleven Node processes at once would starve a small CI machine.
  const names = Object.keys(COMPONENTS);
  for (let i = 0; i < names.length; i += 2) {
    await Promise.all(names.slice(i, i + 2).map((name) => runOne(name, env, extra, outputs)));
  }
  return outputs;
}

async function runOne(name: string, env: NodeJS.ProcessEnv, extra: string[], outputs: Map<string, string>) {
  const run = await SpawnedCli.run([...(COMPONENTS[name] ?? []), '--log-level', 'debug', ...extra], env);
  expect(run.code, `${name} fails:\n${run.stderr}`).to.equal(1);
  outputs.set(name, `${run.stdout}\n${run.stderr}`);
}

/** Every output says why it failed (`why`) and holds no form of the password. */
export function expectNoSecret(outputs: Map<string, string>, password: string, why: RegExp): void {
  const forms = [password, encodeURIComponent(password)];
  expect([...outputs.keys()]).to.have.members(Object.keys(COMPONENTS));
  for (const [name, output] of outputs) {
    expect(output, `${name} says why it failed`).to.match(why);
    const shown = forms.filter((form) => output.includes(form));
    expect(shown, `${name} printed the password:\n${output}`).to.deep.equal([]);
  }
}
