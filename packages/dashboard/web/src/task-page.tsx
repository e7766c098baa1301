/** One task: what it was called with, how it ended (traceback included), its events and relations; revoke, terminate, re-send. */
import { useState } from 'preact/hooks';
import { errorText, post, when } from './api.js';
import { confirmed, useApi } from './hooks.js';
import type { Task } from './tasks.js';

interface TaskDetails extends Task {
  args: string | null;
  kwargs: string | null;
  retries: number;
  eta: string | null;
  expires: string | null;
  queue: string | null;
  traceback: string | null;
  rootId: string | null;
  parentId: string | null;
  timeline: Array<{ type: string; at: number; hostname: string }>;
  related: string[];
}

export function TaskPage({ id }: { id: string }) {
  const { data: task, error } = useApi<TaskDetails>(`/api/tasks/${encodeURIComponent(id)}`, true);
  const [notice, setNotice] = useState<string | null>(null);
  const act = (path: string, body: unknown, question: string) =>
    confirmed(question, () => post<{ id?: string }>(`/api/tasks/${encodeURIComponent(id)}/${path}`, body))
      .then((done) => done && setNotice(done.id ? `re-sent as ${done.id}` : `${path} sent`))
      .catch((failure: unknown) => setNotice(errorText(failure)));
  if (error) return <section class="notice error">{error}</section>;
  if (!task) return <section>loading…</section>;
  return (
    <section id="task-page">
      <h2>
        {task.name ?? '(unknown task)'} <span class={`state state-${task.state}`}>{task.state}</span>
      </h2>
      {notice && <div class="notice">{notice}</div>}
      <p>
        <button onClick={() => void act('revoke', {}, 'Revoke this task?')}>Revoke</button>{' '}
        <button
          class="danger"
          onClick={() => void act('revoke', { terminate: true }, 'Terminate this task if it is running?')}
        >
          Terminate
        </button>{' '}
        <button onClick={() => void act('resend', {}, 'Send this task again under a new id?')}>Re-send</button>
      </p>
      <table>
        <tbody>
          <Row name="Id" value={task.uuid} />
          <Row name="Worker" value={task.worker} />
          <Row name="Args" value={task.args} />
          <Row name="Kwargs" value={task.kwargs} />
          <Row name="Queue" value={task.queue} />
          <Row name="Retries" value={String(task.retries)} />
          <Row name="ETA" value={task.eta} />
          <Row name="Expires" value={task.expires} />
          <Row name="Runtime" value={task.runtime === null ? null : `${task.runtime} s`} />
          <Row name="Result" value={task.result} />
          <Row name="Exception" value={task.exception} />
          <Row name="Parent" value={task.parentId} link />
          <Row name="Root" value={task.rootId === task.uuid ? null : task.rootId} link />
        </tbody>
      </table>
      {task.traceback && (
        <>
          <h2>Traceback</h2>
          <pre id="traceback">{task.traceback}</pre>
        </>
      )}
      <h2>Timeline</h2>
      <table id="timeline">
        <tbody>
          {task.timeline.map((entry, index) => (
            <tr key={index}>
              <td>{when(entry.at)}</td>
              <td>{entry.type}</td>
              <td class="mono">{entry.hostname}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {task.related.length > 0 && (
        <>
          <h2>Related tasks (children in its chain or group)</h2>
          <ul>
            {task.related.map((other) => (
              <li key={other}>
                <a class="mono" href={`#/tasks/${other}`}>
                  {other}
                </a>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function Row({ name, value, link }: { name: string; value: string | null | undefined; link?: boolean }) {
  if (value == null || value === '') return null;
  return (
    <tr>
      <th>{name}</th>
      <td class="mono">{link ? <a href={`#/tasks/${value}`}>{value}</a> : value}</td>
    </tr>
  );
}
