/**
 * The worker side: handlers for the work-order contracts. `celeriac worker --app` loads this
 * module and runs its default export, so it must not start anything on import.
 *
 *     celeriac worker --app examples/work-orders/dist/tasks.js -Q workorders
 */
import { TaskRegistry } from '@celeriac/worker';
import {
  auditSite,
  close,
  closeOpenOrders,
  dispatch,
  hourlyReport,
  inspectSite,
  notifyCrew,
  report,
  summariseDay,
  writeReport,
  type AuditRecord,
  type ClosedWorkOrder,
  type CrewAssignment,
  type DaySummary,
  type HourlyReport,
  type InspectionOrder,
  type InspectionReport,
  type SiteSummary,
  type WorkOrder,
} from './contracts.js';
import { CREW_ROSTER, RESPONSE_HOURS, crewsFor, pickCrew } from './crews.js';
import { sampleOrders } from './sample-orders.js';
import { localTime, siteZone } from './sites.js';

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

/** The day's inspection order, numbered by the site's local date so a site gets one per day. */
export function openInspection(siteId: string, at: Date): InspectionOrder {
  const timezone = siteZone(siteId);
  const local = localTime(at, timezone);
  const order: WorkOrder = {
    id: `INSP-${siteId}-${local.slice(0, 10)}`,
    siteId,
    kind: 'inspection',
    priority: 'normal',
    description: `daily inspection at ${siteId}`,
  };
  return { order, crew: assignCrew(order).crew, timezone, localTime: local };
}

export function coverage(at: Date): HourlyReport {
  const sites = Object.keys(CREW_ROSTER);
  const uncoveredSites = sites.filter((siteId) => crewsFor(siteId).length === 0);
  return { at: at.toISOString(), sites: sites.length, crews: sites.flatMap(crewsFor).length, uncoveredSites };
}

export function audit(siteId: string, reason: string, at: Date): AuditRecord {
  return { siteId, reason, crews: [...crewsFor(siteId)], auditedAt: at.toISOString() };
}

/** How many of the sample orders the nightly run finds open (the example keeps no order store). */
const NIGHTLY_SAMPLE = 5;

export function inspectionReport(inspection: InspectionOrder): InspectionReport {
  const { order, crew } = inspection;
  return {
    orderId: order.id,
    siteId: order.siteId,
    crew,
    findings: `${order.siteId} inspected at ${inspection.localTime}`,
  };
}

export function summarise(closed: readonly ClosedWorkOrder[]): DaySummary {
  return {
    closed: closed.length,
    orderIds: closed.map((order) => order.orderId),
    closedBy: [...new Set(closed.map((order) => order.closedBy))],
  };
}

function closeOrder(orderId: string, notes: string, closedBy: string): ClosedWorkOrder {
  return { orderId, status: 'closed', notes: notes.trim(), closedBy };
}

export default new TaskRegistry()
  .register(dispatch, (order) => assignCrew(order))
  .register(report, (siteId, orders) => summariseSite(siteId, orders))
  .register(close, (orderId, notes, ctx) => closeOrder(orderId, notes, ctx.hostname))
  .register(inspectSite, (siteId) => openInspection(siteId, new Date()))
  .register(hourlyReport, () => coverage(new Date()))
  .register(auditSite, (siteId, reason) => audit(siteId, reason, new Date()))
  .register(writeReport, (inspection) => inspectionReport(inspection))
  .register(notifyCrew, (report) => `${report.crew}: ${report.findings}`)
  .register(summariseDay, (closed) => summarise(closed))
  .register(closeOpenOrders, (ctx) =>
    sampleOrders(NIGHTLY_SAMPLE).map((order) => closeOrder(order.id, 'closed by the nightly run', ctx.hostname)),
  );
