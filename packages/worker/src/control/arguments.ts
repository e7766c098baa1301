/**
 * Reading a command's `arguments`: Python's CLI sends ints and floats, other clients may send
 * numeric strings. Anything unusable is a ControlArgumentError, answered `{"error": ...}`.
 */
import { ControlArgumentError } from './control-errors.js';

export type ControlArguments = Readonly<Record<string, unknown>>;

/** A whole number >= 0, or `fallback` when absent. */
export function countArgument(args: ControlArguments, name: string, fallback: number): number {
  const value = args[name] ?? fallback;
  const count = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof count === 'number' && Number.isInteger(count) && count >= 0) return count;
  throw new ControlArgumentError(`${name} must be a whole number >= 0, got ${JSON.stringify(value)}`);
}

/** Seconds as milliseconds; absent, null or 0 means none (Celery's None). */
export function secondsArgument(args: ControlArguments, name: string): number | null {
  const value = args[name];
  if (value === undefined || value === null) return null;
  const seconds = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0)
    throw new ControlArgumentError(`${name} must be a number of seconds >= 0, got ${JSON.stringify(value)}`);
  return seconds === 0 ? null : seconds * 1000;
}

export function stringArgument(args: ControlArguments, name: string): string {
  const value = args[name];
  if (typeof value === 'string' && value !== '') return value;
  throw new ControlArgumentError(`${name} must be a non-empty string, got ${JSON.stringify(value ?? null)}`);
}

export function optionalString(args: ControlArguments, name: string): string | null {
  const value = args[name];
  if (value === undefined || value === null || value === '') return null;
  if (typeof value === 'string') return value;
  throw new ControlArgumentError(`${name} must be a string, got ${JSON.stringify(value)}`);
}
