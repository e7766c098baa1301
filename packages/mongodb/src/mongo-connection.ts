/**
 * A MongoClient connected on first use, and again on the next use when that first connection
 * failed. The driver's own connect-on-first-operation closes the client for good when the first
 * attempt fails: every later operation throws MongoTopologyClosedError ("Topology is closed"),
 * so a worker or beat started while MongoDB was down would never recover. An explicit connect()
 * can be retried. Once connected, the driver's monitoring follows the servers by itself.
 */
import type { MongoClient } from 'mongodb';

export class MongoConnection {
  #connected: Promise<MongoClient> | null = null;
  #closed = false;

  constructor(readonly client: MongoClient) {}

  /** The client, connected; a failed attempt is forgotten so the next call tries again. */
  ready(): Promise<MongoClient> {
    // After close(), a new attempt would leave a connected client nobody closes.
    if (this.#closed) return Promise.reject(new MongoClientClosedError());
    this.#connected ??= this.client.connect().catch((error: unknown) => {
      this.#connected = null;
      throw error;
    });
    return this.#connected;
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
