// Shared by the reliability suite: raw request heads over plain TCP or TLS (for request lines no HTTP
// client would send), the Handle-envelope check, and the SQLite integrity check of a data folder.
import assert from 'node:assert/strict';
import * as net from 'node:net';
import * as tls from 'node:tls';
import type { HttpResult, TestServer } from '../support/mock-server.js';

export interface RawAnswer {
  /** 0 when the server closed without an HTTP answer. */
  status: number;
  raw: string;
  body: string;
  json: Record<string, unknown> | undefined;
}

/** Opens a plain or TLS connection to the server, writes `head` as it is, and reads until the server closes. */
export async function rawExchange(t: Pick<TestServer, 'server' | 'caPem'>, scheme: 'http' | 'https', head: string | Buffer, waitMs = 10_000): Promise<RawAnswer> {
  const port = t.server.port;
  const socket =
    scheme === 'https'
      ? tls.connect({ port, host: '127.0.0.1', ca: t.caPem, servername: 'localhost' })
      : net.connect({ port, host: '127.0.0.1' });
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
