/**
 * Cutting one process's connections on the private node, at a chosen moment. Celeriac names its
 * connections (`connection_name`, e.g. `celeriac-beat:lock`), so a beat's can be closed and the
 * worker's left alone. rabbitmqctl itself takes a second or two to start, far too vague for "between
 * two fires", so the closing runs inside the node (`rabbitmqctl eval`): it sleeps until the given
 * wall-clock time, then closes every matching connection at once (320 CONNECTION_FORCED).
 */
import { faultBroker } from './global-broker.js';

/** Closes, at `atMs` (epoch ms), the connections whose name starts with `prefix`; returns their names. */
export async function closeConnectionsAt(prefix: string, atMs: number): Promise<string[]> {
  const out = await faultBroker().ctl(['eval', closeAtExpression(prefix, Math.round(atMs))]);
  return [...out.matchAll(/<<"([^"]*)">>/g)].map((match) => match[1] ?? '');
}

function closeAtExpression(prefix: string, atMs: number): string {
  if (!/^[\w:.-]+$/.test(prefix)) throw new Error(`not a connection name prefix: ${prefix}`);
  const binary = `<<"${prefix}">>`;
  return [
    `timer:sleep(max(0, ${atMs} - os:system_time(millisecond)))`,
    `Named = [{P, Name} || P <- rabbit_networking:connections(), {client_properties, Props} <- rabbit_networking:connection_info(P, [client_properties]), {<<"connection_name">>, longstr, Name} <- Props, binary:longest_common_prefix([Name, ${binary}]) =:= byte_size(${binary})]`,
    `[rabbit_networking:close_connection(P, "celeriac fault case") || {P, _} <- Named]`,
    `[Name || {_, Name} <- Named].`,
  ].join(', ');
}
