// Error classes. Every error the package throws is an instance of one of these (except an
// aborted call, which rejects with the AbortSignal's reason, as fetch does).
//
// `instanceof` works across copies of this module (ESM and CJS entry points, two bundles)
// through a registered-symbol brand, not object identity.

const BRAND = Symbol.for('yunxiao-pipeline-jobs.error');
const CLASS = Symbol.for('yunxiao-pipeline-jobs.errorClass');

// Classes are made as property values so they keep their names through minification (the
// bundler renames a class binding; `util.inspect` and V8's messages show the class's own name).
export const { YunxiaoError } = { YunxiaoError: class extends Error {
  /** `record`: the core's error record, or a message (handy for mocks); anything else is none. */
  constructor(record) {
    if (typeof record === 'string') record = { message: record };
    else if (record === null || typeof record !== 'object') record = {};
    super(String(record.message ?? 'YunxiaoError'));
    const own = (key, value) =>
      Object.defineProperty(this, key, { value, enumerable: true, writable: true, configurable: true });
    own('code', String(record.code ?? 'Unknown'));
    own('status', Number.isInteger(record.status) ? record.status : 0);
    own('requestId', typeof record.requestId === 'string' ? record.requestId : null);
    own('retryable', record.retryable === true);
    own('attempts', Number.isInteger(record.attempts) ? record.attempts : 0);
    if (typeof record.path === 'string') own('path', record.path);
    if (Number.isFinite(record.retryAfterMs)) own('retryAfterMs', record.retryAfterMs);
    if (typeof record.argument === 'string') own('argument', record.argument);
    Object.defineProperty(this, BRAND, { value: true });
    Object.defineProperty(this, CLASS, { value: new.target.className });
  }

  static get className() {
    return 'YunxiaoError';
  }

  /** Its class and message besides its fields: JSON.stringify of an Error gives neither (loggers). */
  toJSON() {
    return { name: this.name, message: this.message, ...this };
  }

  get name() {
    return this.constructor.className;
  }

  // Settable like any Error's name (in strict mode a getter alone would make that a TypeError).
  set name(value) {
    Object.defineProperty(this, 'name', { value, writable: true, configurable: true });
  }

  static [Symbol.hasInstance](value) {
    // A caller's own subclass (no className of its own) is an ordinary class: its instances only.
    if (!Object.prototype.hasOwnProperty.call(this, 'className')) return Function.prototype[Symbol.hasInstance].call(this, value);
    if (value === null || (typeof value !== 'object' && typeof value !== 'function') || value[BRAND] !== true) {
      return false;
    }
    return this.className === 'YunxiaoError' || value[CLASS] === this.className;
  }
} };

const define = (className) => {
  const cls = { [className]: class extends YunxiaoError {} }[className];
  Object.defineProperty(cls, 'className', { value: className });
  return cls;
};

// Which answers make which class: README.md's "Errors" table, and `classify` in
// src/core/error.rs, which decides it (by the API's code first, then the status). In short:
/** Bad input caught before any request (`code: "InvalidArgument"`). */
export const InvalidArgumentError = define('InvalidArgumentError');
/** 401; the signature or credentials refused (`SignatureDoesNotMatch`, `InvalidTimeStamp.*`…). */
export const AuthenticationError = define('AuthenticationError');
/** 403; Forbidden.*; InvalidUser.UserNotInCurrentOrganization. */
export const ForbiddenError = define('ForbiddenError');
/** 404: the API's not-found codes, or another code or none. */
export const NotFoundError = define('NotFoundError');
/** The other 400 codes; other 4xx but 408; a 2xx reporting failure with no code. */
export const BadRequestError = define('BadRequestError');
/** 429 or Throttling*, or a wait the server asked for; `retryAfterMs` when the server said. */
export const ThrottlingError = define('ThrottlingError');
/** 5xx, including non-JSON bodies. */
export const ServerError = define('ServerError');
/** No answer (refused, reset, DNS...), or one cut off mid-body. */
export const NetworkError = define('NetworkError');
/** No complete answer in time (after retries), a 408, or the deadline passed. */
export const TimeoutError = define('TimeoutError');
/** An answer that breaks the documented shape (`path` names the field), or a redirect. */
export const InvalidResponseError = define('InvalidResponseError');

const CLASSES = {
  InvalidArgumentError, AuthenticationError, ForbiddenError, NotFoundError, BadRequestError,
  ThrottlingError, ServerError, NetworkError, TimeoutError, InvalidResponseError,
};

/** Turns the wasm core's error record into an instance of its class. */
export function errorFromRecord(record) {
  if (record === null || typeof record !== 'object') {
    return new YunxiaoError({ code: 'Unknown', message: String(record) });
  }
  const Class = CLASSES[record.className] ?? YunxiaoError;
  return new Class(record);
}

/** `argument`: the argument or option to blame, when one is (`message` names it). */
export function invalidArgument(message, argument) {
  return new InvalidArgumentError({ code: 'InvalidArgument', message: `InvalidArgument: ${message}`, argument });
}
