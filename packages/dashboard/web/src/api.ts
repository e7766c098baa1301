/** The JSON API, as the page uses it. Actions carry the header the server's cross-site check wants. */
export interface ApiError {
  error: string;
  message: string;
  field?: string | null;
}

export class ApiFailure extends Error {
  constructor(readonly body: ApiError) {
    super(body.message);
  }
}

export async function get<T>(path: string): Promise<T> {
  return answer<T>(await fetch(path, { headers: { accept: 'application/json' } }));
}

export async function post<T>(path: string, body: unknown = {}): Promise<T> {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-celeriac-dashboard': '1' },
    body: JSON.stringify(body),
  });
  return answer<T>(response);
}

async function answer<T>(response: Response): Promise<T> {
  const body = (await response.json()) as unknown;
  if (!response.ok) throw new ApiFailure(body as ApiError);
  return body as T;
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A time as the browser writes it; with `zone`, in that zone and named (a schedule's own zone). */
export function when(ms: number | null | undefined, zone?: string): string {
  if (ms == null) return '';
  return zone
    ? new Date(ms).toLocaleString(undefined, { timeZone: zone, timeZoneName: 'short' })
    : new Date(ms).toLocaleString();
}
