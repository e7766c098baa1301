/**
 * Exceptions as Celery serialises them with the json serializer:
 * `{exc_type, exc_message: [...args], exc_module}`.
 *
 * Python rebuilds the class from `exc_module` + `exc_type` when that module is already imported,
 * and otherwise synthesises an exception class with that name. So Python's own built-in names go
 * out under `builtins` (a TypeError arrives in Python as a real TypeError) and everything else
 * under `celeriac`, a module a Python peer never has, which always yields a synthesised class.
 */
import { stringifyJson } from './kombu-json.js';

export interface ExceptionInfo {
  exc_type: string;
  exc_message: unknown[];
  exc_module: string;
}

const PYTHON_BUILTIN_EXCEPTIONS = new Set([
  'Exception',
  'ArithmeticError',
  'AssertionError',
  'AttributeError',
  'EOFError',
  'IndexError',
  'KeyError',
  'LookupError',
  'MemoryError',
  'NameError',
  'NotImplementedError',
  'OSError',
  'OverflowError',
  'RuntimeError',
  'StopIteration',
  'TimeoutError',
  'TypeError',
  'ValueError',
  'ZeroDivisionError',
  'PermissionError',
  'FileNotFoundError',
  'ConnectionError',
  'UnicodeError',
]);

/** Exception module for Celeriac's own task errors, e.g. NotRegistered, TimeLimitExceeded. */
export const CELERY_EXCEPTIONS_MODULE = 'celery.exceptions';
export const CELERIAC_EXCEPTIONS_MODULE = 'celeriac';

export function encodeException(error: unknown): ExceptionInfo {
  if (error instanceof Error) {
    const type = errorTypeName(error);
    return { exc_type: type, exc_message: [error.message], exc_module: moduleFor(type, error) };
  }
  return { exc_type: 'Exception', exc_message: [String(error)], exc_module: 'builtins' };
}

function errorTypeName(error: Error): string {
  const explicit = (error as { excType?: unknown }).excType;
  if (typeof explicit === 'string' && explicit) return explicit;
  return error.name && error.name !== 'Error' ? error.name : error.constructor.name || 'Error';
}

function moduleFor(type: string, error: Error): string {
  const explicit = (error as { excModule?: unknown }).excModule;
  if (typeof explicit === 'string' && explicit) return explicit;
  return PYTHON_BUILTIN_EXCEPTIONS.has(type) ? 'builtins' : CELERIAC_EXCEPTIONS_MODULE;
}

export function isExceptionInfo(value: unknown): value is ExceptionInfo {
  return typeof value === 'object' && value !== null && typeof (value as { exc_type?: unknown }).exc_type === 'string';
}

/** The human-readable message of an encoded exception, as Python's `str(exc)` would show it. */
export function exceptionMessage(info: ExceptionInfo): string {
  const parts = Array.isArray(info.exc_message) ? info.exc_message : [info.exc_message];
  // stringifyJson, not JSON.stringify: a Python peer's `ValueError('x', 2**70)` arrives with a bigint.
  return parts.length === 1 ? String(parts[0]) : stringifyJson(parts);
}
