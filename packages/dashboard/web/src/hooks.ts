/** Data hooks: read an API path, and read it again whenever the live stream says something changed. */
import { createContext } from 'preact';
import { useCallback, useContext, useEffect, useState } from 'preact/hooks';
import { errorText, get } from './api.js';

/** Bumped on every `change` event of /api/stream. */
export const LiveTick = createContext(0);

export interface Loaded<T> {
  data: T | null;
  error: string | null;
  reload: () => void;
}

export function useApi<T>(path: string | null, live = false): Loaded<T> {
  const tick = useContext(LiveTick);
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [again, setAgain] = useState(0);
  const reload = useCallback(() => setAgain((n) => n + 1), []);
  useEffect(() => {
    if (path === null) return;
    let current = true;
    get<T>(path).then(
      (value) => current && (setData(value), setError(null)),
      (failure: unknown) => current && setError(errorText(failure)),
    );
    return () => {
      current = false;
    };
  }, [path, again, live ? tick : 0]);
  return { data, error, reload };
}

/** Connects to the live stream; returns the tick and whether it is connected. */
export function useLiveStream(): [number, boolean] {
  const [tick, setTick] = useState(0);
  const [open, setOpen] = useState(false);
  useEffect(() => {
    const source = new EventSource('/api/stream');
    source.addEventListener('change', () => setTick((n) => n + 1));
    source.onopen = () => setOpen(true);
    source.onerror = () => setOpen(false);
    return () => source.close();
  }, []);
  return [tick, open];
}

/** Asks before an action is sent; the answer is the action's result or null when declined. */
export async function confirmed<T>(question: string, action: () => Promise<T>): Promise<T | null> {
  return window.confirm(question) ? action() : null;
}
