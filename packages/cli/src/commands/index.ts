import type { Command } from '../command.js';
import { callCommand } from './call.js';
import { resultCommand } from './result.js';
import { workerCommand } from './worker.js';

export const COMMANDS: readonly Command[] = [workerCommand, callCommand, resultCommand];
