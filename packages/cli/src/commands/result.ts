import { PROPAGATE_STATES, READY_STATES, stringifyJson, type ResultMeta } from '@celeriac/protocol';
import { TaskFailedError, loadMongoModule, resultBackendKind } from '@celeriac/core';
import { defineCommand, type RunContext } from '../command.js';
import { ExitCode, UsageError } from '../errors.js';

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
 * rpc:// cannot answer: it sends a result once, to the reply queue of the process that sent the
 * task, and nothing is stored to look up by id later. Saying so is better than waiting on a
 * queue no result will ever reach. MongoDB stores results by id, so it can.
 */
async function runResult(config: ResultConfig, context: RunContext): Promise<number> {
  const { global } = context;
  const kind = resultBackendKind(global.resultBackend);
  if (kind === null) throw new UsageError('results are disabled (--result-backend), so there is no result to fetch');
  if (kind === 'mongodb') return printStoredResult(config, context);
  throw new UsageError(
    `the ${kind}:// result backend delivers a result only to the process that sent the task, so it cannot be fetched by id; use "celeriac call --wait"`,
  );
}

/**
 * MongoDB stores results by id (Celery's `celery_taskmeta`), so any process can read them: the
 * return value is printed as JSON; a failure exits 1 with the remote exception; a task not
 * ready yet prints its state (PENDING, STARTED, RETRY) on stderr and exits 1, unless --wait.
 */
async function printStoredResult(config: ResultConfig, { io, global, logger }: RunContext): Promise<number> {
  const backend = (await loadMongoModule()).openMongoResultBackend(global.resultBackend ?? '', { logger });
  try {
    const meta: ResultMeta | null = config.wait
      ? await backend.waitForReady(config.id, null)
      : await backend.latest(config.id);
    if (meta && PROPAGATE_STATES.has(meta.status))
      throw new TaskFailedError(config.id, meta.status, meta.result, meta.traceback);
    if (!meta || !READY_STATES.has(meta.status)) {
      io.stderr.write(`${meta?.status ?? 'PENDING'}\n`);
      return ExitCode.FAILURE;
    }
    io.stdout.write(`${stringifyJson(meta.result)}\n`);
    return ExitCode.OK;
  } finally {
    await backend.close();
  }
}
