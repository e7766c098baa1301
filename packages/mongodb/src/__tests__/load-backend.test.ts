import { expect } from 'chai';
import { ConfigurationError, MONGO_MISSING_MESSAGE, loadMongoModule, resultBackendKind } from '@celeriac/core';
import * as mongo from '../index.js';

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('loading @celeriac/mongodb on demand (core loadMongoModule)', () => {
  it('loads this package: the same module, with both entry points', async () => {
    const loaded = await loadMongoModule();
    expect(loaded.openMongoResultBackend).to.equal(mongo.openMongoResultBackend);
    expect(loaded.openMongoScheduleStore).to.equal(mongo.openMongoScheduleStore);
  });

  it('says how to install the package when it is missing', async () => {
    const error = await rejection(loadMongoModule('@celeriac/mongodb-not-installed'));
    expect(error).to.be.instanceOf(ConfigurationError);
    expect(error.message).to.contain('the MongoDB backend needs @celeriac/mongodb: npm install @celeriac/mongodb');
    expect(MONGO_MISSING_MESSAGE).to.equal(
      'the MongoDB backend needs @celeriac/mongodb: npm install @celeriac/mongodb',
    );
  });

  it('refuses a module without the entry points (a version mismatch)', async () => {
    const error = await rejection(loadMongoModule('node:path'));
    expect(error).to.be.instanceOf(ConfigurationError);
    expect(error.message).to.contain(MONGO_MISSING_MESSAGE).and.contain('does not export openMongoResultBackend');
  });

  it('core maps mongodb:// and mongodb+srv:// URLs to the mongodb kind', () => {
    expect(resultBackendKind('mongodb://127.0.0.1:27017/celery')).to.equal('mongodb');
    expect(resultBackendKind('mongodb+srv://u:p@cluster.example.net/db')).to.equal('mongodb');
    expect(() => resultBackendKind('mongo://host')).to.throw(ConfigurationError, 'unsupported result backend');
  });

  it('opening a backend contacts no server: the driver connects on the first operation', async () => {
    const backend = mongo.openMongoResultBackend('mongodb://127.0.0.1:1/results_here', { resultExpiresMs: 3_600_000 });
    expect(backend).to.be.instanceOf(mongo.MongoResultBackend);
    expect(backend).to.deep.include({ database: 'results_here', expireAfterSeconds: 3600 });
    expect(await backend.replyTo()).to.equal(null);
    await backend.close();
  });
});
