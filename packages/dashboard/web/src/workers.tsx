/** Workers: the live list, and the control commands, each confirmed before it is sent. */
import { useState } from 'preact/hooks';
import { errorText, post, when } from './api.js';
import { confirmed, useApi } from './hooks.js';

interface Worker {
  hostname: string;
  online: boolean;
  lastSeenMs: number;
  active: number | null;
  processed: number | null;
  loadavg: number[] | null;
  software: string | null;
  queues: string[] | null;
  concurrency: number | null;
}

export function WorkersView() {
  const { data, error } = useApi<Worker[]>('/api/workers', true);
  const [notice, setNotice] = useState<string | null>(null);
  return (
    <section>
      <h2>Workers</h2>
      {notice && <div class="notice">{notice}</div>}
      {error && <div class="notice error">{error}</div>}
      <table id="workers">
        <thead>
          <tr>
            <th>Node</th>
            <th>State</th>
            <th>Queues</th>
            <th>Concurrency</th>
            <th>Active</th>
            <th>Processed</th>
            <th>Load</th>
            <th>Software</th>
            <th>Last seen</th>
            <th>Actions</th>
          </tr>
        </thead>
        <tbody>
          {(data ?? []).map((worker) => (
            <WorkerRow key={worker.hostname} worker={worker} onDone={setNotice} />
          ))}
        </tbody>
      </table>
      {data?.length === 0 && <p class="muted">No worker seen yet (workers send heartbeats every 2 s).</p>}
    </section>
  );
}

function WorkerRow({ worker, onDone }: { worker: Worker; onDone: (text: string) => void }) {
  const act = (action: string, extra: Record<string, unknown>, question: string) =>
    confirmed(question, () =>
      post<{ replies: Record<string, unknown> }>(`/api/workers/${encodeURIComponent(worker.hostname)}/control`, {
        action,
        ...extra,
      }),
    )
      .then(
        (sent) => sent && onDone(`${action} sent to ${worker.hostname}: ${replyText(sent.replies[worker.hostname])}`),
      )
      .catch((failure: unknown) => onDone(errorText(failure)));
  const ask = (what: string) => window.prompt(what)?.trim() || null;
  return (
    <tr data-worker={worker.hostname}>
      <td class="mono">{worker.hostname}</td>
      <td class={worker.online ? 'online' : 'offline'}>{worker.online ? 'online' : 'offline'}</td>
      <td>{worker.queues?.join(', ') ?? ''}</td>
      <td class="num">{worker.concurrency ?? ''}</td>
      <td class="num">{worker.active ?? ''}</td>
      <td class="num">{worker.processed ?? ''}</td>
      <td class="nowrap">{worker.loadavg?.map((n) => n.toFixed(2)).join(' ') ?? ''}</td>
      <td>{worker.software ?? ''}</td>
      <td>{when(worker.lastSeenMs)}</td>
      <td>
        <button onClick={() => void act('pool_grow', { n: 1 }, `Grow the pool of ${worker.hostname} by 1?`)}>+1</button>
        <button onClick={() => void act('pool_shrink', { n: 1 }, `Shrink the pool of ${worker.hostname} by 1?`)}>
          −1
        </button>
        <button
          onClick={() => {
            const task = ask('Task name to rate-limit');
            const rate = task && ask('Rate, e.g. 10/s (0 for none)');
            if (task && rate) void act('rate_limit', { task, rate }, `Set ${task} to ${rate} on ${worker.hostname}?`);
          }}
        >
          rate
        </button>
        <button
          onClick={() => {
            const queue = ask('Queue to consume from');
            if (queue) void act('add_consumer', { queue }, `Make ${worker.hostname} consume from ${queue}?`);
          }}
        >
          +queue
        </button>
        <button
          onClick={() => {
            const queue = ask('Queue to stop consuming from');
            if (queue) void act('cancel_consumer', { queue }, `Make ${worker.hostname} stop consuming from ${queue}?`);
          }}
        >
          −queue
        </button>
        <button class="danger" onClick={() => void act('shutdown', {}, `Shut down ${worker.hostname}?`)}>
          shutdown
        </button>
      </td>
    </tr>
  );
}

/** Celery's control replies are `{ok: text}` or `{error: text}`; a shutdown gets none. */
function replyText(reply: unknown): string {
  if (reply === undefined) return 'no reply (yet)';
  const { ok, error } = (reply ?? {}) as { ok?: unknown; error?: unknown };
  if (typeof ok === 'string') return ok;
  if (typeof error === 'string') return `error: ${error}`;
  return JSON.stringify(reply);
}
