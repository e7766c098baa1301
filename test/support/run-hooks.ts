/**
 * Root hooks of every test run (mocha `require`): at the end, the durable control queue of this
 * run's beat group goes, so runs leave nothing behind on the broker.
 */
import { beatControlQueue } from '@celeriac/amqp';
import { BEAT_GROUP, deleteQueues } from './broker.js';

export const mochaHooks = {
  async afterAll(): Promise<void> {
    await deleteQueues(beatControlQueue(BEAT_GROUP).name);
  },
};
