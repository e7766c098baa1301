/**
 * What a producer imports: the contracts, the batch helpers and sample data. The handlers live
 * in `tasks.ts`, which only the worker loads.
 */
export * from './contracts.js';
export {
  runWorkOrders,
  dispatchOrders,
  inspectAndNotify,
  closeAllWithSummary,
  settle,
  type BatchOptions,
  type BatchReport,
  type DispatchOutcome,
  type Outcome,
} from './producer.js';
export { sampleOrders } from './sample-orders.js';
export { CREW_ROSTER } from './crews.js';
export {
  periodicSchedules,
  dailyInspections,
  hourly,
  depotAudit,
  nightlyClose,
  DEFAULT_AUDIT_AT,
  type PeriodicOptions,
} from './schedules.js';
export { SITE_ZONES, siteZone, localTime } from './sites.js';
