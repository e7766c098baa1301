/**
 * Errors of remote-control commands. The requester reads them as Python exception reprs
 * (`{"error": "ValueError('...')"}`), so `name` is the Python class Celery would raise; `code` is
 * ours to match on.
 */
import { CeleriacError } from '@celeriac/core';

/** Arguments a command cannot use: Celery raises ValueError or TypeError there. */
export class ControlArgumentError extends CeleriacError {
  override name = 'ValueError';

  constructor(message: string) {
    super('CONTROL_ARGUMENT_INVALID', message);
  }
}

/** A command this worker has but cannot carry out as configured (Celery's AttributeError / ValueError). */
export class ControlUnsupportedError extends CeleriacError {
  constructor(
    message: string,
    override readonly name: 'AttributeError' | 'ValueError' = 'ValueError',
  ) {
    super('CONTROL_UNSUPPORTED', message);
  }
}
