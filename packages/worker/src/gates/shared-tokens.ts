import { setTimeout as sleep } from 'node:timers/promises';
import { parseRateLimit, type Logger } from '@celeriac/core';
import { GlobalTokens, type AmqpConnection } from '@celeriac/amqp';
import type { TaskRegistry } from '../task-registry.js';
import type { StartTokens } from './rate-limit-gate.js';

/** What the gate needs of a task's global tokens (amqp's GlobalTokens). */
export type TokenSource = Pick<GlobalTokens, 'take' | 'pollMs'>;

/**
 * Tokens of the tasks' `globalRateLimit`, shared by every worker through the broker
 * (amqp/global-tokens.ts). A task without one passes at once.
 */
export class SharedTokens implements StartTokens {
  constructor(private readonly sources: ReadonlyMap<string, TokenSource>) {}

  limits(name: string): boolean {
    return this.sources.has(name);
  }

  async acquire(name: string, stopping: () => boolean): Promise<void> {
    const source = this.sources.get(name);
    if (!source) return;
    while (!stopping() && !(await source.take())) await sleep(source.pollMs);
  }
}

/** Starts the token queue and refiller election of every task registered with a globalRateLimit. */
export async function startSharedTokens(
  connection: AmqpConnection,
  tasks: TaskRegistry,
  logger: Logger,
): Promise<Map<string, GlobalTokens>> {
  const sources = new Map<string, GlobalTokens>();
  for (const name of tasks.names()) {
    const perSecond = parseRateLimit(tasks.get(name)?.options.globalRateLimit);
    if (perSecond !== null) sources.set(name, await GlobalTokens.start(connection, { task: name, perSecond, logger }));
  }
  return sources;
}
