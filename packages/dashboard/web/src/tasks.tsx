/** Tasks: the live stream of recent tasks with search, and a form to send one. */
import { useState } from 'preact/hooks';
import { ApiFailure, errorText, post, when } from './api.js';
import { useApi } from './hooks.js';

export interface Task {
  uuid: string;
  name: string | null;
  state: string;
  worker: string | null;
  receivedMs: number | null;
  startedMs: number | null;
  runtime: number | null;
  result: string | null;
  exception: string | null;
  updatedMs: number;
}

const STATES = ['', 'PENDING', 'RECEIVED', 'STARTED', 'SUCCESS', 'FAILURE', 'RETRY', 'REVOKED', 'REJECTED'];

export function TasksView() {
  const [q, setQ] = useState('');
  const [state, setState] = useState('');
  const [worker, setWorker] = useState('');
  const [since, setSince] = useState('');
  const query = new URLSearchParams({ limit: '200' });
  if (q) query.set('q', q);
  if (state) query.set('state', state);
  if (worker) query.set('worker', worker);
  if (since && !Number.isNaN(Date.parse(since))) query.set('since', String(Date.parse(since)));
  const { data, error } = useApi<Task[]>(`/api/tasks?${query.toString()}`, true);
  return (
    <>
      <SendForm />
      <section>
        <h2>Recent tasks</h2>
        <form class="inline" onSubmit={(event) => event.preventDefault()}>
          <label>
            Name or id
            <input name="q" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
          </label>
          <label>
            State
            <select name="state" value={state} onChange={(e) => setState(e.currentTarget.value)}>
              {STATES.map((s) => (
                <option key={s} value={s}>
                  {s || 'any'}
                </option>
              ))}
            </select>
          </label>
          <label>
            Worker
            <input name="worker" value={worker} onInput={(e) => setWorker(e.currentTarget.value)} />
          </label>
          <label>
            Since
            <input name="since" type="datetime-local" value={since} onInput={(e) => setSince(e.currentTarget.value)} />
          </label>
        </form>
        {error && <div class="notice error">{error}</div>}
        <TaskTable tasks={data ?? []} />
      </section>
    </>
  );
}

export function TaskTable({ tasks }: { tasks: readonly Task[] }) {
  return (
    <table id="tasks">
      <thead>
        <tr>
          <th>Id</th>
          <th>Name</th>
          <th>State</th>
          <th>Worker</th>
          <th>Runtime</th>
          <th>Result / exception</th>
          <th>Updated</th>
        </tr>
      </thead>
      <tbody>
        {tasks.map((task) => (
          <tr key={task.uuid} data-task={task.uuid}>
            <td class="mono">
              <a href={`#/tasks/${task.uuid}`}>{task.uuid.slice(0, 8)}</a>
            </td>
            <td>{task.name ?? ''}</td>
            <td class={`state state-${task.state}`}>{task.state}</td>
            <td class="mono">{task.worker ?? ''}</td>
            <td class="num">{task.runtime === null ? '' : `${task.runtime.toFixed(3)} s`}</td>
            <td class="mono">{task.exception ?? task.result ?? ''}</td>
            <td>{when(task.updatedMs)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function SendForm() {
  const [name, setName] = useState('');
  const [args, setArgs] = useState('[]');
  const [kwargs, setKwargs] = useState('{}');
  const [queue, setQueue] = useState('');
  const [notice, setNotice] = useState<{ text: string; bad: boolean } | null>(null);
  const send = async () => {
    try {
      const body = {
        name,
        args: JSON.parse(args) as unknown,
        kwargs: JSON.parse(kwargs) as unknown,
        ...(queue ? { queue } : {}),
      };
      const { id } = await post<{ id: string }>('/api/tasks', body);
      setNotice({ text: `sent ${name} as ${id}`, bad: false });
    } catch (failure) {
      setNotice({ text: failure instanceof ApiFailure ? failure.body.message : errorText(failure), bad: true });
    }
  };
  return (
    <section>
      <h2>Send a task</h2>
      {notice && (
        <div id="send-notice" class={notice.bad ? 'notice error' : 'notice'}>
          {notice.text}
        </div>
      )}
      <form class="inline" id="send-task" onSubmit={(event) => (event.preventDefault(), void send())}>
        <label>
          Task name
          <input name="name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </label>
        <label>
          Args (JSON)
          <input name="args" value={args} onInput={(e) => setArgs(e.currentTarget.value)} />
        </label>
        <label>
          Kwargs (JSON)
          <input name="kwargs" value={kwargs} onInput={(e) => setKwargs(e.currentTarget.value)} />
        </label>
        <label>
          Queue
          <input name="queue" placeholder="routed" value={queue} onInput={(e) => setQueue(e.currentTarget.value)} />
        </label>
        <button class="primary" type="submit">
          Send
        </button>
      </form>
    </section>
  );
}
