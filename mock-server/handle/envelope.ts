// The one Handle JSON response envelope: responseCode first, then message, then values, then handle
// last (HS 9 key order), and the named constructors for every outcome the API can report.

export interface Envelope {
  httpStatus: number;
  body: Record<string, unknown> | '';
}

/** A Handle-shaped failure: thrown by the service layer, rendered by the routes. */
export class HandleApiError extends Error {
  constructor(
    readonly httpStatus: number,
    readonly responseCode: number,
    message: string | undefined,
    /** The real server only echoes `handle` where the failing request carried one it had parsed. */
    readonly handle?: string,
  ) {
    super(message ?? `Handle response code ${responseCode}`);
    this.detail = message;
  }
  readonly detail: string | undefined;

  toEnvelope(): Envelope {
    return { httpStatus: this.httpStatus, body: envelopeBody(this.responseCode, this.detail, this.handle) };
  }
}

export function envelopeBody(responseCode: number, message?: string, handle?: string, extra?: Record<string, unknown>): Record<string, unknown> {
  const body: Record<string, unknown> = { responseCode };
  if (message !== undefined) body.message = message;
  if (extra) Object.assign(body, extra);
  if (handle !== undefined) body.handle = handle;
  return body;
}

export const Rc = {
  success: 1,
  error: 2,
  serverTooBusy: 3,
  protocolError: 4,
  handleNotFound: 100,
  handleAlreadyExists: 101,
  invalidHandle: 102,
  valuesNotFound: 200,
  valueAlreadyExists: 201,
  invalidValue: 202,
  serverNotResponsible: 301,
  invalidAdmin: 400,
  insufficientPermissions: 401,
  authenticationNeeded: 402,
} as const;

export const fail = {
  /** Bad request entity or parameter; the message keeps the Java exception class the real server shows. */
  protocol: (message: string, httpStatus = 400) => new HandleApiError(httpStatus, Rc.protocolError, message),
  emptyHandle: () => new HandleApiError(400, Rc.invalidHandle, 'Empty handle invalid'),
  invalidHandle: (message: string, handle?: string) => new HandleApiError(400, Rc.invalidHandle, message, handle),
  notHomed: (handle: string) => new HandleApiError(400, Rc.serverNotResponsible, "That prefix doesn't live here", handle),
  notFound: (handle: string) => new HandleApiError(404, Rc.handleNotFound, undefined, handle),
  alreadyExists: (handle: string) => new HandleApiError(409, Rc.handleAlreadyExists, undefined, handle),
  indexConflict: (handle: string, index: number) => new HandleApiError(409, Rc.valueAlreadyExists, `Index conflict for ${index}`, handle),
  invalidValue: (handle: string, message: string) => new HandleApiError(400, Rc.invalidValue, message, handle),
  valuesNotFound: (handle: string) => new HandleApiError(400, Rc.valuesNotFound, undefined, handle),
  noPermission: (handle?: string) => new HandleApiError(403, Rc.invalidAdmin, undefined, handle),
  /** The mock keeps identity names for provisioning; the message says which reservation applies. */
  reservedName: (handle: string, why: string) => new HandleApiError(403, Rc.invalidAdmin, why, handle),
  /** The caller is an admin, but a value allows no one to read (or write) it. */
  insufficientPermissions: (handle?: string) => new HandleApiError(403, Rc.insufficientPermissions, undefined, handle),
  /** The body the real server sends with 401 (HTTPS) or 403 (plain HTTP, where credentials are ignored). */
  authenticationNeeded: (handle: string | undefined, overTls: boolean) => new HandleApiError(overTls ? 401 : 403, Rc.authenticationNeeded, undefined, handle),
  unknownEndpoint: (method: string, path: string) => new HandleApiError(404, Rc.protocolError, `Unknown HTTP API endpoint ${method} ${path}`),
};

/**
 * A record's REST values (a frozen array, the same until the record changes) serialised once: most
 * answers are a whole record, and its JSON is most of a resolve's work.
 */
const valuesJson = new WeakMap<readonly unknown[], string>();

/** The answer's JSON, as `JSON.stringify(body, null, pretty ? 2 : undefined)` writes it. */
export function envelopeJson(body: Record<string, unknown>, pretty: boolean): string {
  const values = body.values;
  if (!pretty && Array.isArray(values) && Object.isFrozen(values) && isRecordAnswer(body)) {
    let json = valuesJson.get(values);
    if (json === undefined) {
      json = JSON.stringify(values);
      valuesJson.set(values, json);
    }
    return `{"responseCode":${JSON.stringify(body.responseCode)},"handle":${JSON.stringify(body.handle)},"values":${json}}`;
  }
  return JSON.stringify(body, null, pretty ? 2 : undefined);
}

const RECORD_ANSWER_KEYS = ['responseCode', 'handle', 'values'];

/** Exactly `{responseCode, handle, values}` in that order, so the fast form writes the same bytes. */
function isRecordAnswer(body: Record<string, unknown>): boolean {
  let position = 0;
  for (const key in body) if (key !== RECORD_ANSWER_KEYS[position++]) return false;
  return position === 3 && typeof body.handle === 'string' && typeof body.responseCode === 'number';
}
