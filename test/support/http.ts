// HTTP as the tests and benchmarks speak it to a Handle server: B2HANDLE-style Basic headers, one undici
// request with the whole answer, raw request heads over TCP or TLS for request lines no client would send,
// and the check that an answer is a Handle envelope.
import assert from 'node:assert/strict';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { type Agent, request as undiciRequest } from 'undici';

export interface HttpResult {
  status: number;
  /** Header names in lower case; repeated headers (WWW-Authenticate) as arrays. */
  headers: Record<string, string | string[] | undefined>;
  bytes: Buffer;
  text: string;
  /** The body parsed as JSON; throws with the body in the message when it is not JSON. */
  json(): unknown;
}

/**
 * `urllib.parse.quote(text, safe='/')` as B2HANDLE applies it to the user name: UTF-8 bytes, every
 * byte outside `A-Za-z0-9_.-~/` as upper-case `%XX`.
 *
 * @example pythonQuote('300:21.T12995/USER01') // '300%3A21.T12995/USER01'
 */
export function pythonQuote(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += /^[A-Za-z0-9_.\-~/]$/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * The Authorization header a Handle server expects for an HS_SECKEY identity: the user name
 * percent-encoded like Python's quote(safe='/'), the password raw (the server does not decode it).
 *
 * @example basicHeader('300:foo/bar', 'mypassword') // 'Basic MzAwJTNBZm9vL2JhcjpteXBhc3N3b3Jk'
 */
export function basicHeader(user: string, password: string): string {
  return `Basic ${Buffer.from(`${pythonQuote(user)}:${password}`, 'utf8').toString('base64')}`;
}

/** Basic for the reverse look-up realm: Jetty compares name and password exactly as sent. */
export function realmBasicHeader(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

/** One request with undici; never follows redirects, reads the whole body. */
export async function httpRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer | undefined; dispatcher?: Agent },
): Promise<HttpResult> {
  const response = await undiciRequest(url, {
    method: (options.method ?? 'GET') as 'GET',
    headers: options.headers ?? {},
    ...(options.body !== undefined ? { body: options.body } : {}),
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
  });
  const bytes = Buffer.from(await response.body.arrayBuffer());
  const text = bytes.toString('utf8');
  return {
    status: response.statusCode,
    headers: response.headers as Record<string, string | string[] | undefined>,
    bytes,
    text,
    json: () => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new Error(`expected a JSON body, got ${response.statusCode} ${JSON.stringify(text.slice(0, 300))}`);
      }
    },
  };
}

/** A header's values as one list, whether the server sent it once or several times. */
export function headerValues(result: HttpResult, name: string): string[] {
  const value = result.headers[name.toLowerCase()];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

export interface RawAnswer {
  /** 0 when the server closed without an HTTP answer. */
  status: number;
  raw: string;
  body: string;
  json: Record<string, unknown> | undefined;
}

/** Where rawExchange connects: a server's port and the CA its HTTPS certificate comes from. */
export interface RawTarget {
  server: { port: number };
  caPem: string;
}

/** Opens a plain or TLS connection to the server, writes `head` as it is, and reads until the server closes. */
export async function rawExchange(t: RawTarget, scheme: 'http' | 'https', head: string | Buffer, waitMs = 10_000): Promise<RawAnswer> {
  const port = t.server.port;
  const socket = scheme === 'https' ? tls.connect({ port, host: '127.0.0.1', ca: t.caPem, servername: 'localhost' }) : net.connect({ port, host: '127.0.0.1' });
  const chunks: Buffer[] = [];
  return new Promise<RawAnswer>((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no end of answer within ${waitMs} ms; got ${JSON.stringify(Buffer.concat(chunks).toString('latin1').slice(0, 300))}`));
    }, waitMs);
    socket.once(scheme === 'https' ? 'secureConnect' : 'connect', () => socket.write(head));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(parseAnswer(Buffer.concat(chunks).toString('utf8')));
    });
  });
}

function parseAnswer(raw: string): RawAnswer {
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(raw)?.[1] ?? 0);
  const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(body) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status, raw, body, json };
}

/** The body is a Handle envelope: an object with a numeric responseCode first, and a string message if any. */
export function assertHandleEnvelope(response: Pick<HttpResult, 'text' | 'status'>): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(response.text);
  } catch {
    assert.fail(`status ${response.status}: expected a Handle envelope, got ${JSON.stringify(response.text.slice(0, 300))}`);
  }
  assert.ok(body && typeof body === 'object' && !Array.isArray(body), `not an object: ${response.text.slice(0, 300)}`);
  const envelope = body as Record<string, unknown>;
  assert.equal(Object.keys(envelope)[0], 'responseCode', response.text.slice(0, 300));
  assert.equal(typeof envelope.responseCode, 'number');
  if ('message' in envelope) assert.equal(typeof envelope.message, 'string');
  return envelope;
}
