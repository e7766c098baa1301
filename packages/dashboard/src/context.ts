import type { Fleet } from './fleet.js';
import type { CompiledDashboardOptions } from './options.js';

/** What every route module gets: the fleet connection and the options. */
export interface RouteContext {
  fleet: Fleet;
  options: CompiledDashboardOptions;
}
