// The client's one error family: every failure a learner can meet, with the handle, the HTTP status,
// the Handle response code, the server's message and a one-line hint saying what to do about it.

export interface HandleErrorDetails {
  handle?: string | undefined;
  httpStatus?: number | undefined;
  responseCode?: number | undefined;
  serverMessage?: string | undefined;
  hint?: string | undefined;
  cause?: unknown;
}

/**
 * Base class of every error this package throws.
 * @example
 * try { await client.registerHandle(pid, url); }
 * catch (e) { if (e instanceof HandleError) console.log(e.message, '\n→', e.hint); }
 */
export class HandleError extends Error {
  readonly handle: string | undefined;
  readonly httpStatus: number | undefined;
  readonly responseCode: number | undefined;
  readonly serverMessage: string | undefined;
  /** What a learner can do next, in one line. */
  readonly hint: string;

  constructor(message: string, details: HandleErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.handle = details.handle;
    this.httpStatus = details.httpStatus;
    this.responseCode = details.responseCode;
    this.serverMessage = details.serverMessage;
    this.hint = details.hint ?? '';
  }

  /** One line for a terminal or a notebook cell: message, then the hint. */
  override toString(): string {
    return this.hint ? `${this.name}: ${this.message} (hint: ${this.hint})` : `${this.name}: ${this.message}`;
  }
}

/** The handle does not exist on the server (404, responseCode 100). @example if (e instanceof HandleNotFoundError) … */
export class HandleNotFoundError extends HandleError {}

/** Registering a handle that already exists without `overwrite: true`. @example new HandleAlreadyExistsError('21.T12995/abc exists') */
export class HandleAlreadyExistsError extends HandleError {}

/** A handle or identity written wrongly (client-side check, no request sent). @example checkHandleSyntax('nonsense') // throws */
export class HandleSyntaxError extends HandleError {}

/** No, wrong or unusable credentials for a write (401, or responseCode 402). @example if (e instanceof HandleAuthenticationError) … */
export class HandleAuthenticationError extends HandleError {}

/** Anything else the server refused or answered unexpectedly. @example if (e instanceof GenericHandleError) console.log(e.httpStatus) */
export class GenericHandleError extends HandleError {}

/**
 * Authenticated, but the handle's HS_ADMIN does not grant this operation (403, responseCode 400).
 * B2HANDLE reports this as a generic error; it is a subclass of GenericHandleError so code written for
 * that still works.
 * @example if (e instanceof HandlePermissionError) console.log('not my handle:', e.handle)
 */
export class HandlePermissionError extends GenericHandleError {}

/**
 * The server said it is too busy (HTTP 503, responseCode 3) and the client's retries, if any, ran out.
 * @example if (e instanceof HandleServerBusyError) console.log(e.tries, 'tries for', e.handle)
 */
export class HandleServerBusyError extends GenericHandleError {
  /** How many times the request was sent. */
  readonly tries: number;
  constructor(message: string, details: HandleErrorDetails & { tries: number }) {
    super(message, details);
    this.tries = details.tries;
  }
}

/** No answer within the client's timeoutMs (connecting, or waiting for the answer). @example if (e instanceof HandleTimeoutError) … */
export class HandleTimeoutError extends GenericHandleError {}

/** A reverse look-up (search by value) failed or is not configured. @example if (e instanceof ReverseLookupError) … */
export class ReverseLookupError extends HandleError {}

/** The credentials file or options are incomplete or malformed; the message names the key. @example PIDClientCredentials.loadFromJSON('missing.json') // throws */
export class CredentialsFormatError extends HandleError {}

/** An operation the client refuses on purpose, such as changing HS_ADMIN by accident. @example new IllegalOperationError('…') */
export class IllegalOperationError extends HandleError {}

/** The record is in a state the operation cannot handle (two values of a type it must change once). @example new BrokenHandleRecordError('…') */
export class BrokenHandleRecordError extends HandleError {}

/**
 * A typed PID record the validation service refused: an attribute missing that the profile requires, a value
 * that does not match its type's schema, an attribute given more often than the profile allows, a type the
 * registry does not know. `attribute` is the type PID at fault, `rule` the rule it broke.
 * @example
 * try { await client.registerTypedRecord(entries, { profile: '21.T11148/b9b76f887845e32d29f7' }); }
 * catch (e) { if (e instanceof TypedRecordRefusedError) console.log(e.attribute, e.rule, e.reason); }
 */
export class TypedRecordRefusedError extends HandleError {
  /** The attribute's type PID, e.g. `21.T11148/2f314c8fe5fb6a0063a8`; undefined for a fault of the whole record. */
  readonly attribute: string | undefined;
  /** `mandatory`, `not-repeatable`, `not-in-profile`, `unknown-type`, `unknown-profile`, `empty-record` or `schema:<keyword>` (e.g. `schema:pattern`). */
  readonly rule: string;
  /** The service's reason in its own words. */
  readonly reason: string;
  constructor(message: string, details: HandleErrorDetails & { attribute: string | undefined; rule: string; reason: string }) {
    super(message, details);
    this.attribute = details.attribute;
    this.rule = details.rule;
    this.reason = details.reason;
  }
}

/**
 * A resolver cannot give a DOI's metadata in the format asked for (HTTP 406, or an answer of another type):
 * `format` names what was asked, `offered` the media types the resolver said it can give.
 * @example if (e instanceof CitationNotAvailableError) console.log(e.format, 'not offered; offered:', e.offered)
 */
export class CitationNotAvailableError extends HandleError {
  readonly format: string;
  readonly offered: string[];
  constructor(message: string, details: HandleErrorDetails & { format: string; offered: string[] }) {
    super(message, details);
    this.format = details.format;
    this.offered = details.offered;
  }
}

// The Python names, so the B2HANDLE lesson's `except HandleNotFoundException` maps one to one.
export {
  HandleNotFoundError as HandleNotFoundException,
  HandleAlreadyExistsError as HandleAlreadyExistsException,
  ReverseLookupError as ReverseLookupException,
  IllegalOperationError as IllegalOperationException,
  BrokenHandleRecordError as BrokenHandleRecordException,
};
