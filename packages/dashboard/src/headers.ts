/**
 * Response headers that keep the page from being framed (clickjacking its confirmed actions),
 * sniffed or made to run scripts from anywhere but the dashboard itself. The one inline script,
 * the import map, is allowed by its SHA-256 hash, computed from the page as shipped.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';

const IMPORT_MAP = /<script type="importmap">([\s\S]*?)<\/script>/;

export async function securityHeaders(indexHtml: string): Promise<Record<string, string>> {
  const importMap = IMPORT_MAP.exec(await readFile(indexHtml, 'utf8'))?.[1] ?? '';
  const hash = createHash('sha256').update(importMap, 'utf8').digest('base64');
  const policy = [
    "default-src 'self'",
    `script-src 'self' 'sha256-${hash}'`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    'content-security-policy': policy,
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  };
}
