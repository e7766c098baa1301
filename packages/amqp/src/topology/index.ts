/**
 * The one place that names and declares Celeriac's AMQP topology: exchanges, queues, bindings
 * and their exact flags and arguments. Nothing else in the repository calls assertQueue,
 * assertExchange or bindQueue: code that needs an entity asks for it here, so a declaration
 * that must match a Python peer's (a mismatch is a 406 that closes the channel) is written once.
 *
 * - queues.ts      task queues (Celery's), the dead-letter queue and rpc reply queues
 * - pidbox.ts      Celery's remote control: broadcast exchange, worker queues, reply exchanges
 * - events.ts      Celery's monitoring events: the `celeryev` exchange and receivers' queues
 * - delay-lanes.ts Celery 5.5's native delayed delivery cascade
 * - beat.ts        beat's leader lock and control queue, per beat group (Celeriac's own)
 * - rate-limit.ts  a task's global rate limit: its token queue and refiller lock (Celeriac's own)
 * - conflicts.ts   declaring where a peer may have declared otherwise: throwaway channels, one-line errors
 */
export {
  DEFAULT_QUEUE,
  DEFAULT_EXCHANGE,
  DEAD_LETTER_QUEUE,
  taskQueue,
  deadLetterQueue,
  replyQueue,
  declareQueue,
  compileQueueType,
  type QueueSpec,
  type QueueType,
  type TaskQueueOptions,
} from './queues.js';
export {
  CONTROL_EXCHANGE,
  CONTROL_REPLY_EXCHANGE,
  controlQueue,
  declareControlExchanges,
  declareControlQueue,
  declareReplyExchange,
  declareControlReplyQueue,
} from './pidbox.js';
export { EVENT_EXCHANGE, declareEventExchange, eventQueue, declareEventQueue } from './events.js';
export {
  DELAY_DELIVERY_EXCHANGE,
  DELAY_ENTRY_EXCHANGE,
  levelName,
  delayEntryExchange,
  laneQueueArguments,
  declareDelayLanes,
  bindToDelayLanes,
} from './delay-lanes.js';
export {
  BEAT_LEADER_QUEUE,
  BEAT_CONTROL_QUEUE,
  beatGroup,
  beatLeaderQueue,
  beatControlQueue,
  type BeatGroup,
} from './beat.js';
export { rateLimitTokenQueue, rateLimitRefillerQueue } from './rate-limit.js';
export {
  onThrowawayChannel,
  isPreconditionFailed,
  describeConflict,
  conflictError,
  checkQueues,
  declareLanesAdopting,
} from './conflicts.js';
export { queueStats, type QueueStats } from './queue-stats.js';
export { checkDeclare, declarePassively, isPassive, type DeclareMode } from './declare-mode.js';
