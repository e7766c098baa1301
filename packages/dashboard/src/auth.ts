/**
 * Who may use the dashboard, and that actions come from its own page. `--auth basic:USER:PASS`
 * or `--auth bearer` (the token read from an environment variable, so it is not in `ps`).
 * Credentials are compared as SHA-256 digests with timingSafeEqual, so neither their length nor
 * their content leaks through timing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { DashboardConfigError } from './errors.js';

export type DashboardAuth = { kind: 'basic'; user: string; password: string } | { kind: 'bearer'; token: string };

import { TOKEN_ENV } from './defaults.js';

export { TOKEN_ENV };

/** `basic:USER:PASS` (the password may contain colons) or `bearer` (token from `env[TOKEN_ENV]`). */
export function parseAuth(spec: string, env: Readonly<Record<string, string | undefined>>): DashboardAuth {
  if (spec === 'bearer') return bearer(env[TOKEN_ENV]);
  const match = /^basic:([^:]+):(.+)$/.exec(spec);
  if (match?.[1] !== undefined && match[2] !== undefined) return { kind: 'basic', user: match[1], password: match[2] };
  throw new DashboardConfigError('INVALID_AUTH', 'invalid --auth: expected basic:USER:PASS or bearer');
}

function bearer(token: string | undefined): DashboardAuth {
  if (token !== undefined && token.length >= 16) return { kind: 'bearer', token };
  throw new DashboardConfigError(
    'INVALID_AUTH',
    `--auth bearer needs a token of at least 16 characters in ${TOKEN_ENV}`,
  );
}

/** Whether an Authorization header satisfies `auth`. */
export function authorized(auth: DashboardAuth, header: string | undefined): boolean {
  if (header === undefined) return false;
  if (auth.kind === 'bearer') return sameSecret(header, `Bearer ${auth.token}`);
  const encoded = Buffer.from(`${auth.user}:${auth.password}`, 'utf8').toString('base64');
  return sameSecret(header, `Basic ${encoded}`);
}

function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * A state-changing request is accepted only from the dashboard's own page: it must carry the
 * `X-Celeriac-Dashboard` header (which a cross-site form cannot set, and a cross-site script may
 * only after a CORS preflight the server never grants), and an Origin, when present, must be ours.
 */
export function sameSiteAction(headers: Readonly<Record<string, string | string[] | undefined>>): boolean {
  if (headers['x-celeriac-dashboard'] !== '1') return false;
  const origin = headers.origin;
  if (typeof origin !== 'string') return headers['sec-fetch-site'] !== 'cross-site';
  return URL.canParse(origin) && new URL(origin).host === headers.host;
}
