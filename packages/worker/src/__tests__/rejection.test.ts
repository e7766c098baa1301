import { expect } from 'chai';
import { ProtocolError, type ProtocolErrorCode } from '@celeriac/protocol';
import { notRegisteredException, rejectionException } from '../settle/rejection-exceptions.js';

function rejectionType(code: ProtocolErrorCode): string {
  return rejectionException(new ProtocolError(code, 'why')).exc_type;
}

describe('rejection exceptions, named as Celery names them', () => {
  it('a refused content type or encoding is kombu ContentDisallowed', () => {
    expect(rejectionException(new ProtocolError('CONTENT_TYPE_REFUSED', 'text/plain refused'))).to.deep.equal({
      exc_type: 'ContentDisallowed',
      exc_message: ['text/plain refused'],
      exc_module: 'kombu.exceptions',
    });
    expect(rejectionType('CONTENT_ENCODING_REFUSED')).to.equal('ContentDisallowed');
  });

  it('an undecodable body is kombu DecodeError', () => {
    expect(rejectionException(new ProtocolError('BODY_UNDECODABLE', 'bad')).exc_module).to.equal('kombu.exceptions');
    expect(rejectionType('BODY_UNDECODABLE')).to.equal('DecodeError');
  });

  it('every other protocol problem is celery InvalidTaskError', () => {
    for (const code of ['BODY_SHAPE_INVALID', 'HEADER_MISSING', 'HEADER_INVALID', 'DATE_INVALID'] as const) {
      expect(rejectionException(new ProtocolError(code, 'x')), code).to.deep.include({
        exc_type: 'InvalidTaskError',
        exc_module: 'celery.exceptions',
      });
    }
  });

  it('an unknown task is celery NotRegistered naming it, as a 5.2 worker reports it', () => {
    expect(notRegisteredException('interop.does_not_exist')).to.deep.equal({
      exc_type: 'NotRegistered',
      exc_message: ['interop.does_not_exist'],
      exc_module: 'celery.exceptions',
    });
  });
});
