import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  connect,
  type ChannelModel,
  type RecoveringChannelModel,
  type RecoveryOptions,
  type SocketOptions,
} from 'amqplib';

type OpenModel = () => Promise<ChannelModel>;
type ConnectWithRecovery = (open: OpenModel, recovery: RecoveryOptions) => Promise<RecoveringChannelModel>;

/**
 * amqplib's own recovery (back-off, jitter, setup hook, events), driven by an `open` that may pick
 * a different broker on each attempt. The public `connect(url, { recovery })` fixes one URL for
 * every attempt, so failover across a cluster uses the function it is built on, the same code.
 */
export function connectRecovering(
  pickUrl: () => string,
  socketOptions: SocketOptions,
  recovery: RecoveryOptions,
): Promise<RecoveringChannelModel> {
  return connectWithRecovery()(() => connect(pickUrl(), socketOptions), recovery);
}

let loaded: ConnectWithRecovery | null = null;

function connectWithRecovery(): ConnectWithRecovery {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  const recovery = require(join(dirname(require.resolve('amqplib')), 'lib', 'recovery.js')) as {
    connectWithRecoveryPromise?: ConnectWithRecovery;
  };
  // Fails loudly at the first connection if an amqplib upgrade moved it: the tests catch that at once.
  if (typeof recovery.connectWithRecoveryPromise !== 'function')
    throw new Error('amqplib/lib/recovery.js no longer exports connectWithRecoveryPromise');
  loaded = recovery.connectWithRecoveryPromise;
  return loaded;
}
