// One constructor for each kind of failure, next to the classes in errors.ts: a kind's usual facts (HTTP
// status, Handle responseCode) and its hint for a learner are written here once, wherever the client, the
// transport, the credentials or the `pid` command meet that failure. Not part of the public API: code that
// uses the package catches the classes, it does not build them.
import {
  BrokenHandleRecordError,
  CitationNotAvailableError,
  CredentialsFormatError,
  GenericHandleError,
  HandleAlreadyExistsError,
  HandleAuthenticationError,
  HandleNotFoundError,
  HandlePermissionError,
  HandleServerBusyError,
  HandleSyntaxError,
  HandleTimeoutError,
  IllegalOperationError,
  ReverseLookupError,
  TypedRecordRefusedError,
  type HandleErrorDetails,
} from './errors.js';

/** What an error carries besides its message and handle: the server's reply, a hint, a cause. */
export type ErrorFacts = Omit<HandleErrorDetails, 'handle'>;

const NOT_FOUND_HINT = 'check the spelling of the PID, or register it first';
const ALREADY_EXISTS_HINT = 'generate a new suffix (generatePidName) or pass overwrite: true to replace the record';

/**
 * The handle (or the value, or the match) is not there.
 * @example handleNotFound(pid, `${pid} has no value of type URL`, { hint: 'read the record to see its types' })
 */
export function handleNotFound(handle: string | undefined, message: string, facts: ErrorFacts = {}): HandleNotFoundError {
  return new HandleNotFoundError(message, { handle, hint: NOT_FOUND_HINT, ...facts });
}

/**
 * The server has no record of `handle` (404, responseCode 100), said the same way by the client and the CLI.
 * @example handleAbsent('21.T12995/x', 'https://127.0.0.1:8000') // "21.T12995/x does not exist on https://127.0.0.1:8000"
 */
export function handleAbsent(handle: string, serverUrl: string): HandleNotFoundError {
  return handleNotFound(handle, `${handle} does not exist on ${serverUrl}`, { httpStatus: 404, responseCode: 100 });
}

/** A create met an existing handle (409, responseCode 101). @example handleAlreadyExists(pid, `${pid} already exists`) */
export function handleAlreadyExists(handle: string | undefined, message: string, facts: ErrorFacts = {}): HandleAlreadyExistsError {
  return new HandleAlreadyExistsError(message, { handle, httpStatus: 409, responseCode: 101, hint: ALREADY_EXISTS_HINT, ...facts });
}

/** No credentials, or credentials the server refused (401, or responseCode 402). */
export function notAuthenticated(handle: string | undefined, message: string, facts: ErrorFacts & { hint: string }): HandleAuthenticationError {
  return new HandleAuthenticationError(message, { handle, ...facts });
}

/** Authenticated, but HS_ADMIN does not grant the operation (403, responseCode 400 or 401). */
export function permissionDenied(handle: string | undefined, message: string, facts: ErrorFacts = {}): HandlePermissionError {
  return new HandlePermissionError(message, {
    handle,
    hint: "the handle's HS_ADMIN (or the prefix's admin group) does not grant your identity this permission",
    ...facts,
  });
}

/**
 * What to do about a 503 (busy) answer. The mock's teaching faults say in their answer that they are one:
 * the trainee's code is fine, the instructor made the server busy on purpose, and trying again helps.
 * @example busyHint('Server too busy: a teaching fault the instructor switched on, try again shortly', 1)
 */
export function busyHint(
  serverSaid: string | undefined,
  tries: number,
  orElse = tries > 1 ? 'allow more retries' : 'give the client retries: 3 to ride it out',
): string {
  const retry = `wait a moment and run the cell again, or ${orElse}`;
  if (/teaching fault/i.test(serverSaid ?? '')) {
    return `a teaching fault: the instructor made the server busy on purpose, your code is fine. Retrying helps: ${retry}`;
  }
  return tries > 1 ? `the server stayed busy: ${retry}` : `the server is busy for now, retrying helps: ${retry}`;
}

/** The server stayed busy (503) for every try. */
export function serverBusy(handle: string | undefined, message: string, facts: ErrorFacts & { tries: number }): HandleServerBusyError {
  return new HandleServerBusyError(message, { handle, ...facts });
}

/** Anything else the server, the network or a download answered unexpectedly. */
export function handleFailure(handle: string | undefined, message: string, facts: ErrorFacts = {}): GenericHandleError {
  return new GenericHandleError(message, { handle, ...facts });
}

/** No answer within the time limit. */
export function timedOut(message: string, facts: ErrorFacts = {}): HandleTimeoutError {
  return new HandleTimeoutError(message, facts);
}

/** A handle or identity written wrongly, caught before any request. */
export function syntaxError(handle: string | undefined, message: string, hint: string): HandleSyntaxError {
  return new HandleSyntaxError(message, { handle, hint });
}

/** The reverse look-up is not configured, refused the search, or answered something else than a list. */
export function reverseLookupFailed(message: string, facts: ErrorFacts = {}): ReverseLookupError {
  return new ReverseLookupError(message, facts);
}

/** A credentials file or option that is missing, unreadable or incomplete; the message names the key. */
export function credentialsProblem(message: string, facts: ErrorFacts = {}): CredentialsFormatError {
  return new CredentialsFormatError(message, facts);
}

/** An operation the client refuses on purpose. */
export function illegalOperation(handle: string, message: string, hint: string): IllegalOperationError {
  return new IllegalOperationError(message, { handle, hint });
}

/** A record the operation cannot work on as it is. */
export function brokenRecord(handle: string, message: string, facts: ErrorFacts = {}): BrokenHandleRecordError {
  return new BrokenHandleRecordError(message, { handle, ...facts });
}

const RULE_HINTS: Record<string, string> = {
  mandatory: "add the attribute: the record's profile requires it (resolveType(profile) lists what a profile requires)",
  'not-repeatable': 'give the attribute one value only: the profile does not let it repeat',
  'not-in-profile': 'remove the attribute, or choose a profile that lists it',
  'unknown-type': 'use the PID of a type registered in the Data Type Registry as the key',
  'unknown-profile': 'name a registered Kernel Information Profile in kernelInformationProfile',
  'empty-record': 'give the record at least its profile and the attributes the profile requires',
};

/**
 * A validation service refused a typed record; the hint says what to change for the rule that was broken.
 * @example typedRecordRefused('21.T12995/abc', { attribute: '21.T11148/2f314c8fe5fb6a0063a8', rule: 'mandatory', reason: '…' }, { httpStatus: 400 })
 */
export function typedRecordRefused(
  handle: string | undefined,
  refusal: { attribute: string | undefined; rule: string; reason: string },
  facts: ErrorFacts = {},
): TypedRecordRefusedError {
  const hint = RULE_HINTS[refusal.rule] ?? "change the value so that it matches the type's schema (resolveType(attribute).schema shows it)";
  const about = refusal.attribute ? `attribute ${refusal.attribute} breaks rule ${refusal.rule}` : `the record breaks rule ${refusal.rule}`;
  return new TypedRecordRefusedError(`typed record refused: ${about}: ${refusal.reason}`, { handle, hint, ...facts, ...refusal });
}

/** A resolver cannot give a DOI's metadata in the format asked for; the hint names the formats it can. */
export function citationNotAvailable(doi: string, message: string, facts: ErrorFacts & { format: string; offered: string[] }): CitationNotAvailableError {
  return new CitationNotAvailableError(message, { handle: doi, ...facts });
}
