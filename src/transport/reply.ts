// Reads a Handle server's answer and turns every unexpected one into the right error class, with a
// hint a learner can act on (how B2HANDLE classifies responses, §3.2–§3.3, with its defects fixed).
import {
  GenericHandleError,
  HandleAlreadyExistsError,
  HandleAuthenticationError,
  HandleNotFoundError,
  HandlePermissionError,
  HandleServerBusyError,
  type HandleError,
} from '../errors.js';

export interface HandleResponse {
  status: number;
  /** Parsed JSON body, or undefined when the body is empty or not JSON. */
  json: Record<string, unknown> | undefined;
  text: string;
  /** How many times the request was sent (more than 1 after retries). */
  tries?: number | undefined;
}

export function responseCodeOf(response: HandleResponse): number | undefined {
  const code = response.json?.responseCode;
  return typeof code === 'number' ? code : undefined;
}

export function isSuccess(response: HandleResponse): boolean {
  return (response.status === 200 || response.status === 201) && responseCodeOf(response) === 1;
}

/**
 * The error for an answer the operation did not expect. `action` says what was attempted, e.g.
 * "register 21.T12995/abc".
 */
export function errorFor(action: string, handle: string | undefined, response: HandleResponse): HandleError {
  const rc = responseCodeOf(response);
  const message = typeof response.json?.message === 'string' ? response.json.message : undefined;
  const details = { handle, httpStatus: response.status, responseCode: rc, serverMessage: message };
  const said = `${action}: HTTP ${response.status}${rc !== undefined ? `, responseCode ${rc}` : ''}${message ? ` (${message})` : ''}`;
  if (response.status === 401 || rc === 402) {
    const overHttp = response.status === 403;
    return new HandleAuthenticationError(`${said}: not authenticated`, {
      ...details,
      hint: overHttp
        ? 'credentials only count over HTTPS: use an https:// handle_server_url'
        : rc === 402
          ? 'this client has no credentials for writing: build it with HandleClient.withCredentials(...)'
          : 'the server did not accept the password or certificate: check username/password or the certificate files',
    });
  }
  if (response.status === 403 && (rc === 400 || rc === 401)) {
    return new HandlePermissionError(`${said}: this identity may not do that`, {
      ...details,
      hint: "the handle's HS_ADMIN (or the prefix's admin group) does not grant your identity this permission",
    });
  }
  if (response.status === 404 && rc === 100) {
    return new HandleNotFoundError(`${said}: handle not found`, { ...details, hint: 'check the spelling of the PID, or register it first' });
  }
  if (response.status === 409 && rc === 101) {
    return new HandleAlreadyExistsError(`${said}: the handle already exists`, {
      ...details,
      hint: 'generate a new suffix (generatePidName) or pass overwrite: true to replace the record',
    });
  }
  if (response.status === 503) {
    const tries = response.tries ?? 1;
    return new HandleServerBusyError(`${said}: the server is too busy${tries > 1 ? `; gave up after ${tries} tries` : ''}`, {
      ...details,
      tries,
      hint: tries > 1 ? 'the server stayed busy: wait a moment and run the cell again, or allow more retries' : 'try again shortly, or build the client with retries: 3 to retry by itself',
    });
  }
  if (rc === 301) {
    return new GenericHandleError(`${said}`, { ...details, hint: "this server does not serve that prefix: check the handle's prefix and the server URL" });
  }
  if (response.status >= 300 && response.status < 400) {
    return new GenericHandleError(`${said}: unexpected redirect`, { ...details, hint: 'the server URL may need https:// or a different path' });
  }
  return new GenericHandleError(said, { ...details, hint: message ? 'read the server message above' : 'see the HTTP status and responseCode' });
}
