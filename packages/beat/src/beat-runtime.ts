/**
 * A beat's broker side: the lock connection, its confirm publisher, the leader lock and the
 * Client that sends fires, opened and closed as one. Apart from beat.ts, which only decides
 * when (a start opens it while the store merges; a stop closes it once the loop has stopped).
 */
import { AmqpConnection, ConfirmPublisher, type LeaderLock } from '@celeriac/amqp';
import { Client } from '@celeriac/client';
import type { CompiledBeatOptions } from './beat-options.js';

export interface Runtime {
  /** The lock connection (short heartbeat); control commands and their replies use it too. */
  connection: AmqpConnection;
  publisher: ConfirmPublisher;
  lock: LeaderLock | null;
  /** Publishes fired tasks (confirmed), with no result backend. */
  client: Client;
}

type RuntimeOptions = Pick<
  CompiledBeatOptions,
  'brokerUrl' | 'brokerTls' | 'declare' | 'connectionName' | 'lockHeartbeatSeconds' | 'logger' | 'client'
>;

export async function openRuntime(options: RuntimeOptions): Promise<Runtime> {
  const { brokerUrl: url, brokerTls, connectionName, lockHeartbeatSeconds, logger } = options;
  const connection = await AmqpConnection.open({
    url,
    tls: brokerTls ?? undefined,
    declare: options.declare,
    name: `${connectionName}:lock`,
    heartbeatSeconds: lockHeartbeatSeconds,
    logger,
  });
  const publisher = await ConfirmPublisher.create(connection, { logger, channelWaitMs: 5000 }).catch(
    async (error: unknown) => {
      await connection.close();
      throw error;
    },
  );
  return { connection, publisher, lock: null, client: new Client(options.client) };
}

export async function closeRuntime(runtime: Runtime): Promise<void> {
  await runtime.lock?.stop();
  await runtime.connection.close();
  await runtime.client.close();
}
