import { expect } from 'chai';
import { TaskRegistry } from '../task-registry.js';
import { Worker } from '../worker.js';

describe('worker events', () => {
  it('accept only known event names and payloads (checked by tsc when this file compiles)', () => {
    const worker = new Worker({ tasks: new TaskRegistry() });
    const seen: string[] = [];
    worker.on('task:succeeded', (info) => seen.push(`${info.id} ${info.runtimeMs}`));
    worker.on('message:dead-lettered', (info) => seen.push(info.code));
    // @ts-expect-error: a misspelled event name does not compile
    worker.on('task:succeded', () => undefined);
    // @ts-expect-error: task:failed listeners get the failure info, not a string
    worker.on('task:failed', (info: string) => seen.push(info));
    expect(worker.listenerCount('task:succeeded')).to.equal(1);
    expect(worker.listenerCount('message:dead-lettered')).to.equal(1);
  });
});
