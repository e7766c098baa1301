import { expect } from 'chai';
import { maskUrl } from '../control/worker-settings.js';

describe("worker settings (inspect conf's URLs)", () => {
  it('masks passwords as Celery does, and the secret query parameters of a MongoDB URL', () => {
    expect(maskUrl('amqp://guest:guest@localhost:5672//')).to.equal('amqp://guest:********@localhost:5672//');
    const mongo = 'mongodb://app:pw@db/celery?tls=true&tlsCertificateKeyFilePassword=s3cret&tlsCAFile=/ca.pem';
    expect(maskUrl(mongo)).to.equal(
      'mongodb://app:********@db/celery?tls=true&tlsCertificateKeyFilePassword=********&tlsCAFile=/ca.pem',
    );
  });
});
