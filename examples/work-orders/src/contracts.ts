/**
 * The work-order tasks as contracts: names and types only, no behaviour. The producer imports
 * this file and nothing else from the worker side, so the types are shared while the handlers
 * (and whatever they need) stay in the worker process.
 */
import { defineTask } from '@celeriac/core';

export type WorkKind = 'inspection' | 'repair' | 'install';
export type Priority = 'low' | 'normal' | 'urgent';

export interface WorkOrder {
  id: string;
  siteId: string;
  kind: WorkKind;
  priority: Priority;
  description: string;
}

export interface CrewAssignment {
  orderId: string;
  siteId: string;
  crew: string;
  /** Hours the crew has to be on site, from the order's priority. */
  respondWithinHours: number;
}

export interface SiteSummary {
  siteId: string;
  orders: number;
  byKind: Record<WorkKind, number>;
  urgentOrderIds: string[];
  /** Crews that cover the site; empty means every order there fails to dispatch. */
  crews: string[];
}

export interface ClosedWorkOrder {
  orderId: string;
  status: 'closed';
  notes: string;
  /** The worker node that closed it, e.g. `celeriac@host`. */
  closedBy: string;
}

/** Assigns a crew to an order; fails with `NoCrewAvailable` when no crew covers the site. */
export const dispatch = defineTask<[order: WorkOrder], CrewAssignment>('workorders.dispatch');

/** Summarises the given orders of one site. */
export const report = defineTask<[siteId: string, orders: WorkOrder[]], SiteSummary>('workorders.report');

/** Closes an order with the crew's notes. */
export const close = defineTask<[orderId: string, notes: string], ClosedWorkOrder>('workorders.close');

// ---------------------------------------------------------------------------------------------
// Periodic work orders: fired by `celeriac beat` from the schedules in schedules.ts.

/** The inspection order a site's daily schedule opens, with the crew sent and the site's local time. */
export interface InspectionOrder {
  order: WorkOrder;
  crew: string;
  /** The site's IANA zone, and the local date and time the order was opened there. */
  timezone: string;
  localTime: string;
}

/** The hourly roll-up: which sites are covered by crews and which are not. */
export interface HourlyReport {
  at: string;
  sites: number;
  crews: number;
  uncoveredSites: string[];
}

export interface AuditRecord {
  siteId: string;
  reason: string;
  crews: string[];
  auditedAt: string;
}

/** Opens the day's inspection order for a site; fails with `NoCrewAvailable` like dispatch. */
export const inspectSite = defineTask<[siteId: string], InspectionOrder>('workorders.inspect_site');

/** Rolls up crew coverage over every site of the roster. */
export const hourlyReport = defineTask<[], HourlyReport>('workorders.hourly_report');

/** A one-off audit of a site, scheduled for a given date. */
export const auditSite = defineTask<[siteId: string, reason: string], AuditRecord>('workorders.audit_site');

// ---------------------------------------------------------------------------------------------
// Workflows (canvas): steps that feed each other, built with chain() and chord() in producer.ts.

/** What the inspector writes once the inspection order is open. */
export interface InspectionReport {
  orderId: string;
  siteId: string;
  crew: string;
  findings: string;
}

/** One summary of the orders closed together. */
export interface DaySummary {
  closed: number;
  orderIds: string[];
  closedBy: string[];
}

/** Chain step 2: the inspection's report, from the order step 1 opened. */
export const writeReport = defineTask<[inspection: InspectionOrder], InspectionReport>('workorders.write_report');

/** Chain step 3: tells the crew; returns the message sent. */
export const notifyCrew = defineTask<[report: InspectionReport], string>('workorders.notify_crew');

/** A chord's callback: one summary of the closed orders, in the order they were sent. */
export const summariseDay = defineTask<[closed: ClosedWorkOrder[]], DaySummary>('workorders.summarise_day');

/** Nightly, step 1: closes the orders still open (here: today's sample), returning what it closed. */
export const closeOpenOrders = defineTask<[], ClosedWorkOrder[]>('workorders.close_open_orders');
