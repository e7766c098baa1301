/**
 * The root of every error Celeriac throws on purpose.
 *
 * ```
 * CeleriacError (code)
 *  └─ ProtocolError       a message that is not valid Celery protocol (this package)
 *  └─ ... the rest live in @celeriac/core (configuration, publish, result, task errors)
 * ```
 *
 * `code` is stable across releases: match on it, not on the message text. `instanceof` works
 * across duplicate installs because it checks a `Symbol.for` brand instead of the prototype.
 */
const BRAND = Symbol.for('celeriac.error');

export class CeleriacError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
    Object.defineProperty(this, BRAND, { value: true });
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this === CeleriacError) return typeof value === 'object' && value !== null && BRAND in value;
    return Function.prototype[Symbol.hasInstance].call(this, value);
  }
}

export type ProtocolErrorCode =
  | 'CONTENT_TYPE_REFUSED'
  | 'CONTENT_ENCODING_REFUSED'
  | 'BODY_UNDECODABLE'
  | 'BODY_SHAPE_INVALID'
  | 'HEADER_MISSING'
  | 'HEADER_INVALID'
  | 'DATE_INVALID'
  | 'SIGNATURE_INVALID'
  | 'VALUE_UNENCODABLE';

/** What a broken message still tells us, so a caller waiting on it can be told it failed. */
export interface MessageIdentity {
  id?: string;
  name?: string;
  replyTo?: string;
  correlationId?: string;
}

/** A message that is not valid Celery protocol. `identity` holds whatever could be read. */
export class ProtocolError extends CeleriacError {
  declare readonly code: ProtocolErrorCode;
  readonly identity: MessageIdentity;

  constructor(code: ProtocolErrorCode, message: string, identity: MessageIdentity = {}, options?: { cause?: unknown }) {
    super(code, message, options);
    this.identity = identity;
  }
}
