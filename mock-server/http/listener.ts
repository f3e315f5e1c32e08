// The one port that speaks HTTP and HTTPS (httpolyglot), with every connection timeout armed: the
// HTTP server inside the splitter never listens itself, so Node would otherwise never start the checks
// that close a client sending headers one byte at a time or an idle or half-finished TLS connection.
import type { Server, IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Server as TlsServer, TLSSocket } from 'node:tls';
import * as httpolyglot from '@httptoolkit/httpolyglot';
import { refuseConnect } from './client-errors.js';

export interface ConnectionTimeouts {
  /** Whole request head (request line and headers) must arrive within this; slowloris ends here. */
  headersMs: number;
  /** Whole request, body included. */
  requestMs: number;
  /** A connection with no traffic at all (before the first byte, or between bytes) is closed. */
  idleMs: number;
  /** How long a kept-alive connection waits for its next request. */
  keepAliveMs: number;
  /** TLS handshake must finish within this. */
  handshakeMs: number;
}

export const DEFAULT_TIMEOUTS: ConnectionTimeouts = {
  headersMs: 20_000,
  requestMs: 60_000,
  idleMs: 60_000,
  keepAliveMs: 5_000,
  handshakeMs: 10_000,
};

/** The largest request head accepted (Node's default); beyond it the answer is 431, over HTTP and TLS alike. */
export const MAX_HEADER_BYTES = 16 * 1024;

const ENV_NAMES: Record<keyof ConnectionTimeouts, string> = {
  headersMs: 'PID_MOCK_HEADERS_TIMEOUT_MS',
  requestMs: 'PID_MOCK_REQUEST_TIMEOUT_MS',
  idleMs: 'PID_MOCK_IDLE_TIMEOUT_MS',
  keepAliveMs: 'PID_MOCK_KEEPALIVE_TIMEOUT_MS',
  handshakeMs: 'PID_MOCK_HANDSHAKE_TIMEOUT_MS',
};

/**
 * Timeouts from `PID_MOCK_*_TIMEOUT_MS` variables over the defaults (tests use short ones), checked so
 * that a typo fails the start with the variable's name rather than disabling a timeout.
 */
export function timeoutsFromEnv(env: NodeJS.ProcessEnv = process.env, base: ConnectionTimeouts = DEFAULT_TIMEOUTS): ConnectionTimeouts {
  const result = { ...base };
  for (const [key, name] of Object.entries(ENV_NAMES) as Array<[keyof ConnectionTimeouts, string]>) {
    const text = env[name];
    if (text === undefined || text === '') continue;
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a whole number of milliseconds (at least 1), not "${text}"`);
    result[key] = value;
  }
  // Node requires headers to be due no later than the whole request.
  if (result.headersMs > result.requestMs) result.requestMs = result.headersMs;
  return result;
}

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

interface PolyglotInternals {
  _httpServer: Server;
  _http2Server: { setTimeout(ms: number): void };
  _tlsServer: TlsServer;
}

/** The TCP socket a TLS socket was made from (the splitter hands TLS a socket it has already read from). */
function parentOf(socket: TLSSocket): Socket | undefined {
  return (socket as TLSSocket & { _parent?: Socket })._parent;
}

/** The splitter for Fastify's `serverFactory`, TLS and HTTP both bounded by `timeouts`. */
export function createPolyglotServer(tls: { keyPem: string; certPem: string }, timeouts: ConnectionTimeouts, handler: Handler): Server {
  const polyglot = httpolyglot.createServer(
    {
      tls: { key: tls.keyPem, cert: tls.certPem, requestCert: true, rejectUnauthorized: false, handshakeTimeout: timeouts.handshakeMs },
      http: {
        headersTimeout: timeouts.headersMs,
        requestTimeout: timeouts.requestMs,
        keepAliveTimeout: timeouts.keepAliveMs,
        maxHeaderSize: MAX_HEADER_BYTES,
        // Node checks the two request timeouts on this period; it bounds how late a slow client is cut.
        connectionsCheckingInterval: Math.max(100, Math.min(1_000, Math.floor(timeouts.headersMs / 4))),
      },
    },
    handler,
  );
  const inner = (polyglot as unknown as PolyglotInternals)._httpServer;
  inner.setTimeout(timeouts.idleMs);
  inner.on('connect', (request: IncomingMessage, socket: Socket) => refuseConnect(request, socket));
  (polyglot as unknown as PolyglotInternals)._http2Server.setTimeout(timeouts.idleMs);
  // What `listen` would do for a server of its own: start tracking connections against the two request
  // timeouts. Emitted here, before Fastify subscribes to the splitter, so only Node's own listener runs.
  inner.emit('listening');
  polyglot.on('close', () => stopConnectionChecks(inner));

  // Node's TLS socket does not close the TCP socket under it when it wraps one that was already read
  // from: a handshake timeout or an idle timeout would end TLS and leave the connection open forever.
  const tlsServer = (polyglot as unknown as PolyglotInternals)._tlsServer;
  tlsServer.on('tlsClientError', (_error: Error, socket: TLSSocket) => {
    socket.destroy();
    parentOf(socket)?.destroy();
  });
  tlsServer.on('secureConnection', (socket: TLSSocket) => {
    socket.once('close', () => parentOf(socket)?.destroy());
    // A TLS client that offered no ALPN is sniffed again before it reaches the HTTP server, so silence
    // right after the handshake needs the idle timeout here (the HTTP server re-arms the same timer).
    socket.setTimeout(timeouts.idleMs, () => socket.destroy());
  });

  // A socket that never sends its first byte is never handed to the HTTP or TLS server, so no timeout
  // above reaches it; it gets the idle timeout here. Sockets that have been handed over are left alone
  // (this listener is also called for them, because the splitter forwards its listeners).
  polyglot.on('connection', (socket: Socket) => {
    if (socket.bytesRead > 0 || (socket as Partial<{ encrypted: boolean }>).encrypted) return;
    // Node's own HTTP server turns Nagle's algorithm off; the splitter's plain net.Server does not. With it
    // on, an answer written in two pieces (TLS writes headers and body as separate records) waits for the
    // client's delayed ACK: up to 40 ms on every write a client waits for.
    socket.setNoDelay(true);
    const timer = setTimeout(() => {
      if (socket.bytesRead === 0) socket.destroy();
    }, timeouts.idleMs);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  });
  return polyglot as unknown as Server;
}

/** Node clears its connection-checking interval in `close`, which the never-listening inner server never gets. */
function stopConnectionChecks(server: Server): void {
  for (const symbol of Object.getOwnPropertySymbols(server)) {
    if (symbol.description === 'http.server.connectionsCheckingInterval') {
      clearInterval((server as unknown as Record<symbol, NodeJS.Timeout>)[symbol]);
    }
  }
}
