/**
 * `declare: 'auto'`: at each connect, declare the one exchange every Celeriac and Celery process
 * shares (`celery.pidbox`, exactly as kombu declares it) on a channel of its own. A 403 means the
 * broker user has no `configure` rights: the connection then only checks shared entities, as
 * with `declare: false`, so a narrow user works without anyone setting the option. A user allowed
 * that exchange but not some queue gets the same fall back at that queue's 403 (fallBackToPassive).
 */
import type { ChannelModel } from 'amqplib';
import type { Logger } from '@celeriac/core';
import { onThrowawayChannel } from './conflicts.js';
import { declareAuto } from './declare-mode.js';
import { declareControlExchanges } from './pidbox.js';

export async function probeDeclareRights(model: ChannelModel, logger: Logger): Promise<void> {
  declareAuto(model, logger);
  // Anything but a 403 shows up where it matters.
  await onThrowawayChannel(model, (channel) => declareControlExchanges(channel)).catch(() => undefined);
}
