/**
 * The producer side: sends work orders through the typed contracts and awaits the outcomes.
 * It imports the contracts only, never the handlers. Every `get()` is typed by its contract:
 * `dispatch` yields a CrewAssignment, `report` a SiteSummary, `close` a ClosedWorkOrder.
 */
import { TaskFailedError, chain, chord, group, type AsyncResult, type Client } from '@celeriac/client';
import {
  close,
  dispatch,
  inspectSite,
  notifyCrew,
  report,
  summariseDay,
  writeReport,
  type DaySummary,
  type ClosedWorkOrder,
  type CrewAssignment,
  type SiteSummary,
  type WorkOrder,
} from './contracts.js';

export interface BatchOptions {
  queue: string;
  /** How long to wait for each result. @default 30 000 */
  timeoutMs?: number;
}

/** A task's outcome: its value, or the remote failure. Anything else (a timeout) is thrown. */
export type Outcome<T> = { ok: true; taskId: string; value: T } | { ok: false; taskId: string; error: TaskFailedError };

export interface DispatchOutcome {
  order: WorkOrder;
  outcome: Outcome<CrewAssignment>;
}

export interface BatchReport {
  dispatched: DispatchOutcome[];
  closed: Outcome<ClosedWorkOrder>[];
  sites: Outcome<SiteSummary>[];
}

/**
 * Dispatches every order, closes the ones that got a crew, then asks for one summary per site.
 * All sends of a step go out before its results are awaited, so the worker runs them in parallel.
 */
export async function runWorkOrders(client: Client, orders: WorkOrder[], options: BatchOptions): Promise<BatchReport> {
  const dispatched = await dispatchOrders(client, orders, options);
  const assigned = dispatched.flatMap(({ outcome }) => (outcome.ok ? [outcome.value] : []));
  const closed = await settleAll(
    assigned.map((a) => client.send(close, [a.orderId, `done by ${a.crew}`], { queue: options.queue })),
    options,
  );
  const siteIds = [...new Set(orders.map((order) => order.siteId))];
  const sites = await settleAll(
    siteIds.map((siteId) => client.send(report, [siteId, orders], { queue: options.queue })),
    options,
  );
  return { dispatched, closed, sites };
}

export async function dispatchOrders(
  client: Client,
  orders: WorkOrder[],
  options: BatchOptions,
): Promise<DispatchOutcome[]> {
  const outcomes = await settleAll(
    orders.map((order) => client.send(dispatch, [order], { queue: options.queue })),
    options,
  );
  return orders.map((order, i) => ({ order, outcome: outcomes[i] as Outcome<CrewAssignment> }));
}

async function settleAll<T>(sends: Promise<AsyncResult<T>>[], options: BatchOptions): Promise<Outcome<T>[]> {
  const results = await Promise.all(sends);
  return Promise.all(results.map((result) => settle(result, options.timeoutMs ?? 30_000)));
}

export async function settle<T>(result: AsyncResult<T>, timeoutMs: number): Promise<Outcome<T>> {
  try {
    return { ok: true, taskId: result.id, value: await result.get({ timeoutMs }) };
  } catch (error) {
    if (error instanceof TaskFailedError) return { ok: false, taskId: result.id, error };
    throw error;
  }
}

/**
 * A chain: open a site's inspection, write its report, notify the crew. Each step gets the one
 * before's result; the compiler checks that they fit (InspectionOrder → InspectionReport →
 * string). The result is the last step's, typed `string`; `.parent` goes back along the chain.
 */
export async function inspectAndNotify(client: Client, siteId: string, options: BatchOptions): Promise<string> {
  const flow = chain(inspectSite.s(siteId), writeReport.s(), notifyCrew.s());
  const result = await client.send(flow, { queue: options.queue });
  return result.get({ timeoutMs: options.timeoutMs ?? 30_000 });
}

/**
 * A chord: close every order in parallel, then one summary of them all. It needs a result
 * backend that stores results (mongodb://): the worker that closes the last order sends the
 * summary, once.
 */
export async function closeAllWithSummary(
  client: Client,
  orders: readonly WorkOrder[],
  options: BatchOptions,
): Promise<DaySummary> {
  const closings = group(...orders.map((order) => close.s(order.id, 'closed at end of day')));
  const result = await client.send(chord(closings, summariseDay.s()), { queue: options.queue });
  return result.get({ timeoutMs: options.timeoutMs ?? 30_000 });
}
