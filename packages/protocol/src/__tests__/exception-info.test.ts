import { expect } from 'chai';
import { encodeException, exceptionMessage, isExceptionInfo, type ExceptionInfo } from '../exception-info.js';

class PaymentDeclined extends Error {
  override name = 'PaymentDeclined';
}

describe('exception encoding', () => {
  it('sends Python built-in names under builtins, so Python raises the real class', () => {
    expect(encodeException(new TypeError('bad type'))).to.deep.equal({
      exc_type: 'TypeError',
      exc_message: ['bad type'],
      exc_module: 'builtins',
    });
    expect(encodeException(new RangeError('x')).exc_module).to.equal('celeriac');
  });

  it('names other errors by their name under the celeriac module', () => {
    expect(encodeException(new PaymentDeclined('card 4242'))).to.deep.equal({
      exc_type: 'PaymentDeclined',
      exc_message: ['card 4242'],
      exc_module: 'celeriac',
    });
  });

  it('falls back to the constructor name when name is left as "Error"', () => {
    class Unnamed extends Error {}
    expect(encodeException(new Unnamed('x')).exc_type).to.equal('Unnamed');
  });

  it('honours an explicit excType and excModule', () => {
    const error = Object.assign(new Error('gone'), { excType: 'TaskRevokedError', excModule: 'celery.exceptions' });
    expect(encodeException(error)).to.deep.equal({
      exc_type: 'TaskRevokedError',
      exc_message: ['gone'],
      exc_module: 'celery.exceptions',
    });
  });

  it('encodes a thrown non-Error as a builtins Exception with its string form', () => {
    expect(encodeException('plain string')).to.deep.equal({
      exc_type: 'Exception',
      exc_message: ['plain string'],
      exc_module: 'builtins',
    });
    expect(encodeException(42).exc_message).to.deep.equal(['42']);
  });

  it('recognises encoded exceptions', () => {
    expect(isExceptionInfo({ exc_type: 'ValueError', exc_message: [], exc_module: 'builtins' })).to.equal(true);
    expect(isExceptionInfo({ exc_message: ['x'] })).to.equal(false);
    expect(isExceptionInfo('ValueError')).to.equal(false);
  });

  describe('exceptionMessage', () => {
    const info = (exc_message: unknown): ExceptionInfo => ({
      exc_type: 'ValueError',
      exc_message: exc_message as unknown[],
      exc_module: 'builtins',
    });

    it('shows a single argument as itself and several as a JSON list', () => {
      expect(exceptionMessage(info(['bad']))).to.equal('bad');
      expect(exceptionMessage(info(['bad', 2]))).to.equal('["bad",2]');
      expect(exceptionMessage(info([]))).to.equal('[]');
    });

    it('accepts a bare string, as some peers send', () => {
      expect(exceptionMessage(info('just text'))).to.equal('just text');
    });

    it('shows a Python big integer argument instead of throwing', () => {
      expect(exceptionMessage(info(['too big', 2n ** 70n]))).to.equal('["too big",1180591620717411303424]');
    });
  });
});
