import { expect } from 'chai';
import { ConfigurationError } from '@celeriac/core';
import { DEFAULT_RESULT_DATABASE, databaseName, expireAfterSeconds } from '../index.js';

describe('databaseName (the path of the MongoDB URL, as Celery reads it)', () => {
  const cases: Array<[string, string]> = [
    ['mongodb://127.0.0.1:27017/results', 'results'],
    ['mongodb://127.0.0.1:27017', 'celery'],
    ['mongodb://127.0.0.1:27017/', 'celery'],
    ['mongodb://127.0.0.1:27017/?replicaSet=rs0', 'celery'],
    ['mongodb://user:p%40ss@h1:27017,h2:27017/app?replicaSet=rs0&authSource=admin', 'app'],
    ['mongodb+srv://user:secret@cluster0.example.net/prod_results?retryWrites=true', 'prod_results'],
    ['MONGODB://host/Mixed', 'Mixed'],
  ];
  for (const [url, database] of cases) {
    it(`${url} → ${database}`, () => expect(databaseName(url, DEFAULT_RESULT_DATABASE)).to.equal(database));
  }

  it('uses the caller’s default when the path is empty', () => {
    expect(databaseName('mongodb://host', 'celeriac')).to.equal('celeriac');
  });

  it('refuses other schemes and invalid database names, without echoing the password', () => {
    expect(() => databaseName('redis://user:secret@host/0', 'celery'))
      .to.throw(ConfigurationError)
      .with.property('message')
      .that.not.contains('secret');
    expect(() => databaseName('mongodb://host/a.b', 'celery')).to.throw(
      ConfigurationError,
      "invalid MongoDB database name 'a.b'",
    );
  });
});

describe('expireAfterSeconds (the TTL index option from resultExpiresMs)', () => {
  it('is whole seconds, rounded up', () => {
    expect(expireAfterSeconds(86_400_000)).to.equal(86_400);
    expect(expireAfterSeconds(1500)).to.equal(2);
  });

  it('refuses a non-positive duration', () => {
    for (const bad of [0, -1, Number.NaN]) expect(() => expireAfterSeconds(bad)).to.throw(ConfigurationError);
  });
});
