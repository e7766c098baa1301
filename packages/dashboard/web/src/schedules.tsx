/** Schedules: the leading beat's list with actions, and the add/edit form with server-side validation. */
import { useState } from 'preact/hooks';
import { errorText, post, when } from './api.js';
import { confirmed, useApi } from './hooks.js';
import { ScheduleForm } from './schedule-form.js';
import type { Entry, Spec } from './schedule-types.js';

function describe(spec: Spec): [string, string] {
  if (spec.kind === 'cron') return [`cron ${spec.expression}`, spec.timezone ?? 'UTC'];
  if (spec.kind === 'interval') return [`every ${(spec.everyMs ?? 0) / 1000} s`, 'UTC'];
  return [`once at ${spec.at ?? ''}`, 'UTC'];
}

export function SchedulesView() {
  const { data, error, reload } = useApi<Entry[]>('/api/schedules');
  const [editing, setEditing] = useState<Entry | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const act = (entry: Entry, action: 'enable' | 'disable' | 'remove') =>
    confirmed(`${action} schedule ${entry.name}?`, () =>
      post(`/api/schedules/${encodeURIComponent(entry.name)}/${action}`),
    )
      .then((done) => done && (setNotice(`${action}d ${entry.name}`), reload()))
      .catch((failure: unknown) => setNotice(errorText(failure)));
  return (
    <>
      <ScheduleForm
        key={editing?.name ?? 'new'}
        editing={editing}
        onSaved={(name) => (setNotice(`saved ${name}`), setEditing(null), reload())}
      />
      <section>
        <h2>Schedules</h2>
        {notice && (
          <div class="notice" id="schedule-notice">
            {notice}
          </div>
        )}
        {error && <div class="notice error">{error}</div>}
        <table id="schedules">
          <thead>
            <tr>
              <th>Name</th>
              <th>Task</th>
              <th>Kind</th>
              <th>Zone</th>
              <th>Enabled</th>
              <th>Last fire</th>
              <th>Next fire</th>
              <th>Runs</th>
              <th></th>
            </tr>
          </thead>
          <tbody>
            {(data ?? []).map((entry) => {
              const [kind, zone] = describe(entry.schedule);
              return (
                <tr key={entry.name} data-schedule={entry.name}>
                  <td>{entry.name}</td>
                  <td>{entry.task}</td>
                  <td class="mono">{kind}</td>
                  <td>{zone}</td>
                  <td class={entry.enabled ? 'online' : 'offline'}>{entry.enabled ? 'yes' : 'no'}</td>
                  <td>{entry.lastSlot ? when(Date.parse(entry.lastSlot), zone) : ''}</td>
                  <td>{entry.nextFire ? when(Date.parse(entry.nextFire), zone) : ''}</td>
                  <td class="num">{entry.runCount}</td>
                  <td>
                    <button onClick={() => setEditing(entry)}>Edit</button>{' '}
                    {entry.enabled ? (
                      <button onClick={() => void act(entry, 'disable')}>Disable</button>
                    ) : (
                      <button onClick={() => void act(entry, 'enable')}>Enable</button>
                    )}{' '}
                    <button class="danger" onClick={() => void act(entry, 'remove')}>
                      Remove
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        {data?.length === 0 && <p class="muted">No schedules.</p>}
      </section>
    </>
  );
}
