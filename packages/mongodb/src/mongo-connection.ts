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

  constructor(readonly client: MongoClient) {}

  /** The client, connected; a failed attempt is forgotten so the next call tries again. */
  ready(): Promise<MongoClient> {
    this.#connected ??= this.client.connect().catch((error: unknown) => {
      this.#connected = null;
      throw error;
    });
    return this.#connected;
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
