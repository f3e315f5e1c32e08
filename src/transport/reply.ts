// Reads a Handle server's answer and turns every unexpected one into the right error class, with a
// hint a learner can act on (how B2HANDLE classifies responses, §3.2–§3.3, with its defects fixed).
import { busyHint, handleAlreadyExists, handleFailure, handleNotFound, notAuthenticated, permissionDenied, serverBusy } from '../error-kinds.js';
import type { HandleError } from '../errors.js';

export interface HandleResponse {
  status: number;
  /** Parsed JSON body, or undefined when the body is empty or not JSON. */
  json: Record<string, unknown> | undefined;
  text: string;
  /** How many times the request was sent (more than 1 after retries). */
  tries?: number | undefined;
  /** The reply's headers, e.g. a resolver's Location. */
  headers?: Record<string, string | string[] | undefined> | undefined;
}

/**
 * A reply as the client keeps it: the body as text, and as a JSON object when it is one (Handle servers
 * answer JSON objects; a proxy or a web server in front may answer HTML or nothing).
 * @example parseReply(404, '{"responseCode":100}', 1).json // { responseCode: 100 }
 */
export function parseReply(status: number, text: string, tries: number, headers?: HandleResponse['headers']): HandleResponse {
  let json: Record<string, unknown> | undefined;
  if (text) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) json = parsed as Record<string, unknown>;
    } catch {
      json = undefined;
    }
  }
  return { status, json, text, tries, headers };
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
  const details = { httpStatus: response.status, responseCode: rc, serverMessage: message };
  const said = `${action}: HTTP ${response.status}${rc !== undefined ? `, responseCode ${rc}` : ''}${message ? ` (${message})` : ''}`;
  if (response.status === 401 || rc === 402) {
    const overHttp = response.status === 403;
    return notAuthenticated(handle, `${said}: not authenticated`, {
      ...details,
      hint: overHttp
        ? 'credentials only count over HTTPS: use an https:// handle_server_url'
        : rc === 402
          ? 'this client has no credentials for writing: build it with HandleClient.withCredentials(...)'
          : 'the server did not accept the password or certificate: check username/password or the certificate files',
    });
  }
  if (response.status === 403 && (rc === 400 || rc === 401)) {
    // The mock refuses a write beyond a trainee's quota as the real server refuses a permission, and says so.
    if (message?.startsWith('Quota exceeded')) {
      return permissionDenied(handle, `${said}: this identity has reached a quota`, {
        ...details,
        hint: 'delete handles or values you no longer need, or ask the instructor to raise the quota',
      });
    }
    return permissionDenied(handle, `${said}: this identity may not do that`, details);
  }
  if (response.status === 404 && rc === 100) {
    return handleNotFound(handle, `${said}: handle not found`, details);
  }
  if (response.status === 409 && rc === 101) {
    return handleAlreadyExists(handle, `${said}: the handle already exists`, details);
  }
  if (response.status === 503) {
    const tries = response.tries ?? 1;
    return serverBusy(handle, `${said}: the server is too busy${tries > 1 ? `; gave up after ${tries} tries` : ''}`, {
      ...details,
      tries,
      hint: busyHint(message ?? response.text, tries),
    });
  }
  if (rc === 301) {
    return handleFailure(handle, `${said}`, { ...details, hint: "this server does not serve that prefix: check the handle's prefix and the server URL" });
  }
  if (response.status >= 300 && response.status < 400) {
    return handleFailure(handle, `${said}: unexpected redirect`, { ...details, hint: 'the server URL may need https:// or a different path' });
  }
  return handleFailure(handle, said, { ...details, hint: message ? 'read the server message above' : 'see the HTTP status and responseCode' });
}
