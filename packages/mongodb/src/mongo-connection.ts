/**
 * A MongoClient connected on first use, and again on the next use when that first connection
 * failed. The driver's own connect-on-first-operation closes the client for good when the first
 * attempt fails: every later operation throws MongoTopologyClosedError ("Topology is closed"),
 * so a worker or beat started while MongoDB was down would never recover. An explicit connect()
 * can be retried. Once connected, the driver's monitoring follows the servers by itself.
 */
import { ConnectionError, redactUrl } from '@celeriac/core';
import type { MongoClient } from 'mongodb';

export class MongoConnection {
  #connected: Promise<MongoClient> | null = null;
  #closed = false;

  /** `role` and `url` name the server in a failure, e.g. "the result backend", without its password. */
  constructor(
    readonly client: MongoClient,
    private readonly where: { role: string; url: string },
  ) {}

  /** The client, connected; a failed attempt is forgotten so the next call tries again. */
  ready(): Promise<MongoClient> {
    // After close(), a new attempt would leave a connected client nobody closes.
    if (this.#closed) return Promise.reject(new MongoClientClosedError());
    this.#connected ??= this.client.connect().catch((error: unknown) => {
      this.#connected = null;
      throw this.#unreachable(error);
    });
    return this.#connected;
  }

  /** The driver says only "connect ECONNREFUSED 127.0.0.1:1"; the user needs to know which server. */
  #unreachable(error: unknown): ConnectionError {
    const { role, url } = this.where;
    const reason = error instanceof Error ? error.message : String(error);
    const message = `cannot connect to ${role} at ${redactUrl(url)}: ${reason}`;
    return new ConnectionError('MONGODB_UNREACHABLE', message, { cause: error });
  }

  close(): Promise<void> {
    this.#closed = true;
    return this.client.close();
  }
}

export class MongoClientClosedError extends Error {
  readonly code = 'MONGO_CLOSED';
  override readonly name = 'MongoClientClosedError';

  constructor() {
    super('the MongoDB connection was closed');
  }
}
