/**
 * @module @celeriac/amqp
 *
 * The only user of amqplib: recovering connections with setup hooks, the topology, a confirm
 * publisher (mandatory + returns + drain), queue consumers and rpc:// results.
 */
export { AmqpConnection, type AmqpConnectionOptions, type SetupHook } from './connection.js';
export { ConfirmPublisher, type PublisherOptions, type PublishProperties } from './publisher.js';
export { QueueConsumer, type ConsumerOptions, type Delivery } from './consumer.js';
export {
  DEFAULT_QUEUE,
  DEFAULT_EXCHANGE,
  DEAD_LETTER_QUEUE,
  taskQueue,
  deadLetterQueue,
  replyQueue,
  declareQueue,
  CONTROL_EXCHANGE,
  CONTROL_REPLY_EXCHANGE,
  controlQueue,
  declareControlExchanges,
  BEAT_LEADER_QUEUE,
  BEAT_CONTROL_QUEUE,
  beatLeaderQueue,
  beatControlQueue,
  beatGroup,
  type BeatGroup,
  type QueueSpec,
  type TaskQueueOptions,
} from './topology.js';
export { RpcResultWriter } from './rpc-result-writer.js';
export { RpcResultReader, type RpcResultReaderOptions } from './rpc-result-reader.js';
export {
  DELAY_LEVELS,
  MAX_DELAY_SECONDS,
  DELAY_ENTRY_EXCHANGE,
  delayEntryExchange,
  DELAY_DELIVERY_EXCHANGE,
  levelName,
  delayRoutingKey,
  stripDelayPrefix,
  laneSeconds,
  publishAt,
  type DelayPublisher,
} from './delay-lanes.js';
export { PidboxConsumer, type PidboxConsumerOptions } from './pidbox-consumer.js';
export { LeaderLock, type LeaderLockEvents, type LeaderLockOptions } from './leader-lock.js';
/** amqplib's message and connection types, for code that handles them without importing amqplib. */
export type { ChannelModel as AmqpChannelModel, ConsumeMessage as AmqpMessage } from 'amqplib';
export { SerialConsumer, type SerialConsumerOptions } from './serial-consumer.js';
