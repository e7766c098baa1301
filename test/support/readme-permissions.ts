/**
 * The permission patterns of README "Least privilege", read from its table, so that the users
 * the test creates are exactly those the README tells operators to create: the two cannot drift.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { ROOT, SpawnedCli } from './spawned-cli.js';
import type { PrivateVhost } from './vhost.js';

export interface Permissions {
  configure: string;
  write: string;
  read: string;
}

export type Role = 'producer' | 'worker' | 'beat';

/** The README's queue, worker node and beat group, which the patterns name. */
export const README_NAMES = { queue: 'workorders', node: 'w1@host', beatGroup: 'prod' } as const;

export function readmePermissions(): Record<Role, Permissions> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Least privilege'));
  const rows = section
    .slice(0, section.indexOf('\n## '))
    .split('\n')
    .filter((line) => line.startsWith('| '));
  return { producer: row(rows, 'producer'), worker: row(rows, 'worker'), beat: row(rows, 'beat') };
}

function row(rows: string[], role: Role): Permissions {
  const line = rows.find((candidate) => candidate.slice(2).startsWith(role));
  if (!line) throw new Error(`README "Least privilege" has no row for ${role}`);
  // Cells split at unescaped pipes; `\|` is a pipe inside a pattern.
  const [configure, write, read] = line
    .split(/(?<!\\)\|/)
    .slice(2, 5)
    .map(pattern);
  if (!configure || !write || !read) throw new Error(`README row ${role} has no three patterns`);
  return { configure, write, read };
}

function pattern(cell: string): string {
  return cell.trim().replace(/^`|`$/g, '').replace(/\\\|/g, '|');
}

/**
 * The README's users in a fresh vhost, after an administrator's `celeriac topology apply` of the
 * README's queue and beat group; `extra` users beside them. Returns each user's broker URL.
 */
export async function readmeVhost(
  vhost: PrivateVhost,
  extra: Record<string, Permissions> = {},
): Promise<{ urls: Record<string, string>; applied: string }> {
  await vhost.create();
  const urls: Record<string, string> = {};
  for (const [role, permissions] of Object.entries({ ...readmePermissions(), ...extra }))
    urls[role] = await vhost.user(role, permissions);
  const { queue, beatGroup } = README_NAMES;
  const applied = await SpawnedCli.run(['topology', 'apply', '-Q', queue, '--beat-group', beatGroup], {
    CELERIAC_BROKER: vhost.url,
  });
  expect(applied.code, applied.stderr).to.equal(0);
  return { urls, applied: applied.stdout };
}
