import {
  decodeControlRequest,
  encodeControlReply,
  errorReply,
  unknownCommandReply,
  type ControlRequest,
  type EncodedControlMessage,
  type RawMessage,
} from '@celeriac/protocol';
import { errorMeta, type Logger } from '@celeriac/core';
import type { ControlCommand } from './inspect-commands.js';
import type { LamportClock } from './lamport-clock.js';
import { NO_REPLY } from './worker-commands.js';

/** How a node sends a reply: declare the requester's exchange, then publish to it. */
export interface ReplySender {
  ensureExchange(name: string): Promise<void>;
  publish(exchange: string, routingKey: string, message: EncodedControlMessage): Promise<void>;
}

export interface ControlNodeDeps {
  nodeName: string;
  commands: ReadonlyMap<string, ControlCommand>;
  replies: ReplySender;
  logger: Logger;
  /** The worker's clock, shared with mingle. */
  clock: LamportClock;
}

/**
 * A worker's end of the pidbox, as kombu's `Node.handle_message`: act on a request addressed to
 * this node (or to all), and answer when the requester asked for replies. No control message,
 * however malformed, makes this throw: it is logged and dropped.
 */
export class ControlNode {
  constructor(private readonly deps: ControlNodeDeps) {}

  async handle(message: RawMessage): Promise<void> {
    let request: ControlRequest;
    try {
      request = decodeControlRequest(message);
    } catch (error) {
      this.deps.logger.log('warn', 'ignoring a malformed control message', errorMeta(error));
      return;
    }
    this.deps.clock.adjust(request.clock);
    if (!this.#addressed(request)) return;
    const reply = this.#dispatch(request);
    if (request.replyTo && reply !== NO_REPLY) await this.#reply(request, reply);
  }

  #addressed({ destination, pattern, matcher }: ControlRequest): boolean {
    // An empty destination list counts as none, as in kombu (`if destination:`).
    if (destination && destination.length > 0) return destination.includes(this.deps.nodeName);
    if (!pattern || !matcher) return true;
    try {
      return matches(this.deps.nodeName, pattern, matcher);
    } catch (error) {
      this.deps.logger.log('warn', 'ignoring a control message with an unusable pattern', {
        pattern,
        matcher,
        ...errorMeta(error),
      });
      return false;
    }
  }

  #dispatch(request: ControlRequest): unknown {
    const command = this.deps.commands.get(request.method);
    const logger = this.deps.logger;
    if (!command) {
      logger.log('warn', 'unknown control command', { method: request.method });
      return unknownCommandReply(request.method);
    }
    try {
      logger.log('debug', 'control command', { method: request.method });
      return command(request.arguments);
    } catch (error) {
      logger.log('warn', 'control command failed', { method: request.method, ...errorMeta(error) });
      return errorReply(error);
    }
  }

  async #reply(request: ControlRequest, reply: unknown): Promise<void> {
    const { exchange, routingKey } = request.replyTo!;
    try {
      const clock = this.deps.clock.forward();
      await this.deps.replies.ensureExchange(exchange);
      await this.deps.replies.publish(
        exchange,
        routingKey,
        encodeControlReply(this.deps.nodeName, reply, request.ticket, clock),
      );
    } catch (error) {
      // Typically the requester stopped listening (its reply queue is gone).
      this.deps.logger.log('debug', 'control reply not delivered', {
        method: request.method,
        exchange,
        routingKey,
        ...errorMeta(error),
      });
    }
  }
}

/** kombu's matchers: 'glob' (fnmatch) and 'pcre' (`re.match`, anchored at the start). */
export function matches(nodeName: string, pattern: string, matcher: string): boolean {
  if (matcher === 'glob') return globToRegExp(pattern).test(nodeName);
  if (matcher === 'pcre') return new RegExp(`^(?:${pattern})`).test(nodeName);
  throw new Error(`unknown matcher ${JSON.stringify(matcher)}`);
}

function globToRegExp(glob: string): RegExp {
  const body = [...glob]
    .map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`);
}
