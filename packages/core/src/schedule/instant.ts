import { InvalidArgumentError } from '../errors.js';

/** Date and time with an explicit zone: a string without one would be read in each host's zone. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** A Date or an ISO 8601 string as a valid Date; `what` names the field in the error. */
export function parseInstant(value: unknown, what: string): Date {
  const date =
    value instanceof Date
      ? new Date(value.getTime())
      : typeof value === 'string' && ISO_INSTANT.test(value)
        ? new Date(value)
        : null;
  if (date === null || Number.isNaN(date.getTime())) {
    throw new InvalidArgumentError(
      `invalid ${what} ${describe(value)}: expected a Date or an ISO 8601 date and time with a zone, such as '2030-01-31T09:00:00Z' or '2030-01-31T10:00:00+01:00'`,
    );
  }
  return date;
}

function describe(value: unknown): string {
  return value instanceof Date ? 'Invalid Date' : (JSON.stringify(value) ?? String(value));
}
