/**
 * A task's global rate limit (Celeriac's own, see GlobalTokens): a queue of tokens every
 * worker of the task takes from, and the lock that elects the one worker refilling it.
 */
import { lockQueue, type QueueSpec } from './queues.js';

/** Unused (no gets, no consumers) this long, the token queue goes: the task's workers are all gone. */
const TOKEN_QUEUE_EXPIRES_MS = 600_000;

/** `celeriac.ratelimit.<task>.tokens`: transient, the tokens are worth nothing after a restart. */
export function rateLimitTokenQueue(task: string): QueueSpec {
  return {
    name: `celeriac.ratelimit.${task}.tokens`,
    type: 'classic',
    durable: false,
    autoDelete: false,
    exclusive: false,
    arguments: { 'x-expires': TOKEN_QUEUE_EXPIRES_MS },
    exchange: null,
  };
}

/** `celeriac.ratelimit.<task>.refiller`: exclusive, so the broker deletes it when its holder's connection dies. */
export function rateLimitRefillerQueue(task: string): QueueSpec {
  return lockQueue(`celeriac.ratelimit.${task}.refiller`);
}
