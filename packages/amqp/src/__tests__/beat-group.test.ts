import { expect } from 'chai';
import { ConfigurationError } from '@celeriac/core';
import {
  BEAT_CONTROL_QUEUE,
  BEAT_LEADER_QUEUE,
  beatControlQueue,
  beatGroup,
  beatLeaderQueue,
} from '../topology/index.js';

describe('beat groups', () => {
  it('keeps the default names without a group', () => {
    expect([beatLeaderQueue(beatGroup(undefined)).name, beatControlQueue(beatGroup(null)).name]).to.deep.equal([
      BEAT_LEADER_QUEUE,
      BEAT_CONTROL_QUEUE,
    ]);
  });

  it("names a group's lock and control queue after it", () => {
    expect([beatLeaderQueue(beatGroup('reports')).name, beatControlQueue(beatGroup('reports')).name]).to.deep.equal([
      'celeriac.beat.reports.leader',
      'celeriac.beat.reports.control',
    ]);
  });

  for (const bad of ['-lead', 'a b', 'x'.repeat(101), 'ünï', 'a/b']) {
    it(`refuses the group name ${JSON.stringify(bad.slice(0, 12))}`, () => {
      expect(() => beatGroup(bad)).to.throw(ConfigurationError, /invalid beat group/);
    });
  }
});
