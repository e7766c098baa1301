/** Dead letters: list, look inside one, requeue one or a selection (confirmed), purge. */
import { useState } from 'preact/hooks';
import { errorText, get, post } from './api.js';
import { confirmed, useApi } from './hooks.js';

interface Letter {
  taskId: string | null;
  task: string | null;
  code: string | null;
  reason: string | null;
  queue: string | null;
  at: string | null;
}

interface Shown extends Letter {
  headers: unknown;
  body: string;
}

export function DeadLettersView() {
  const [task, setTask] = useState('');
  const { data, error, reload } = useApi<Letter[]>(
    `/api/dead-letters${task ? `?task=${encodeURIComponent(task)}` : ''}`,
  );
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [shown, setShown] = useState<Shown | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const toggle = (id: string) =>
    setSelected((was) => {
      const next = new Set(was);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  const run = (path: 'requeue' | 'purge', body: unknown, question: string) =>
    confirmed(question, () =>
      post<{ requeued?: string[]; failed?: unknown[]; purged?: number }>(`/api/dead-letters/${path}`, body),
    )
      .then((outcome) => {
        if (!outcome) return;
        setNotice(
          path === 'purge'
            ? `purged ${outcome.purged}`
            : `requeued ${outcome.requeued?.length ?? 0}, failed ${outcome.failed?.length ?? 0}`,
        );
        setSelected(new Set());
        reload();
      })
      .catch((failure: unknown) => setNotice(errorText(failure)));
  const open = (id: string) =>
    get<Shown>(`/api/dead-letters/${encodeURIComponent(id)}`).then(setShown, (f: unknown) => setNotice(errorText(f)));
  const ids = [...selected];
  return (
    <section>
      <h2>Dead letters</h2>
      {notice && (
        <div class="notice" id="dead-notice">
          {notice}
        </div>
      )}
      {error && <div class="notice error">{error}</div>}
      <p>
        <label>
          Task name
          <input name="task" value={task} onChange={(e) => setTask(e.currentTarget.value.trim())} />
        </label>{' '}
        <button onClick={reload}>Refresh</button>{' '}
        <button
          disabled={ids.length === 0}
          onClick={() => void run('requeue', { taskIds: ids }, `Requeue ${ids.length} dead letters?`)}
        >
          Requeue selected
        </button>{' '}
        <button
          class="danger"
          disabled={ids.length === 0}
          onClick={() => void run('purge', { taskIds: ids }, `Remove ${ids.length} dead letters for good?`)}
        >
          Purge selected
        </button>{' '}
        <button class="danger" onClick={() => void run('purge', { all: true }, 'Remove EVERY dead letter for good?')}>
          Purge all
        </button>
      </p>
      <table id="dead-letters">
        <thead>
          <tr>
            <th></th>
            <th>Task id</th>
            <th>Task</th>
            <th>Code</th>
            <th>Reason</th>
            <th>Queue</th>
            <th>Dead since</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {(data ?? []).map((letter, index) => (
            <tr key={letter.taskId ?? index} data-dead={letter.taskId ?? ''}>
              <td>
                {letter.taskId && (
                  <input
                    type="checkbox"
                    checked={selected.has(letter.taskId)}
                    onChange={() => letter.taskId && toggle(letter.taskId)}
                  />
                )}
              </td>
              <td class="mono">
                {letter.taskId && (
                  <a href="#/dead" onClick={(e) => (e.preventDefault(), void open(letter.taskId ?? ''))}>
                    {letter.taskId}
                  </a>
                )}
              </td>
              <td>{letter.task ?? ''}</td>
              <td>{letter.code ?? ''}</td>
              <td>{letter.reason ?? ''}</td>
              <td class="mono">{letter.queue ?? ''}</td>
              <td>{letter.at ? new Date(letter.at).toLocaleString() : ''}</td>
              <td>
                {letter.taskId && (
                  <button
                    onClick={() =>
                      void run('requeue', { taskIds: [letter.taskId] }, `Requeue ${letter.taskId} to ${letter.queue}?`)
                    }
                  >
                    Requeue
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {data?.length === 0 && <p class="muted">celeriac.dead is empty.</p>}
      {shown && (
        <>
          <h2>{shown.taskId}</h2>
          <h3>Headers</h3>
          <pre>{JSON.stringify(shown.headers, null, 2)}</pre>
          <h3>Body</h3>
          <pre id="dead-body">{shown.body}</pre>
        </>
      )}
    </section>
  );
}
