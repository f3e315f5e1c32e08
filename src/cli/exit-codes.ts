// The `pid` command's exit codes, and which failure maps to which, so scripts can tell "not there" from "not allowed" from "broken".
import {
  CredentialsFormatError,
  HandleAuthenticationError,
  HandleError,
  HandleNotFoundError,
  HandlePermissionError,
  HandleSyntaxError,
  IllegalOperationError,
  ReverseLookupError,
} from '../errors.js';

export const ExitCode = {
  ok: 0,
  notFound: 1,
  usage: 2,
  notAllowed: 3,
  failed: 4,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * The command line itself is wrong: unknown command or option, missing argument, a malformed
 * `KEY=VALUE`. A HandleError so it carries a hint like every other failure a learner meets.
 * @example throw new UsageError('--extratype "TYPE" has no "="', { hint: 'write --extratype TYPE=file' })
 */
export class UsageError extends HandleError {}

/**
 * The exit code a failure ends the command with.
 * @example exitCodeFor(new HandleNotFoundError('21.T12995/x does not exist')) // 1
 */
export function exitCodeFor(error: unknown): ExitCode {
  // A wrongly written handle and an operation the client refuses on purpose are both mistakes in the command, fixed by rewriting it.
  if (error instanceof UsageError || error instanceof HandleSyntaxError || error instanceof IllegalOperationError) return ExitCode.usage;
  if (error instanceof HandleNotFoundError) return ExitCode.notFound;
  if (error instanceof HandleAuthenticationError || error instanceof HandlePermissionError || error instanceof CredentialsFormatError) {
    return ExitCode.notAllowed;
  }
  // The search service has its own account: an unconfigured or refused one is an authentication problem, anything else the service's.
  if (error instanceof ReverseLookupError) {
    const status = error.httpStatus;
    return status === undefined || status === 401 || status === 403 ? ExitCode.notAllowed : ExitCode.failed;
  }
  return ExitCode.failed;
}
