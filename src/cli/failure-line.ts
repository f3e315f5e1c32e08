// Turns any failure into the single line `pid` prints on stderr and writes into bulk result files: never a stack trace.
import { HandleError } from '../errors.js';

/** Collapses newlines and runs of spaces, since a server message may span lines and a result file has one line per operation. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * What went wrong and what to do about it, on one line.
 * @example describeFailure(error) // 'HandleNotFoundError: read 21.T12995/x: HTTP 404, responseCode 100: handle not found (hint: check the spelling of the PID, or register it first)'
 */
export function describeFailure(error: unknown): string {
  if (error instanceof HandleError) return oneLine(error.toString());
  const message = error instanceof Error ? error.message : String(error);
  return oneLine(`unexpected error: ${message} (hint: this is a bug in pid; report it with the command you ran)`);
}
