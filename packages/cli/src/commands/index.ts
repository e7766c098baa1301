import type { Command } from '../command.js';
import { beatCommand } from './beat.js';
import { callCommand } from './call.js';
import { dashboardCommand } from './dashboard.js';
import { deadCommand } from './dead.js';
import { eventsCommand } from './events.js';
import { purgeCommand } from './purge.js';
import { controlCommand, inspectCommand, statusCommand } from './remote.js';
import { resultCommand } from './result.js';
import { scheduleCommand } from './schedule.js';
import { topologyCommand } from './topology.js';
import { workerCommand } from './worker.js';

export const COMMANDS: readonly Command[] = [
  workerCommand,
  callCommand,
  resultCommand,
  beatCommand,
  scheduleCommand,
  purgeCommand,
  deadCommand,
  inspectCommand,
  controlCommand,
  statusCommand,
  eventsCommand,
  dashboardCommand,
  topologyCommand,
];
