import { resultBackendKind } from '@celeriac/core';
import { defineCommand, type RunContext } from '../command.js';
import { UsageError } from '../errors.js';

interface ResultConfig {
  id: string;
  wait: boolean;
}

export const resultCommand = defineCommand<ResultConfig>({
  command: 'result <id>',
  describe: 'Print the result of a task sent earlier, where the result backend stores results',
  positionals: { id: { type: 'string', describe: 'The task id printed by "celeriac call"' } },
  options: {
    wait: { type: 'boolean', describe: 'Wait until the task is ready' },
  },
  compile: (settings, args) => ({ id: taskId(args.id), wait: settings.boolean('wait') ?? false }),
  run: runResult,
});

function taskId(value: unknown): string {
  if (typeof value === 'string' && value.trim() !== '') return value;
  throw new UsageError('the task id must be a non-empty string');
}

/**
 * Every backend Celeriac has today is one that cannot answer: rpc:// sends a result once, to the
 * reply queue of the process that sent the task, and nothing is stored to look up by id later.
 * Saying so is better than waiting on a queue no result will ever reach. A storing backend
 * plugs in here.
 */
async function runResult(_config: ResultConfig, { global }: RunContext): Promise<number> {
  const kind = resultBackendKind(global.resultBackend);
  if (kind === null) throw new UsageError('results are disabled (--result-backend), so there is no result to fetch');
  throw new UsageError(`the ${kind}:// result backend delivers a result only to the process that sent the task, so it cannot be fetched by id; use "celeriac call --wait"`);
}
