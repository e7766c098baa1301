import { expect } from 'chai';
import { TaskRegistry } from '../task-registry.js';
import { LocalTokens, RateLimitGate, type StartTokens } from '../gates/rate-limit-gate.js';
import { RateLimits } from '../gates/rate-limits.js';
import type { Job } from '../job.js';

const job = (name: string, id: string) => ({ task: { name, id } }) as unknown as Job;

/** Tokens handed out by the test, one call at a time, in the order asked. */
class ManualTokens implements StartTokens {
  readonly asked: string[] = [];
  readonly #waiting: Array<() => void> = [];
  limits(name: string): boolean {
    return name !== 'free';
  }
  acquire(name: string): Promise<void> {
    this.asked.push(name);
    return new Promise((resolve) => this.#waiting.push(resolve));
  }
  grant(): void {
    this.#waiting.shift()?.();
  }
}

describe('RateLimitGate', () => {
  it('lets tasks of one name through in arrival order, one token each, without holding up other names', async () => {
    const tokens = new ManualTokens();
    const gate = new RateLimitGate(tokens, () => false);
    const passed: string[] = [];
    const admit = (name: string, id: string) =>
      void Promise.resolve(gate.admit(job(name, id))).then(() => passed.push(id));
    admit('a', 'a1');
    admit('a', 'a2');
    admit('b', 'b1');
    await new Promise((resolve) => setImmediate(resolve));
    // a2 waits behind a1 without asking; b asks at once.
    expect(tokens.asked).to.deep.equal(['a', 'b']);
    tokens.grant(); // a1
    tokens.grant(); // b1
    await new Promise((resolve) => setImmediate(resolve));
    expect(passed).to.deep.equal(['a1', 'b1']);
    tokens.grant(); // a2
    await new Promise((resolve) => setImmediate(resolve));
    expect(passed).to.deep.equal(['a1', 'b1', 'a2']);
    // A task nothing limits passes without asking for a token.
    expect(await gate.admit(job('free', 'f1'))).to.equal('run');
    expect(tokens.asked).to.deep.equal(['a', 'b', 'a']);
  });
});

describe('RateLimits', () => {
  it('starts from the registration and takes a run-time limit over, with a fresh bucket', () => {
    let now = 0;
    const tasks = new TaskRegistry().register('t', () => 1, { rateLimit: '1/m' }).register('free', () => 1);
    const limits = new RateLimits(tasks, () => now);
    expect(limits.bucket('free')).to.equal(null);
    expect([limits.bucket('t')?.take(), limits.bucket('t')?.take()]).to.deep.equal([true, false]);
    limits.set('t', '10/s');
    expect(limits.limitOf('t')).to.equal('10/s');
    expect([limits.bucket('t')?.take(), limits.bucket('t')?.take()]).to.deep.equal([true, false]);
    now += 100;
    expect(limits.bucket('t')?.take()).to.equal(true);
    limits.set('t', null);
    expect(limits.bucket('t')).to.equal(null);
  });

  it('lets a waiting task through when the worker stops', async () => {
    const tasks = new TaskRegistry().register('t', () => 1, { rateLimit: '1/h' });
    const local = new LocalTokens(new RateLimits(tasks));
    await local.acquire('t', () => false); // the one token
    let stopping = false;
    const waiting = local.acquire('t', () => stopping);
    stopping = true;
    await waiting; // within one recheck (250 ms), not an hour
  });
});
