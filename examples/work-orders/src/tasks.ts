/**
 * The worker side: handlers for the work-order contracts. `celeriac worker --app` loads this
 * module and runs its default export, so it must not start anything on import.
 *
 *     celeriac worker --app examples/work-orders/dist/tasks.js -Q workorders
 */
import { TaskRegistry } from '@celeriac/worker';
import { close, dispatch, report, type ClosedWorkOrder, type CrewAssignment, type SiteSummary, type WorkOrder } from './contracts.js';
import { RESPONSE_HOURS, crewsFor, pickCrew } from './crews.js';

export function assignCrew(order: WorkOrder): CrewAssignment {
  const crew = pickCrew(order.siteId, order.id, order.priority);
  return { orderId: order.id, siteId: order.siteId, crew, respondWithinHours: RESPONSE_HOURS[order.priority] };
}

export function summariseSite(siteId: string, orders: WorkOrder[]): SiteSummary {
  const atSite = orders.filter((order) => order.siteId === siteId);
  const byKind = { inspection: 0, repair: 0, install: 0 };
  for (const order of atSite) byKind[order.kind] += 1;
  const urgentOrderIds = atSite.filter((order) => order.priority === 'urgent').map((order) => order.id);
  return { siteId, orders: atSite.length, byKind, urgentOrderIds, crews: [...crewsFor(siteId)] };
}

export default new TaskRegistry()
  .register(dispatch, (order) => assignCrew(order))
  .register(report, (siteId, orders) => summariseSite(siteId, orders))
  .register(close, (orderId, notes, ctx): ClosedWorkOrder => ({ orderId, status: 'closed', notes: notes.trim(), closedBy: ctx.hostname }));
