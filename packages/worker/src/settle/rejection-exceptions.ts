import { CELERY_EXCEPTIONS_MODULE, type ExceptionInfo, type ProtocolError } from '@celeriac/protocol';

/** The failure a caller is told about when its message cannot be run, named as Celery names it. */
export function rejectionException(error: ProtocolError): ExceptionInfo {
  if (error.code === 'CONTENT_TYPE_REFUSED' || error.code === 'CONTENT_ENCODING_REFUSED') {
    return { exc_type: 'ContentDisallowed', exc_message: [error.message], exc_module: 'kombu.exceptions' };
  }
  if (error.code === 'BODY_UNDECODABLE')
    return { exc_type: 'DecodeError', exc_message: [error.message], exc_module: 'kombu.exceptions' };
  return { exc_type: 'InvalidTaskError', exc_message: [error.message], exc_module: CELERY_EXCEPTIONS_MODULE };
}

/** Celery's NotRegistered, for a task name this worker has no handler for. */
export function notRegisteredException(name: string): ExceptionInfo {
  return { exc_type: 'NotRegistered', exc_message: [name], exc_module: CELERY_EXCEPTIONS_MODULE };
}
