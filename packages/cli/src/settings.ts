import { parseJson } from '@celeriac/protocol';
import { UsageError } from './errors.js';

/** One option's value and where it came from, e.g. `--concurrency` or `CELERIAC_CONCURRENCY`. */
export interface Setting {
  readonly value: unknown;
  readonly origin: string;
}

/**
 * Option values after layering and defaults, read through typed getters that validate. Values
 * arrive as flags (already typed by yargs, NaN for a bad number), env strings or config-file
 * JSON, so every getter accepts both a typed value and its string form. Errors name the origin,
 * so the user knows which flag, variable or file to fix.
 */
export class Settings {
  constructor(private readonly entries: ReadonlyMap<string, Setting>) {}

  origin(name: string): string | undefined {
    return this.entries.get(name)?.origin;
  }

  /** The value as given, unchecked, for a getter that lives elsewhere (e.g. core's broker URL rule). */
  raw(name: string): unknown {
    return this.entries.get(name)?.value;
  }

  string(name: string): string | undefined {
    const setting = this.#single(name);
    if (!setting) return undefined;
    if (typeof setting.value === 'string' && setting.value !== '') return setting.value;
    throw invalid(setting, 'must be a non-empty string');
  }

  requiredString(name: string, flag: string, envName: string): string {
    const value = this.string(name);
    if (value === undefined) throw new UsageError(`missing required option ${flag} (or ${envName})`);
    return value;
  }

  integer(name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
    const setting = this.#single(name);
    if (!setting) return undefined;
    const value = toNumber(setting.value);
    if (Number.isInteger(value) && value >= min && value <= max) return value;
    throw invalid(
      setting,
      max === Number.MAX_SAFE_INTEGER ? `must be an integer >= ${min}` : `must be an integer from ${min} to ${max}`,
    );
  }

  /** A duration in seconds, fractions allowed, as Celery's countdown and expires. */
  seconds(name: string): number | undefined {
    const setting = this.#single(name);
    if (!setting) return undefined;
    const value = toNumber(setting.value);
    if (Number.isFinite(value) && value >= 0) return value;
    throw invalid(setting, 'must be a number of seconds >= 0');
  }

  boolean(name: string): boolean | undefined {
    const setting = this.#single(name);
    if (!setting) return undefined;
    if (typeof setting.value === 'boolean') return setting.value;
    const text = String(setting.value).toLowerCase();
    if (['true', '1', 'yes'].includes(text)) return true;
    if (['false', '0', 'no', ''].includes(text)) return false;
    throw invalid(setting, 'must be true or false');
  }

  /** Comma-separated, or repeated (`-Q a -Q b,c`), or a JSON array in a config file. */
  list(name: string): string[] | undefined {
    const setting = this.entries.get(name);
    if (!setting) return undefined;
    const parts = [setting.value].flat().map((part) => (typeof part === 'string' ? part : null));
    if (parts.includes(null)) throw invalid(setting, 'must be a comma-separated list of names');
    const names = (parts as string[]).flatMap((part) => part.split(',')).map((part) => part.trim());
    if (names.length > 0 && names.every(Boolean)) return names;
    throw invalid(setting, 'must list at least one name, none empty');
  }

  /** JSON text (flags, env); a config file may hold the value itself. */
  json(name: string): unknown {
    const setting = this.#single(name);
    if (!setting) return undefined;
    if (typeof setting.value !== 'string') return setting.value;
    try {
      return parseJson(setting.value);
    } catch (error) {
      throw invalid(setting, `is not valid JSON (${(error as Error).message})`);
    }
  }

  choice<T extends string>(name: string, choices: readonly T[]): T | undefined {
    const setting = this.#single(name);
    if (!setting) return undefined;
    if ((choices as readonly unknown[]).includes(setting.value)) return setting.value as T;
    throw invalid(setting, `must be one of ${choices.join(', ')}`);
  }

  /** A flag given twice arrives as an array; for single-valued options that is a mistake. */
  #single(name: string): Setting | undefined {
    const setting = this.entries.get(name);
    if (setting && Array.isArray(setting.value) && setting.origin.startsWith('--'))
      throw new UsageError(`${setting.origin} was given more than once`);
    return setting;
  }
}

export function invalid(setting: Setting, problem: string): UsageError {
  return new UsageError(`${setting.origin} ${problem}, got ${describe(setting.value)}`);
}

function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') return Number(value);
  return Number.NaN;
}

function describe(value: unknown): string {
  if (typeof value === 'number' && Number.isNaN(value)) return 'something that is not a number';
  const text = typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value));
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
