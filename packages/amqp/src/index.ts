/**
 * @module @celeriac/amqp
 *
 * The only user of amqplib: recovering connections with setup hooks, the topology (every
 * exchange, queue and binding, delay lanes included), a confirm publisher (mandatory + returns +
 * drain), delayed publishing, queue consumers, rpc:// results and the monitoring-event publisher.
 */
export { AmqpConnection, type AmqpConnectionOptions, type SetupHook } from './connection.js';
export { ConfirmPublisher, type PublisherOptions, type PublishProperties } from './publisher.js';
export { QueueConsumer, type ConsumerOptions, type Delivery } from './consumer.js';
// The whole topology: topology/index.ts is the list of what it names and declares.
export * from './topology/index.js';
export { RpcResultWriter } from './rpc-result-writer.js';
export { RpcResultReader, type RpcResultReaderOptions } from './rpc-result-reader.js';
export { laneSeconds, publishAt, type DelayPublisher } from './publish-at.js';
/**
 * The lanes' routing-key format is @celeriac/protocol's; re-exported here for the code that
 * imported it from this package before it moved.
 */
export { DELAY_LEVELS, MAX_DELAY_SECONDS, delayRoutingKey, stripDelayPrefix } from '@celeriac/protocol';
export { PidboxConsumer, type PidboxConsumerOptions } from './pidbox-consumer.js';
export { askPidbox, type PidboxAsk } from './pidbox-requester.js';
export {
  EventPublisher,
  type EventPublisherOptions,
  type EventPublisherStats,
  type OutgoingEvent,
} from './event-publisher.js';
export { EventDispatcher, type EventDispatcherOptions } from './event-dispatcher.js';
export { EventReceiver, type EventReceiverOptions } from './event-receiver.js';
export { LeaderLock, type LeaderLockEvents, type LeaderLockOptions } from './leader-lock.js';
/** amqplib's message and connection types, for code that handles them without importing amqplib. */
export type { ChannelModel as AmqpChannelModel, ConsumeMessage as AmqpMessage } from 'amqplib';
export { SerialConsumer, type SerialConsumerOptions } from './serial-consumer.js';
export { GlobalTokens, type GlobalTokensOptions } from './global-tokens.js';
export { copyProperties } from './copy-properties.js';
export {
  checkBrokerTls,
  secretFromFile,
  tlsSocketOptions,
  type BrokerTlsOptions,
  type TlsSocketOptions,
} from './tls.js';
export { QueueBrowser, purgeQueue } from './queue-browser.js';
export { LeaseQueue, LEASE_QUEUE_PREFIX, type LeaseOptions } from './lease-queue.js';
