import { expect } from 'chai';
import type { DecodedEvent } from '@celeriac/protocol';
import { MonitorState } from '../monitor-state.js';

function event(type: string, timestamp: number, fields: Record<string, unknown> = {}): DecodedEvent {
  return { type, timestamp, hostname: 'w1@host', utcoffset: 0, pid: 1, clock: 1, ...fields } as DecodedEvent;
}

describe('MonitorState', () => {
  it('follows a task through its events', () => {
    const state = new MonitorState();
    state.apply(event('task-sent', 1, { uuid: 't1', name: 'tasks.add' }));
    state.apply(event('task-received', 2, { uuid: 't1', name: 'tasks.add' }));
    state.apply(event('task-started', 3, { uuid: 't1' }));
    state.apply(event('task-succeeded', 4, { uuid: 't1', result: '5', runtime: 0.5 }));
    expect(state.tasks()[0]).to.include({
      uuid: 't1',
      name: 'tasks.add',
      state: 'SUCCESS',
      worker: 'w1@host',
      result: '5',
    });
  });

  it('keeps a finished state when an earlier event arrives late (task-sent comes from another connection)', () => {
    const state = new MonitorState();
    state.apply(event('task-received', 2, { uuid: 't1', name: 'tasks.fail' }));
    state.apply(event('task-failed', 3, { uuid: 't1', exception: "ValueError('x')" }));
    state.apply(event('task-sent', 1, { uuid: 't1', name: 'tasks.fail' }));
    state.apply(event('task-started', 2.5, { uuid: 't1' }));
    expect(state.tasks()[0]).to.include({ state: 'FAILURE', exception: "ValueError('x')", worker: 'w1@host' });
  });

  it('lets a retried task start again', () => {
    const state = new MonitorState();
    state.apply(event('task-started', 1, { uuid: 't1' }));
    state.apply(event('task-retried', 2, { uuid: 't1', exception: 'E', traceback: 'tb' }));
    expect(state.tasks()[0]?.state).to.equal('RETRY');
    state.apply(event('task-received', 3, { uuid: 't1' }));
    expect(state.tasks()[0]?.state).to.equal('RECEIVED');
  });
});
