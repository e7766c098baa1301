/**
 * The Client's connections, opened on its first send: one publishes (with confirms), another
 * consumes rpc:// replies (or a MongoDB backend is loaded), so a broker that blocks publishers
 * never stalls result delivery; task-sent events go out on the publishing connection.
 */
import { LamportClock, loadMongoModule, type StoredResultBackend } from '@celeriac/core';
import { AmqpConnection, ConfirmPublisher, EventDispatcher, EventPublisher, RpcResultReader } from '@celeriac/amqp';
import type { CompiledClientOptions } from './client-options.js';

export interface Transport {
  publishing: AmqpConnection;
  publisher: ConfirmPublisher;
  results: RpcResultReader | null;
  resultConnection: AmqpConnection | null;
  /** MongoDB results (polled by task id), when configured; then `results` is null. */
  stored?: StoredResultBackend | null;
  /** task-sent events, when sendSentEvent is on. */
  events?: { publisher: EventPublisher; dispatcher: EventDispatcher } | null;
}

/** `origin` names the client in its events, as Celery's `gen<pid>@host`. */
export async function openTransport(options: CompiledClientOptions, origin: string): Promise<Transport> {
  const { brokerUrl: url, brokerTls, connectionName: name, logger, publishWaitMs, declare } = options;
  const publishing = await AmqpConnection.open({
    url,
    tls: brokerTls ?? undefined,
    declare,
    name: `${name}:publish`,
    logger,
  });
  const publisher = await ConfirmPublisher.create(publishing, {
    logger,
    channelWaitMs: publishWaitMs,
    laneType: options.queueType,
  });
  const events = await openEvents(options, publishing, origin);
  return { ...(await openResults(options, publishing, publisher)), events };
}

export async function closeTransport(transport: Promise<Transport>): Promise<void> {
  const { publishing, results, resultConnection, stored, events } = await transport.catch(
    (): Partial<Transport> => ({}),
  );
  await Promise.all([results?.close(), stored?.close(), events?.publisher.close()]);
  await Promise.all([publishing?.close(), resultConnection?.close()]);
}

/** task-sent events go out on the publishing connection, on a channel of their own. */
async function openEvents(
  options: CompiledClientOptions,
  publishing: AmqpConnection,
  origin: string,
): Promise<Transport['events']> {
  if (!options.sendSentEvent) return null;
  const publisher = await EventPublisher.create(publishing, { logger: options.logger });
  return { publisher, dispatcher: new EventDispatcher(publisher, { hostname: origin, clock: new LamportClock() }) };
}

async function openResults(
  options: CompiledClientOptions,
  publishing: AmqpConnection,
  publisher: ConfirmPublisher,
): Promise<Transport> {
  const none = { publishing, publisher, results: null, resultConnection: null };
  if (options.resultBackend === null) return none;
  if (options.resultBackend === 'mongodb') return { ...none, stored: await openStored(options, publishing) };
  const { brokerUrl: url, connectionName: name, logger, declare } = options;
  const tls = options.brokerTls ?? undefined;
  const resultConnection = await AmqpConnection.open({ url, tls, declare, name: `${name}:results`, logger }).catch(
    async (error: unknown) => {
      await publishing.close();
      throw error;
    },
  );
  const results = new RpcResultReader(resultConnection, { logger, expiresMs: options.resultExpiresMs });
  return { publishing, publisher, results, resultConnection };
}

/** MongoDB results through @celeriac/mongodb, loaded only when such a URL is configured. */
async function openStored(options: CompiledClientOptions, publishing: AmqpConnection): Promise<StoredResultBackend> {
  const { resultBackendUrl, resultExpiresMs, logger } = options;
  try {
    return (await loadMongoModule()).openMongoResultBackend(resultBackendUrl ?? '', { resultExpiresMs, logger });
  } catch (error) {
    await publishing.close();
    throw error;
  }
}
