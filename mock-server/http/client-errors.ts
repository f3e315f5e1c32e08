// Answers for requests Node cannot even parse (bad request line, unknown method, oversized head, a
// client too slow to send its headers): in the Handle envelope under /api, as every other API error.
import type { Socket } from 'node:net';
import { Rc } from '../handle/envelope.js';
import { errorEnvelopeText } from './handle-replies.js';

interface ClientError extends Error {
  code?: string;
  rawPacket?: unknown;
}

const REASONS: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

/** Status and a sentence saying what was wrong, from llhttp's error code. */
function describe(error: ClientError): { status: number; message: string } {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return { status: 431, message: 'the request line and headers are larger than the server accepts (16 KB); send a shorter URL or fewer headers' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, message: 'the request did not arrive in time; the connection is closed' };
    case 'HPE_INVALID_METHOD':
      return { status: 400, message: 'unknown HTTP method in the request line' };
    case 'HPE_INVALID_URL':
      return { status: 400, message: 'the request target is not a valid URL (spaces and control characters must be percent-encoded)' };
    case 'HPE_INVALID_CONSTANT':
      return { status: 400, message: 'the request line is malformed (spaces in the URL must be percent-encoded as %20, and the line must end in HTTP/1.1)' };
    case 'HPE_INVALID_VERSION':
      return { status: 400, message: 'the request line does not end in a valid HTTP version such as HTTP/1.1' };
    case 'HPE_INVALID_HEADER_TOKEN':
      return { status: 400, message: 'a header name holds a character that is not allowed there' };
    case 'HPE_INVALID_CONTENT_LENGTH':
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
      return { status: 400, message: 'the Content-Length header is not a valid length' };
    default:
      return { status: 400, message: `the request could not be parsed as HTTP/1.1 (${error.code ?? 'unknown error'})` };
  }
}

/** The path of the request line when the raw bytes show one; undefined when nothing can be read. */
function requestPath(raw: unknown): string | undefined {
  if (!Buffer.isBuffer(raw)) return undefined;
  const firstLine = raw.subarray(0, 4096).toString('latin1').split('\r\n')[0] ?? '';
  // Over TLS the packet may be a later record of a long head, not its request line: then nothing is known.
  return /^[A-Z][A-Z-]* +(\/\S*)/.exec(firstLine)?.[1];
}

const answered = new WeakSet<Socket>();

/**
 * Fastify's `clientErrorHandler`: writes the answer and then ends the socket gracefully. Fastify's own
 * handler destroys it right after writing, which over TLS discards the still-encrypting answer, so a
 * TLS client with a 20 KB URL saw the connection close with nothing.
 */
export function answerClientError(error: ClientError, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed || answered.has(socket)) return;
  answered.add(socket);
  // A response already under way on this connection cannot be followed by another one.
  const busy = (socket as Socket & { _httpMessage?: unknown })._httpMessage;
  if (socket.writable && !busy) {
    const { status, message } = describe(error);
    const path = requestPath(error.rawPacket);
    const api = path === undefined || path.startsWith('/api');
    const body = api ? errorEnvelopeText(Rc.protocolError, `java.lang.Exception: ${message}`) : `${message}\n`;
    const type = api ? 'application/json;charset=utf-8' : 'text/plain;charset=utf-8';
    socket.end(
      `HTTP/1.1 ${status} ${REASONS[status]}\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`,
    );
  } else {
    socket.end();
  }
  // The client may keep sending; it gets a moment to read the answer, then the socket goes.
  socket.resume();
  setTimeout(() => socket.destroy(), 2_000).unref();
}

/**
 * Node hands CONNECT to a 'connect' listener and, without one, drops the connection silently; this
 * mock is no proxy, so the client is told so.
 */
export function refuseConnect(request: { url?: string | undefined }, socket: Socket): void {
  if (answered.has(socket)) return;
  answered.add(socket);
  const body = errorEnvelopeText(Rc.protocolError, `java.lang.Exception: CONNECT ${request.url ?? ''} is not supported: this server is not a proxy`);
  socket.on('error', () => undefined);
  socket.end(
    `HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, HEAD, PUT, DELETE, POST, OPTIONS\r\nContent-Type: application/json;charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\n${body}`,
  );
  setTimeout(() => socket.destroy(), 2_000).unref();
}
