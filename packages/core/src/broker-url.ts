/** The broker every component uses when none is configured, as in DESIGN §3. */
export const DEFAULT_BROKER_URL = 'amqp://guest:guest@localhost:5672//';

/** A URL safe to log: the password is replaced, so secrets never reach a log line. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
  }
}
