import { expect } from 'chai';
import type { Logger, LogLevel } from '@celeriac/core';
import { TaskState, type ResultMeta } from '@celeriac/protocol';
import { DUPLICATE_LOG_MESSAGE, DuplicateGate } from '../gates/duplicate-gate.js';
import { fakeJob } from './job-fixture.js';

/** The gate's decisions over a reader that answers from a map (the MongoDB reads are covered in test/mongodb-results.test.ts). */
function gateOver(states: Record<string, TaskState | Error>) {
  const lines: Array<{ level: LogLevel; message: string }> = [];
  const logger: Logger = { log: (level, message) => void lines.push({ level, message }), child: () => logger };
  const gate = new DuplicateGate({
    latest: async (taskId): Promise<ResultMeta | null> => {
      const state = states[taskId];
      if (state instanceof Error) throw state;
      return state ? { task_id: taskId, status: state, result: null, traceback: null, children: [] } : null;
    },
  });
  const admit = async (id: string) => {
    const { job, settled } = fakeJob({ id });
    const answer = await gate.admit({ ...job, logger });
    return { answer, settled };
  };
  return { admit, lines };
}

describe('DuplicateGate', () => {
  it('acks a task whose id already SUCCEEDED without running it, and logs why', async () => {
    const { admit, lines } = gateOver({ 'task-1': TaskState.SUCCESS });
    expect(await admit('task-1')).to.deep.equal({ answer: 'settled', settled: ['ack'] });
    expect(lines).to.deep.include({ level: 'info', message: DUPLICATE_LOG_MESSAGE });
    expect(DUPLICATE_LOG_MESSAGE).to.contain('duplicate of a task that already succeeded');
  });

  it('runs unknown ids and ids in any other state (a FAILURE or a RETRY may run again)', async () => {
    const { admit } = gateOver({ failed: TaskState.FAILURE, retrying: TaskState.RETRY, started: TaskState.STARTED });
    for (const id of ['new', 'failed', 'retrying', 'started'])
      expect(await admit(id), id).to.deep.equal({ answer: 'run', settled: [] });
  });

  it('runs the task when the store cannot answer, and warns', async () => {
    const { admit, lines } = gateOver({ 'task-1': new Error('no primary') });
    expect(await admit('task-1')).to.deep.equal({ answer: 'run', settled: [] });
    expect(lines.map((line) => line.level)).to.deep.equal(['warn']);
  });
});
