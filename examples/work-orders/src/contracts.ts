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
