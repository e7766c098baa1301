import { expect } from 'chai';
import type { EventDispatcher } from '@celeriac/amqp';
import { WorkerHeartbeat } from '../events/worker-heartbeat.js';

/** The event types a heartbeat sends, in order. */
function recorder(): { sent: string[]; dispatcher: EventDispatcher } {
  const sent: string[] = [];
  const dispatcher = { send: (type: string) => void sent.push(type) } as unknown as EventDispatcher;
  return { sent, dispatcher };
}

describe('WorkerHeartbeat', () => {
  // Seen in CI: `celery events` broadcasts a heartbeat command when it starts; a worker whose
  // control answered it before going online sent worker-heartbeat before worker-online.
  it('sends no heartbeat before worker-online or after worker-offline, whoever asks', () => {
    const { sent, dispatcher } = recorder();
    const heartbeat = new WorkerHeartbeat(dispatcher, { active: () => 0, processed: () => 0 }, '0.1.0');
    heartbeat.beat();
    heartbeat.start();
    heartbeat.beat();
    heartbeat.stop();
    heartbeat.beat();
    expect(sent).to.deep.equal(['worker-online', 'worker-heartbeat', 'worker-offline']);
  });
});
