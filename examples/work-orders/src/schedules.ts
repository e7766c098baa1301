/**
 * The periodic work orders as beat schedules: what `celeriac beat --schedule` loads.
 *
 *     celeriac beat --schedule examples/work-orders/dist/schedules.js
 *
 * - a daily inspection per crewed site at 07:00 in the site's own zone (cron, DST-correct:
 *   07:00 stays 07:00 on the clock at the site through every daylight-saving change);
 * - an hourly coverage report on the hour (cron, UTC);
 * - a one-off audit of the crew-less depot at a fixed date (once; disabled after it fires);
 * - a nightly chain at 22:00 UTC: close the day's open orders, then send one summary.
 *
 * Contracts give the task names, so a renamed task cannot leave a schedule pointing nowhere.
 */
import { chain, scheduledCanvas, type ScheduleInput } from '@celeriac/core';
import { auditSite, closeOpenOrders, hourlyReport, inspectSite, summariseDay } from './contracts.js';
import { CREW_ROSTER } from './crews.js';
import { siteZone } from './sites.js';

export interface PeriodicOptions {
  /** The queue the worker consumes. @default 'workorders' */
  queue?: string;
  /** When the one-off depot audit runs. @default 2030-01-15T09:00:00Z */
  auditAt?: Date | string;
}

export const DEFAULT_AUDIT_AT = '2030-01-15T09:00:00.000Z';

/** Every periodic work order, sent to `options.queue`. */
export function periodicSchedules(options: PeriodicOptions = {}): ScheduleInput[] {
  const queue = options.queue ?? 'workorders';
  return [
    ...dailyInspections(queue),
    hourly(queue),
    depotAudit(queue, options.auditAt ?? DEFAULT_AUDIT_AT),
    nightlyClose(queue),
  ];
}

/** Sites without a crew get no inspection: it could only fail with NoCrewAvailable every day. */
export function dailyInspections(queue: string): ScheduleInput[] {
  const crewed = Object.keys(CREW_ROSTER).filter((siteId) => (CREW_ROSTER[siteId] ?? []).length > 0);
  return crewed.map((siteId) => ({
    name: `daily-inspection-${siteId}`,
    task: inspectSite.name,
    schedule: { kind: 'cron', expression: '0 7 * * *', timezone: siteZone(siteId) },
    args: [siteId],
    options: { queue, expires: 6 * 3600 },
    // An inspection missed while beat was down is still worth opening once, late.
    missedRuns: 'once',
  }));
}

/** A report nobody reads late: after downtime only the next hour's report is sent. */
export function hourly(queue: string): ScheduleInput {
  return {
    name: 'hourly-report',
    task: hourlyReport.name,
    schedule: { kind: 'cron', expression: '0 * * * *' },
    options: { queue, expires: 3600 },
    missedRuns: 'skip',
  };
}

export function depotAudit(queue: string, at: Date | string): ScheduleInput {
  return {
    name: 'depot-7-audit',
    task: auditSite.name,
    schedule: { kind: 'once', at },
    args: ['depot-7', 'no crew assigned'],
    options: { queue },
  };
}

/**
 * A canvas schedule: beat sends the whole chain at each slot, stored as Celery's `celery.chain`
 * with its signatures in kwargs, so `celeriac schedule list/update` shows and edits it as any other.
 */
export function nightlyClose(queue: string): ScheduleInput {
  return {
    name: 'nightly-close',
    schedule: { kind: 'cron', expression: '0 22 * * *' },
    options: { queue },
    ...scheduledCanvas(chain(closeOpenOrders.s(), summariseDay.s())),
  };
}

/** `celeriac beat --schedule` takes a module whose default export is the list. */
export default periodicSchedules();
