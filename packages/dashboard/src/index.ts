/**
 * @module @celeriac/dashboard
 *
 * The web dashboard behind `celeriac dashboard`: workers, tasks, queues, schedules and dead
 * letters, live over Server-Sent Events, with a JSON API described at /api/openapi.json.
 */
export { Dashboard } from './dashboard.js';
export {
  compileDashboardOptions,
  DEFAULT_DASHBOARD_HOST,
  DEFAULT_DASHBOARD_PORT,
  type DashboardOptions,
  type CompiledDashboardOptions,
} from './options.js';
export { parseAuth, TOKEN_ENV, type DashboardAuth } from './auth.js';
export { DashboardConfigError } from './errors.js';
export { preview, type PreviewSlot } from './preview.js';
export { reprToJson } from './repr-json.js';
