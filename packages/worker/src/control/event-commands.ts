/**
 * Celery's `enable_events` / `disable_events`: switch a worker's task events at run time, with
 * Celery's replies (reference celery-wave2 §4.3). Flower broadcasts enable_events every 5 s.
 */
import { okReply } from '@celeriac/protocol';
import type { Logger } from '@celeriac/core';
import type { TaskEventsSwitch } from '../events/task-events.js';

/** The commands as [name, handler] entries for controlCommands' map. */
export function eventCommands(events: TaskEventsSwitch, logger: Logger): Array<[string, () => unknown]> {
  return [
    ['enable_events', () => switchTaskEvents(events, true, logger)],
    ['disable_events', () => switchTaskEvents(events, false, logger)],
  ];
}

function switchTaskEvents(events: TaskEventsSwitch, on: boolean, logger: Logger): { ok: unknown } {
  const word = on ? 'enabled' : 'disabled';
  if (events.enabled === on) return okReply(`task events already ${word}`);
  events.enabled = on;
  logger.log('info', `task events ${word} by remote control`);
  return okReply(`task events ${word}`);
}
