import { once } from 'node:events';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { expect } from 'chai';
import { MongoClient } from 'mongodb';
import { ConnectionError } from '@celeriac/core';
import { MongoConnection } from '../mongo-connection.js';
import { MongoResultBackend, MongoScheduleStore } from '../index.js';

/** Something that accepts TCP and hangs up at once: no MongoDB, but every dial is counted. */
async function hangUpServer(): Promise<{ server: Server; url: string; dials: () => number }> {
  let dials = 0;
  const server = createServer((socket) => (dials++, socket.destroy()));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `mongodb://127.0.0.1:${port}/celeriac_test?serverSelectionTimeoutMS=300&directConnection=true`,
    dials: () => dials,
  };
}

async function errorOf(operation: () => Promise<unknown>): Promise<Error> {
  try {
    await operation();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the operation to fail: nothing speaks MongoDB there');
}

describe('MongoDB connections after a failed first attempt', () => {
  const targets = {
    'the schedule store': (url: string) => {
      const store = new MongoScheduleStore(url);
      return { operation: () => store.list(), close: () => store.close() };
    },
    'the result backend': (url: string) => {
      const backend = new MongoResultBackend(url);
      return { operation: () => backend.latest('some-task-id'), close: () => backend.close() };
    },
  };

  for (const [name, open] of Object.entries(targets)) {
    it(`${name} dials again on the next call instead of failing with "Topology is closed"`, async () => {
      const { server, url, dials } = await hangUpServer();
      const target = open(url);
      try {
        const errors = [
          await errorOf(target.operation),
          await errorOf(target.operation),
          await errorOf(target.operation),
        ];
        const causes = errors.map((error) => (error.cause as Error | undefined)?.name);
        expect(causes).to.deep.equal(Array(3).fill('MongoServerSelectionError'));
        // The driver's message says only where it dialled; ours says which server that is.
        for (const error of errors)
          expect(error.message).to.match(new RegExp(`^cannot connect to ${name} at mongodb://`));
        expect(dials()).to.be.at.least(3);
      } finally {
        await target.close();
        server.close();
      }
    });
  }

  it('does not dial again once closed (a late connect would keep the process alive)', async () => {
    const { server, url, dials } = await hangUpServer();
    const backend = new MongoResultBackend(url);
    try {
      await errorOf(() => backend.latest('some-task-id'));
      const before = dials();
      await backend.close();
      const error = await errorOf(() => backend.latest('some-task-id'));
      expect(error.name).to.equal('MongoClientClosedError');
      expect(dials()).to.equal(before);
    } finally {
      server.close();
    }
  });

  it('names the server it could not reach, without its password, and tries again on the next use', async () => {
    const url = 'mongodb://app:s3cret@127.0.0.1:1/celery?serverSelectionTimeoutMS=300';
    const connection = new MongoConnection(new MongoClient(url), { role: 'the result backend', url });
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        const error: unknown = await connection.ready().then(
          () => null,
          (failure: unknown) => failure,
        );
        expect(error).to.be.instanceOf(ConnectionError).with.property('code', 'MONGODB_UNREACHABLE');
        const { message } = error as ConnectionError;
        expect(message).to.match(
          /^cannot connect to the result backend at mongodb:\/\/app:\*\*\*@127\.0\.0\.1:1\/celery/,
        );
        expect(message).not.to.include('s3cret');
      }
    } finally {
      await connection.close();
    }
  });
});
