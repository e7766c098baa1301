import { Client } from '@celeriac/client';
import { defineCommand, type RunContext } from '../command.js';
import { ExitCode, UsageError } from '../errors.js';
import type { Settings } from '../settings.js';

interface PurgeConfig {
  queues: string[];
  force: boolean;
}

export const purgeCommand = defineCommand<PurgeConfig>({
  command: 'purge',
  describe: 'Remove every waiting task from queues (as "celery purge"); asks for --force',
  options: {
    queues: {
      alias: 'Q',
      type: 'string',
      requiresArg: true,
      describe: 'Comma-separated queues to empty',
      defaultDescription: 'celery',
    },
    force: { alias: 'f', type: 'boolean', describe: 'Really remove them (without it, nothing is removed)' },
  },
  compile: (settings: Settings) => ({
    queues: settings.list('queues') ?? ['celery'],
    force: settings.boolean('force') ?? false,
  }),
  run: runPurge,
});

/** Like `celery purge` without `-f`, it refuses to empty anything unasked; unacked tasks stay (they are in workers' hands). */
async function runPurge(config: PurgeConfig, { io, global, logger }: RunContext): Promise<number> {
  if (!config.force)
    throw new UsageError(
      `purge removes every waiting task from ${config.queues.join(', ')} for good; add --force to do it`,
    );
  const client = new Client({
    brokerUrl: global.brokerUrl,
    brokerTls: global.brokerTls,
    declare: global.declare,
    resultBackend: null,
    connectionName: 'celeriac-purge',
    logger,
  });
  try {
    const purged = await client.purge(config.queues);
    for (const [queue, count] of Object.entries(purged))
      io.stdout.write(`purged ${count} ${count === 1 ? 'message' : 'messages'} from ${queue}\n`);
    return ExitCode.OK;
  } finally {
    await client.close();
  }
}
