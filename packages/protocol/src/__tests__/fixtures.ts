/**
 * Messages captured from a real Celery 5.2.6 client and worker (packages/protocol/test-fixtures).
 * Tests run from dist/__tests__, so the fixtures are two directories up from the compiled file.
 */
import { readFileSync } from 'node:fs';
import type { RawMessage } from '../task-message.js';

export interface Fixture {
  description: string;
  python: string;
  fields: { exchange: string; routingKey: string; redelivered: boolean };
  /** amqplib's spelling: contentType, deliveryMode, replyTo, ... */
  properties: Record<string, unknown>;
  headers: Record<string, unknown>;
  /** The body as UTF-8 text. */
  body: string;
}

export const TASK_FIXTURES = ['v2-plain', 'v2-options', 'v2-kwargs-unicode', 'v2-timelimit', 'v2-chain'] as const;
export const RESULT_FIXTURES = ['result-success', 'result-started', 'result-failure', 'result-notregistered'] as const;

export function loadFixture(name: string): Fixture {
  const url = new URL(`../../test-fixtures/${name}.json`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as Fixture;
}

/** The fixture as amqplib would hand it to a consumer. */
export function rawMessage(fixture: Fixture): RawMessage {
  return {
    content: Buffer.from(fixture.body, 'utf8'),
    properties: { ...fixture.properties, headers: fixture.headers },
  };
}
