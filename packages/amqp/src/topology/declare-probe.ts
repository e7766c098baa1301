/**
 * `declare: 'auto'`: at each connect, declare the one exchange every Celeriac and Celery process
 * shares (`celery.pidbox`, exactly as kombu declares it) on a channel of its own. A 403 means the
 * broker user has no `configure` rights: the connection then only checks shared entities, as
 * with `declare: false`, so a narrow user works without anyone setting the option.
 */
import type { ChannelModel } from 'amqplib';
import type { Logger } from '@celeriac/core';
import { onThrowawayChannel } from './conflicts.js';
import { declarePassively } from './declare-mode.js';
import { declareControlExchanges } from './pidbox.js';

export async function probeDeclareRights(model: ChannelModel, logger: Logger): Promise<void> {
  try {
    await onThrowawayChannel(model, (channel) => declareControlExchanges(channel));
  } catch (error) {
    if ((error as { code?: unknown }).code !== 403) return; // anything else shows up where it matters
    declarePassively(model);
    logger.log('info', 'this broker user may not declare: queues and exchanges are checked, not declared');
  }
}
