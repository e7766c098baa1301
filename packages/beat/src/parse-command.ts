import { InvalidArgumentError, type ScheduleCommand, type ScheduleInput } from '@celeriac/core';

const NAME_OPS = new Set(['remove', 'enable', 'disable']);
const INPUT_OPS = new Set(['add', 'update']);

/**
 * The shape of a schedule command from the control queue, checked before anything is applied.
 * The schedule itself is validated later by compileScheduleInput.
 */
export function parseCommand(body: Buffer): ScheduleCommand {
  const value = parseBody(body);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidArgumentError('a schedule command must be a JSON object');
  const { op, name, schedule } = value as { op?: unknown; name?: unknown; schedule?: unknown };
  if (op === 'list') return { op };
  if (typeof op === 'string' && NAME_OPS.has(op)) return { op: op as 'remove', name: nameOf(name) };
  if (typeof op === 'string' && INPUT_OPS.has(op)) return { op: op as 'add', schedule: inputOf(schedule) };
  throw new InvalidArgumentError(`unknown schedule command op ${JSON.stringify(op)}; expected add, update, remove, enable, disable or list`);
}

function parseBody(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new InvalidArgumentError(`a schedule command must be JSON: ${(error as Error).message}`);
  }
}

function nameOf(name: unknown): string {
  if (typeof name === 'string' && name.length > 0) return name;
  throw new InvalidArgumentError('the command needs the schedule name as a non-empty string');
}

function inputOf(schedule: unknown): ScheduleInput {
  if (typeof schedule === 'object' && schedule !== null && !Array.isArray(schedule)) return schedule as ScheduleInput;
  throw new InvalidArgumentError('the command needs a schedule object');
}
