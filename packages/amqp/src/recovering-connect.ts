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

/** What connectRecovering opens: the recovering model, and why its first connect was given up early. */
export interface RecoveringConnect {
  model: RecoveringChannelModel;
  /** The broker's refusal, once every URL refused the login before any connection opened; else null. */
  refused: () => Error | null;
}

/** amqplib's wording of a 403 at the handshake: a wrong user or password. */
const LOGIN_REFUSED = /\b403 \(ACCESS-REFUSED\)/;

/**
 * amqplib's own recovery (back-off, jitter, setup hook, events), driven by an `open` that may pick
 * a different broker on each attempt. The public `connect(url, { recovery })` fixes one URL for
 * every attempt, so failover across a cluster uses the function it is built on, the same code.
 * A first connect that every one of the `urls` refused the login is not retried: retrying cannot
 * fix a wrong password, and `celeriac call` with one answered after seconds of back-off.
 */
export async function connectRecovering(
  pickUrl: () => string,
  urls: number,
  socketOptions: SocketOptions,
  recovery: RecoveryOptions,
): Promise<RecoveringConnect> {
  const refusals = new Set<string>();
  let refused: Error | null = null;
  let connected = false;
  let model: RecoveringChannelModel | null = null;
  const open = async (): Promise<ChannelModel> => {
    const url = pickUrl();
    try {
      const opened = await connect(url, socketOptions);
      connected = true;
      return opened;
    } catch (error) {
      if (!connected && LOGIN_REFUSED.test((error as Error).message) && refusals.add(url).size >= urls) {
        refused = error as Error;
        void model?.close();
      }
      throw error;
    }
  };
  model = await connectWithRecovery()(open, recovery);
  return { model, refused: () => refused };
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
