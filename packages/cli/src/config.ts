/**
 * Where option values come from, in three stages:
 *   1. raw      — each option from the first layer that has it: flag, then CELERIAC_* env, then
 *                 the JSON config file (`--config` / CELERIAC_CONFIG);
 *   2. defaults — options no layer set get their default;
 *   3. compiled — typed, validated values (`compileGlobal` here, each command its own).
 *
 * Env is read here rather than through yargs' `.env()`: yargs reads `process.env` itself (so
 * tests could not pass their own), and with `.strict()` any unrelated CELERIAC_* variable — such
 * as the test suite's CELERIAC_TEST_BROKER_URL — would be rejected as an unknown argument. Only
 * variables naming an option of the running command are used; the rest are left alone.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  DEFAULT_BROKER_URL,
  DEFAULT_RESULT_BACKEND,
  brokerUrlProblem,
  checkBrokerUrl,
  resultBackendKind,
  type LogLevel,
} from '@celeriac/core';
import type { BrokerTlsOptions, DeclareMode } from '@celeriac/amqp';
import { brokerTls, brokerValue, resultBackendValue } from './broker-security.js';
import { UsageError } from './errors.js';
import type { CliIo, Env } from './io.js';
import { Settings, invalid, type Setting } from './settings.js';

export const ENV_PREFIX = 'CELERIAC_';

export type RawSettings = ReadonlyMap<string, Setting>;

export interface ConfigFile {
  path: string;
  values: Readonly<Record<string, unknown>>;
}

export interface Layers {
  /** Parsed flags, keyed by camelCase option name (yargs argv). */
  flags: Readonly<Record<string, unknown>>;
  env: Env;
  file: ConfigFile | null;
}

/** Stage 1: for each option the command accepts, the value of the highest layer that sets it. */
export function layerSettings(names: readonly string[], layers: Layers): RawSettings {
  const settings = new Map<string, Setting>();
  for (const name of names) {
    const setting = fromFlags(name, layers.flags) ?? fromEnv(name, layers.env) ?? fromFile(name, layers.file);
    if (setting) settings.set(name, setting);
  }
  return settings;
}

/** Stage 2. */
export function withDefaults(raw: RawSettings, defaults: Readonly<Record<string, unknown>>): Settings {
  const settings = new Map(raw);
  for (const [name, value] of Object.entries(defaults)) {
    if (!settings.has(name) && value !== undefined) settings.set(name, { value, origin: `default ${flagName(name)}` });
  }
  return new Settings(settings);
}

export type LogFormat = 'json' | 'text';

export interface GlobalConfig {
  brokerUrl: string;
  /** TLS for amqps:// (--broker-ca and friends); undefined when none is given. */
  brokerTls: BrokerTlsOptions | undefined;
  /** False with --no-declare (shared queues and exchanges only checked); 'auto' unless given. */
  declare: DeclareMode;
  /** The validated backend URL, or null when results are disabled. */
  resultBackend: string | null;
  logLevel: LogLevel;
  logFormat: LogFormat;
}

export const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];
export const LOG_FORMATS: readonly LogFormat[] = ['json', 'text'];

export function globalDefaults(io: Pick<CliIo, 'stderrIsTTY'>): Record<string, unknown> {
  return {
    broker: DEFAULT_BROKER_URL,
    resultBackend: DEFAULT_RESULT_BACKEND,
    logLevel: 'info',
    logFormat: io.stderrIsTTY ? 'text' : 'json',
  };
}

/** Stage 3 for the options every command shares. */
export function compileGlobal(settings: Settings): GlobalConfig {
  return {
    brokerUrl: brokerUrl(settings),
    brokerTls: brokerTls(settings),
    declare: settings.boolean('declare') ?? 'auto',
    resultBackend: resultBackend(settings),
    logLevel: settings.choice('logLevel', LOG_LEVELS) ?? 'info',
    logFormat: settings.choice('logFormat', LOG_FORMATS) ?? 'json',
  };
}

/** Reads `--config` / CELERIAC_CONFIG; every key must be an option of some command. */
export async function readConfigFile(
  flags: Layers['flags'],
  env: Env,
  cwd: string,
  known: ReadonlySet<string>,
): Promise<ConfigFile | null> {
  const given = fromFlags('config', flags) ?? fromEnv('config', env);
  if (!given) return null;
  if (typeof given.value !== 'string' || !given.value) throw invalid(given, 'must name a JSON file');
  const path = resolve(cwd, given.value);
  const values = parseConfigFile(given.value, await readText(given.value, path));
  const unknown = Object.keys(values).find((key) => !known.has(key) || key === 'config');
  if (unknown !== undefined) throw new UsageError(`config file ${given.value}: unknown option "${unknown}"`);
  return { path: given.value, values };
}

export function envName(name: string): string {
  return ENV_PREFIX + name.replace(/[A-Z]/g, (letter) => `_${letter}`).toUpperCase();
}

export function flagName(name: string): string {
  return `--${kebabCase(name)}`;
}

function fromFlags(name: string, flags: Layers['flags']): Setting | undefined {
  const value = flags[name];
  return value === undefined ? undefined : { value, origin: flagName(name) };
}

function fromEnv(name: string, env: Env): Setting | undefined {
  const key = envName(name);
  const value = env[key];
  return value === undefined ? undefined : { value, origin: key };
}

function fromFile(name: string, file: ConfigFile | null): Setting | undefined {
  if (!file || !Object.hasOwn(file.values, name)) return undefined;
  return { value: file.values[name], origin: `"${name}" in ${file.path}` };
}

async function readText(given: string, path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(
      `cannot read config file ${given}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
}

/** Keys may be written as flags are (`result-backend`) or in camelCase (`resultBackend`). */
function parseConfigFile(given: string, text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`config file ${given} is not valid JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new UsageError(`config file ${given} must hold a JSON object`);
  return Object.fromEntries(Object.entries(parsed).map(([key, value]) => [camelCase(key), value]));
}

/** One URL, `;`-joined URLs, a repeated flag or a config-file array: the nodes to fail over across. */
function brokerUrl(settings: Settings): string {
  const value = brokerValue(settings) ?? DEFAULT_BROKER_URL;
  // The value is not echoed: it may hold the broker password.
  const problem = brokerUrlProblem(value);
  if (problem === null) return checkBrokerUrl(value);
  throw new UsageError(`${settings.origin('broker')} ${problem}`);
}

function resultBackend(settings: Settings): string | null {
  const url = resultBackendValue(settings) ?? DEFAULT_RESULT_BACKEND;
  try {
    return resultBackendKind(url) === null ? null : url;
  } catch (error) {
    throw new UsageError(`${settings.origin('resultBackend')}: ${(error as Error).message}`);
  }
}

export function camelCase(key: string): string {
  return key.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

function kebabCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}
