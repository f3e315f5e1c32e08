// Turns any failure into the single line `pid` prints on stderr and writes into bulk result files: never a stack trace.
import { HandleAlreadyExistsError, HandleAuthenticationError, HandleError, IllegalOperationError } from '../errors.js';

/** The client's hints speak about its API; on the command line the same advice names options instead. */
function commandLineHint(error: HandleError): string {
  if (error instanceof HandleAlreadyExistsError) return 'leave out --handle to get a new UUID suffix, or choose another --handle';
  if (error instanceof IllegalOperationError) return 'pid never changes or deletes HS_ADMIN: it decides who may change the handle';
  if (error instanceof HandleAuthenticationError && error.responseCode === 402 && error.httpStatus === undefined) {
    return 'the credentials file has no identity for writing: give one with --credentials or PID_CREDENTIALS';
  }
  return error.hint;
}

/** Collapses newlines and runs of spaces, since a server message may span lines and a result file has one line per operation. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * What went wrong and what to do about it, on one line.
 * @example describeFailure(error) // 'HandleNotFoundError: read 21.T12995/x: HTTP 404, responseCode 100: handle not found (hint: check the spelling of the PID, or register it first)'
 */
export function describeFailure(error: unknown): string {
  if (error instanceof HandleError) {
    const hint = commandLineHint(error);
    return oneLine(hint ? `${error.name}: ${error.message} (hint: ${hint})` : `${error.name}: ${error.message}`);
  }
  const message = error instanceof Error ? error.message : String(error);
  return oneLine(`unexpected error: ${message} (hint: this is a bug in pid; report it with the command you ran)`);
}
