/**
 * `celeriac topology apply`: declares once, with an administrator's credentials, everything an
 * application's components use on a vhost (task queues and their exchanges, the delay lanes and
 * their bindings, celeriac.dead, the beat group's control queue, the pidbox and event exchanges),
 * so that producers, workers and beats can then run with `--no-declare` under narrow users.
 */
import {
  AmqpConnection,
  beatControlQueue,
  beatGroup,
  bindToDelayLanes,
  checkQueues,
  deadLetterQueue,
  declareControlExchanges,
  declareEventExchange,
  declareLanesAdopting,
  onThrowawayChannel,
  taskQueue,
  type QueueType,
} from '@celeriac/amqp';
import { defineCommand, type Args, type RunContext } from '../command.js';
import { ExitCode, UsageError } from '../errors.js';
import type { Settings } from '../settings.js';
import { BEAT_GROUP_OPTION } from './beat-group-option.js';
import { QUEUE_TYPE_OPTION, QUEUE_TYPES } from './queue-type-option.js';

interface TopologyConfig {
  queues: string[];
  queueType: QueueType;
  beatGroup: string | null;
}

export const topologyCommand = defineCommand<TopologyConfig>({
  command: 'topology <action>',
  describe: 'Declare every queue and exchange an application uses (apply), for components run with --no-declare',
  positionals: { action: { type: 'string', choices: ['apply'], describe: 'apply' } },
  options: {
    queues: {
      alias: 'Q',
      type: 'string',
      requiresArg: true,
      describe: 'Comma-separated task queues',
      defaultDescription: 'celery',
    },
    'queue-type': QUEUE_TYPE_OPTION,
    'beat-group': BEAT_GROUP_OPTION,
  },
  compile: compileTopology,
  run: applyTopology,
});

function compileTopology(settings: Settings, args: Args): TopologyConfig {
  if (args.action !== 'apply') throw new UsageError('topology knows one action: apply');
  return {
    queues: settings.list('queues') ?? ['celery'],
    queueType: settings.choice('queueType', QUEUE_TYPES) ?? 'classic',
    beatGroup: beatGroup(settings.string('beatGroup')),
  };
}

async function applyTopology(config: TopologyConfig, { global, logger, io }: RunContext): Promise<number> {
  const { brokerUrl: url, brokerTls: tls } = global;
  const connection = await AmqpConnection.open({ url, tls, name: 'celeriac-topology', logger });
  try {
    const model = await connection.current();
    const { queues, queueType: type, beatGroup: group } = config;
    const shared = [
      ...queues.map((queue) => taskQueue(queue, {}, type)),
      deadLetterQueue(type),
      beatControlQueue(group, type),
    ];
    const declared = await checkQueues(model, shared, logger);
    const lanes = await declareLanesAdopting(model, type, logger);
    await onThrowawayChannel(model, async (channel) => {
      for (const queue of queues) await bindToDelayLanes(channel, queue);
      await declareControlExchanges(channel);
      await declareEventExchange(channel);
    });
    for (const spec of declared) io.stdout.write(`queue ${spec.name} (${spec.type})\n`);
    io.stdout.write(`delay lanes celery_delayed_0..27 (${lanes}), bound to ${queues.join(', ')}\n`);
    io.stdout.write('exchanges celery.pidbox, reply.celery.pidbox, celeryev\n');
    return ExitCode.OK;
  } finally {
    await connection.close();
  }
}
