/** Checks of the worker's options: each returns the value in force or throws ConfigurationError naming the field. */
import { ConfigurationError, resultBackendKind } from '@celeriac/core';

export function consumerTimeout(value: number | null | undefined): number | null {
  if (value === null || value === 0) return null;
  return positiveDuration(value ?? 1_800_000, 'consumerTimeoutMs');
}

export function heartbeatSeconds(value: number): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  throw new ConfigurationError(`brokerHeartbeatSeconds must be a number of seconds >= 0, got ${JSON.stringify(value)}`);
}

export function optionalPositiveInteger(value: number | null | undefined, field: string): number | null {
  return value === undefined || value === null ? null : positiveInteger(value, field);
}

export function nonNegativeInteger(value: number, field: string): number {
  if (Number.isInteger(value) && value >= 0) return value;
  throw new ConfigurationError(`${field} must be a whole number >= 0, got ${JSON.stringify(value)}`);
}

export function booleanOption(value: unknown, field: string): boolean {
  if (typeof value === 'boolean') return value;
  throw new ConfigurationError(`${field} must be true or false, got ${JSON.stringify(value)}`);
}

export function durationMs(value: number, field: string): number {
  if (typeof value === 'number' && value >= 0 && !Number.isNaN(value)) return value;
  throw new ConfigurationError(`${field} must be a number of milliseconds >= 0, got ${JSON.stringify(value)}`);
}

export function positiveInteger(value: number, field: string): number {
  if (Number.isInteger(value) && value > 0) return value;
  throw new ConfigurationError(`${field} must be a positive integer, got ${JSON.stringify(value)}`);
}

export function queueNames(queues: unknown): string[] {
  // Options also come from JavaScript and config files, where a bare string is an easy mistake.
  if (!Array.isArray(queues) || !queues.every((queue) => typeof queue === 'string'))
    throw new ConfigurationError('queues must be an array of queue names');
  const names = [...new Set(queues.map((queue: string) => queue.trim()))];
  if (names.length === 0 || names.some((name) => !name))
    throw new ConfigurationError('queues must name at least one queue, none empty');
  return names;
}

export function resultBackendUrl(url: string | null | undefined): string | null {
  if (url === undefined) return 'rpc://';
  return resultBackendKind(url) === null ? null : url;
}

export function positiveDuration(value: number, field: string): number {
  if (Number.isFinite(value) && value > 0) return value;
  throw new ConfigurationError(`${field} must be a positive number of milliseconds`);
}
