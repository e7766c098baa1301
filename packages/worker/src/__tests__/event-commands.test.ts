import { expect } from 'chai';
import { silentLogger } from '@celeriac/core';
import { controlCommands } from '../control/commands.js';
import { Revocations } from '../control/revocations.js';

describe('enable_events / disable_events', () => {
  it("switch the worker's task events with Celery's replies, saying when nothing changed", () => {
    const events = { enabled: false };
    const commands = controlCommands(new Revocations(), silentLogger, events);
    const call = (name: string) => commands.get(name)!({});
    expect(call('disable_events')).to.deep.equal({ ok: 'task events already disabled' });
    expect(call('enable_events')).to.deep.equal({ ok: 'task events enabled' });
    expect(events.enabled).to.equal(true);
    expect(call('enable_events')).to.deep.equal({ ok: 'task events already enabled' });
    expect(call('disable_events')).to.deep.equal({ ok: 'task events disabled' });
    expect(events.enabled).to.equal(false);
  });

  it('are absent when the node has no events switch (an unknown command, as before)', () => {
    expect(controlCommands(new Revocations(), silentLogger).has('enable_events')).to.equal(false);
  });
});
