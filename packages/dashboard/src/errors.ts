import { CeleriacError } from '@celeriac/core';

/** The dashboard was asked to start in a way that is not safe or not valid (e.g. exposed without auth). */
export class DashboardConfigError extends CeleriacError {
  constructor(code: 'AUTH_REQUIRED' | 'INVALID_AUTH' | 'INVALID_DASHBOARD_OPTION', message: string) {
    super(code, message);
  }
}
