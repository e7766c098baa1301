import { expect } from 'chai';
import { silentLogger } from '@celeriac/core';
import { eventCommands } from '../control/event-commands.js';

describe('enable_events / disable_events', () => {
  it("switch the worker's task events with Celery's replies, saying when nothing changed", () => {
    const events = { enabled: false };
    const commands = new Map(eventCommands(events, silentLogger));
    const call = (name: string) => commands.get(name)!();
    expect(call('disable_events')).to.deep.equal({ ok: 'task events already disabled' });
    expect(call('enable_events')).to.deep.equal({ ok: 'task events enabled' });
    expect(events.enabled).to.equal(true);
    expect(call('enable_events')).to.deep.equal({ ok: 'task events already enabled' });
    expect(call('disable_events')).to.deep.equal({ ok: 'task events disabled' });
    expect(events.enabled).to.equal(false);
  });
});
