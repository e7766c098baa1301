/**
 * Forced disconnects for recovery tests, through rabbitmqctl on the local node. Only the named
 * connections are closed, never all of them: other test processes share the broker.
 */
import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import { promisify } from 'node:util';
import { BROKER_URL } from './broker.js';

const run = promisify(execFile);
const RABBITMQCTL = '/usr/sbin/rabbitmqctl';

/** Whether this machine can close broker connections: rabbitmqctl here, and the broker local. */
export async function canCloseConnections(): Promise<boolean> {
  const local = /@(127\.0\.0\.1|localhost)[:/]/.test(BROKER_URL);
  return (
    local &&
    access(RABBITMQCTL, constants.X_OK).then(
      () => true,
      () => false,
    )
  );
}

/** Closes every connection whose client-provided name is one of `names`; returns how many. */
export async function closeConnectionsNamed(...names: string[]): Promise<number> {
  const { stdout } = await run(RABBITMQCTL, ['list_connections', '-q', 'pid', 'client_properties'], {
    timeout: 15_000,
  });
  const pids = stdout
    .split('\n')
    .filter((line) => names.some((name) => line.includes(`{"connection_name","${name}"}`)))
    .map((line) => line.split('\t')[0] ?? '');
  for (const pid of pids)
    await run(RABBITMQCTL, ['close_connection', pid, 'celeriac recovery test'], { timeout: 15_000 });
  return pids.length;
}

/** The channel numbers open on the connection whose client-provided name is `name`. */
export async function channelsOf(name: string): Promise<number[]> {
  const connections = await run(RABBITMQCTL, ['list_connections', '-q', 'pid', 'client_properties'], {
    timeout: 15_000,
  });
  const pid = connections.stdout
    .split('\n')
    .find((line) => line.includes(`{"connection_name","${name}"}`))
    ?.split('\t')[0];
  if (!pid) throw new Error(`no connection named ${name}`);
  const channels = await run(RABBITMQCTL, ['list_channels', '-q', 'connection', 'number'], { timeout: 15_000 });
  return channels.stdout
    .split('\n')
    .map((line) => line.split('\t'))
    .filter(([connection]) => connection === pid)
    .map(([, number]) => Number(number));
}
