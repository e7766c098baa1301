/**
 * Where MongoDB tests get a server: CELERIAC_TEST_MONGODB_URL, set by the user or by
 * mongodb-container.ts (testcontainers, when a Docker engine answers). Without one, every
 * MongoDB case is declared pending with MONGODB_PENDING as its reason, never passed.
 */
import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';

export const MONGODB_URL: string | null = process.env.CELERIAC_TEST_MONGODB_URL || null;

/**
 * 'ferretdb' when the suite runs on FerretDB (npm test starts one and says so); a case the server
 * cannot serve is pending there, with the missing feature named, and runs everywhere else.
 */
export const MONGODB_SERVER: 'ferretdb' | 'mongodb' =
  process.env.CELERIAC_TEST_MONGODB_SERVER === 'ferretdb' ? 'ferretdb' : 'mongodb';

const FERRETDB_LACKS = {
  ttlIndex:
    'FerretDB 1.x has no TTL indexes (createIndex with expireAfterSeconds: "not implemented yet"); the expiry sweep stands in for it (test/mongodb-expiry.test.ts)',
} as const;

/** Why the test server cannot serve `feature`, or null when it can. */
export function lacking(feature: keyof typeof FERRETDB_LACKS): string | null {
  return MONGODB_SERVER === 'ferretdb' ? FERRETDB_LACKS[feature] : null;
}

export const MONGODB_PENDING =
  'no MongoDB server: set CELERIAC_TEST_MONGODB_URL=mongodb://host:27017 or provide a Docker engine (testcontainers starts mongo:7) to run these cases';

/** The same deployment with a database of its own, so runs and suites never share data. */
export function uniqueDatabaseUrl(url: string, prefix: string): { url: string; database: string } {
  const database = `${prefix}_${randomUUID().slice(0, 8)}`;
  const match = /^(mongodb(?:\+srv)?:\/\/[^/?]*)(?:\/[^?]*)?(\?.*)?$/i.exec(url);
  if (!match?.[1]) throw new Error(`CELERIAC_TEST_MONGODB_URL is not a mongodb:// URL: ${url}`);
  return { url: `${match[1]}/${database}${match[2] ?? ''}`, database };
}

/** A driver client on the test server, for reading documents and indexes as they are stored. */
export async function withMongo<T>(url: string, use: (client: MongoClient) => Promise<T>): Promise<T> {
  const client = new MongoClient(url);
  try {
    return await use(client);
  } finally {
    await client.close();
  }
}

export async function dropDatabase(url: string, database: string): Promise<void> {
  await withMongo(url, (client) =>
    client
      .db(database)
      .dropDatabase()
      .then(() => undefined),
  );
}
