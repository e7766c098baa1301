import { expect } from 'chai';
import { brokerUrlProblem, checkBrokerUrl, redactUrl, splitBrokerUrls } from '../broker-url.js';
import { ConfigurationError } from '../errors.js';

function refusal(value: unknown): string {
  try {
    checkBrokerUrl(value);
  } catch (error) {
    if (error instanceof ConfigurationError) return error.message;
    throw error;
  }
  return expect.fail('expected a ConfigurationError');
}

describe('broker URLs', () => {
  it('keeps one URL as it is', () => {
    expect(checkBrokerUrl('amqp://guest:guest@h1:5672//')).to.equal('amqp://guest:guest@h1:5672//');
  });

  it("reads Celery's `;`-joined list and an array alike, in order", () => {
    const joined = 'amqp://h1;amqp://h2 ; amqps://h3/vh';
    expect(splitBrokerUrls(joined)).to.deep.equal(['amqp://h1', 'amqp://h2', 'amqps://h3/vh']);
    expect(checkBrokerUrl(['amqp://h1', 'amqp://h2'])).to.equal('amqp://h1;amqp://h2');
    expect(checkBrokerUrl(joined)).to.equal('amqp://h1;amqp://h2;amqps://h3/vh');
  });

  it('names a bad URL of a list by its position and never echoes it', () => {
    const message = refusal('amqp://u:s3cret@h1;http://u:s3cret@h2;amqp://h3');
    expect(message).to.equal('brokerUrl (URL 2 of 3) must be an amqp:// or amqps:// URL');
    expect(refusal(['amqp://h1', 'amqp://h2', 'nope:s3cret']))
      .to.contain('URL 3 of 3')
      .and.not.contain('s3cret');
  });

  it('refuses an empty element, an empty array, a non-string and a host-less URL', () => {
    expect(refusal('amqp://h1;;amqp://h2')).to.contain('URL 2 of 3');
    expect(refusal([])).to.contain('at least one');
    expect(refusal(['amqp://h1', 5])).to.contain('or a list of them');
    expect(refusal('amqp:///vhost')).to.equal('brokerUrl must be an amqp:// or amqps:// URL');
    expect(brokerUrlProblem('amqp://h1;amqp://h2')).to.equal(null);
  });

  it('redacts the password of every URL of a list', () => {
    expect(redactUrl('amqp://u:p1@h1:5672/;amqp://u:p2@h2:5672/')).to.equal(
      'amqp://u:***@h1:5672/;amqp://u:***@h2:5672/',
    );
  });

  it('redacts secret-bearing query parameters too: a MongoDB key passphrase, an AWS session token', () => {
    const tls = 'mongodb://app:pw@db:27017/celery?tls=true&tlsCertificateKeyFilePassword=s3cret&tlsCAFile=/ca.pem';
    expect(redactUrl(tls)).to.equal(
      'mongodb://app:***@db:27017/celery?tls=true&tlsCertificateKeyFilePassword=***&tlsCAFile=/ca.pem',
    );
    const aws = 'mongodb://a,b/db?authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:tok';
    expect(redactUrl(aws)).to.equal('mongodb://a,b/db?authMechanism=MONGODB-AWS&authMechanismProperties=***');
    expect(redactUrl('redis://h/0?password=p&db=1')).to.equal('redis://h/0?password=***&db=1');
  });
});
