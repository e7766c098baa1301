/**
 * Root hooks of every test run (mocha `require`): at the end, the durable control queue of this
 * run's beat group goes, so runs leave nothing behind on the broker.
 */
import { beatControlQueue } from '@celeriac/amqp';
import { BEAT_GROUP, SIDE_BEAT_GROUPS, deleteQueues } from './broker.js';

export const mochaHooks = {
  async afterAll(): Promise<void> {
    const groups = [BEAT_GROUP, ...SIDE_BEAT_GROUPS];
    await deleteQueues(...groups.map((group) => beatControlQueue(group).name));
  },
};
