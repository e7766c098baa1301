/**
 * Add or edit a schedule. The server validates (bad cron, unknown zone, interval under 1 s) and
 * names the field at fault; the cron preview is asked for as you type, with DST-change days marked.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiFailure, errorText, get, post } from './api.js';
import type { Entry, Spec } from './schedule-types.js';

interface Slot {
  utc: string;
  local: string;
  offset: string;
  dstChange: boolean;
}

type Errors = Record<string, string>;

function specOf(kind: string, expression: string, timezone: string, every: string, at: string): Spec {
  if (kind === 'interval') return { kind, everyMs: Math.round(Number(every) * 1000) };
  if (kind === 'once') return { kind, at };
  return { kind: 'cron', expression, timezone };
}

export function ScheduleForm({ editing, onSaved }: { editing: Entry | null; onSaved: (name: string) => void }) {
  const spec = editing?.schedule;
  const [name, setName] = useState(editing?.name ?? '');
  const [task, setTask] = useState(editing?.task ?? '');
  const [kind, setKind] = useState<string>(spec?.kind ?? 'cron');
  const [expression, setExpression] = useState(spec?.expression ?? '0 22 * * *');
  const [timezone, setTimezone] = useState(spec?.timezone ?? 'Europe/Warsaw');
  const [every, setEvery] = useState(spec?.everyMs ? String(spec.everyMs / 1000) : '60');
  const [at, setAt] = useState(spec?.at ?? '');
  const [args, setArgs] = useState(JSON.stringify(editing?.args ?? []));
  const [queue, setQueue] = useState(editing?.options.queue ?? '');
  const [errors, setErrors] = useState<Errors>({});
  const save = async () => {
    let parsedArgs: unknown;
    try {
      parsedArgs = JSON.parse(args);
    } catch {
      return setErrors({ args: 'not JSON' });
    }
    const body = {
      task,
      schedule: specOf(kind, expression, timezone, every, at),
      args: parsedArgs,
      ...(queue ? { options: { queue } } : {}),
    };
    try {
      if (editing) await post(`/api/schedules/${encodeURIComponent(editing.name)}`, body);
      else await post('/api/schedules', { name, ...body });
      setErrors({});
      onSaved(editing?.name ?? name);
    } catch (failure) {
      const field = failure instanceof ApiFailure ? (failure.body.field ?? 'form') : 'form';
      setErrors({ [field]: errorText(failure) });
    }
  };
  const fieldError = (field: string) =>
    errors[field] && (
      <span class="field-error" data-error={field}>
        {errors[field]}
      </span>
    );
  return (
    <section>
      <h2>{editing ? `Edit ${editing.name}` : 'Add a schedule'}</h2>
      {errors.form && (
        <div class="notice error" data-error="form">
          {errors.form}
        </div>
      )}
      <form class="inline" id="schedule-form" onSubmit={(event) => (event.preventDefault(), void save())}>
        <label>
          Name
          <input name="name" disabled={editing !== null} value={name} onInput={(e) => setName(e.currentTarget.value)} />
          {fieldError('name')}
        </label>
        <label>
          Task
          <input name="task" value={task} onInput={(e) => setTask(e.currentTarget.value)} />
          {fieldError('task')}
        </label>
        <label>
          Kind
          <select name="kind" value={kind} onChange={(e) => setKind(e.currentTarget.value)}>
            <option value="cron">cron</option>
            <option value="interval">interval</option>
            <option value="once">once</option>
          </select>
        </label>
        {kind === 'cron' && (
          <>
            <label>
              Cron
              <input
                name="expression"
                class="mono"
                value={expression}
                onInput={(e) => setExpression(e.currentTarget.value)}
              />
              {fieldError('expression')}
            </label>
            <label>
              Zone
              <input name="timezone" value={timezone} onInput={(e) => setTimezone(e.currentTarget.value)} />
              {fieldError('timezone')}
            </label>
          </>
        )}
        {kind === 'interval' && (
          <label>
            Every (s)
            <input
              name="every"
              type="number"
              step="any"
              value={every}
              onInput={(e) => setEvery(e.currentTarget.value)}
            />
            {fieldError('every')}
          </label>
        )}
        {kind === 'once' && (
          <label>
            At (ISO, with zone)
            <input
              name="at"
              value={at}
              placeholder="2030-01-31T09:00:00+01:00"
              onInput={(e) => setAt(e.currentTarget.value)}
            />
            {fieldError('at')}
          </label>
        )}
        <label>
          Args (JSON)
          <input name="args" value={args} onInput={(e) => setArgs(e.currentTarget.value)} />
          {fieldError('args')}
        </label>
        <label>
          Queue
          <input name="queue" placeholder="routed" value={queue} onInput={(e) => setQueue(e.currentTarget.value)} />
        </label>
        <button class="primary" type="submit">
          {editing ? 'Save' : 'Add'}
        </button>
      </form>
      {kind === 'cron' && <Preview expression={expression} timezone={timezone} />}
    </section>
  );
}

const PREVIEW_DELAY_MS = 300;

/** The next fires as you type, asked of the server (the same maths as beat's). */
function Preview({ expression, timezone }: { expression: string; timezone: string }) {
  const [slots, setSlots] = useState<Slot[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    const query = new URLSearchParams({ kind: 'cron', expression, timezone, count: '10' });
    const timer = setTimeout(() => {
      get<Slot[]>(`/api/schedules/preview?${query.toString()}`).then(
        (found) => (setSlots(found), setProblem(null)),
        (failure: unknown) => (setSlots([]), setProblem(errorText(failure))),
      );
    }, PREVIEW_DELAY_MS);
    return () => clearTimeout(timer);
  }, [expression, timezone]);
  return (
    <div id="preview">
      <h2>Next fires in {timezone}</h2>
      {problem && (
        <div class="notice error" data-error="preview">
          {problem}
        </div>
      )}
      <table>
        <thead>
          <tr>
            <th>Local time ({timezone})</th>
            <th>Offset</th>
            <th>UTC</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {slots.map((slot) => (
            <tr key={slot.utc} class={slot.dstChange ? 'dst' : ''}>
              <td class="mono">{slot.local}</td>
              <td>{slot.offset}</td>
              <td class="mono">{slot.utc}</td>
              <td>{slot.dstChange && <span class="dst-mark">DST change day</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
