import { expect } from 'chai';
import { TaskRequests } from '../control/task-requests.js';
import { fakeJob } from './job-fixture.js';

describe('TaskRequests (what inspect active/reserved/scheduled/query_task see)', () => {
  it('moves a job through reserved, scheduled and active, and forgets it', () => {
    const requests = new TaskRequests('node@host');
    const { job } = fakeJob({ id: 'a' }, {}, { priority: 3 });
    requests.reserve(job);
    expect(requests.list('reserved').map(({ info }) => info.id)).to.deep.equal(['a']);
    requests.schedule(job);
    expect(requests.list('reserved')).to.deep.equal([]);
    expect(requests.list('scheduled').map(({ info }) => info.id)).to.deep.equal(['a']);
    requests.start(job);
    const info = requests.list('active')[0]!.info;
    expect(info).to.deep.include({ hostname: 'node@host', worker_pid: process.pid, acknowledged: false });
    expect(info.delivery_info).to.deep.equal({ exchange: '', routing_key: 'q', priority: 3, redelivered: false });
    requests.forget(job);
    expect(requests.list('active')).to.deep.equal([]);
    expect(requests.totals()).to.deep.equal({ 'tasks.x': 1 });
  });

  it('answers query_task with active and reserved jobs, and leaves out one waiting for its eta (as Celery 5.6)', () => {
    const requests = new TaskRequests('node@host');
    const [running, waiting, timed] = ['r', 'w', 't'].map((id) => fakeJob({ id }).job);
    requests.start(running!);
    requests.reserve(waiting!);
    requests.schedule(timed!);
    const found = requests.query(['r', 'w', 't', 'unknown']);
    expect(Object.keys(found).sort()).to.deep.equal(['r', 'w']);
    expect([found.r![0], found.w![0]]).to.deep.equal(['active', 'reserved']);
  });

  it('reports an early-acked running task as acknowledged, with its args as reprs when safe', () => {
    const requests = new TaskRequests('node@host');
    const { job } = fakeJob({ id: 'e', args: ['x'], kwargs: { n: 1 } }, { acksLate: false });
    requests.start(job);
    const info = requests.list('active', true)[0]!.info;
    expect(info).to.deep.include({ acknowledged: true, args: "('x',)", kwargs: "{'n': 1}" });
  });
});
