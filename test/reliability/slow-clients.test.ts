// Slow and idle clients over plain HTTP and TLS on the one port: each is closed by the server within
// its configured timeout (short ones here) while another client keeps being served throughout.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { startTestServer, type TestServer } from '../support/mock-server.js';
import type { ConnectionTimeouts } from '../../mock-server/http/listener.js';

const TIMEOUTS: ConnectionTimeouts = { headersMs: 1_000, requestMs: 2_000, idleMs: 1_500, keepAliveMs: 700, handshakeMs: 1_000 };
/** Node checks the request timeouts on a period (a quarter of headersMs here); this covers that and a loaded machine. */
const SLACK_MS = 2_500;

let t: TestServer;
before(async () => {
  t = await startTestServer({ timeouts: TIMEOUTS });
});
after(async () => t.close());

interface Closed {
  afterMs: number;
  answer: string;
}

async function open(scheme: 'http' | 'https'): Promise<net.Socket> {
  const port = t.server.port;
  const socket = scheme === 'https' ? tls.connect({ port, host: '127.0.0.1', ca: t.caPem, servername: 'localhost' }) : net.connect({ port, host: '127.0.0.1' });
  socket.on('error', () => undefined);
  await new Promise((resolve) => socket.once(scheme === 'https' ? 'secureConnect' : 'connect', resolve));
  return socket;
}

/** Runs `feed` on the socket until the server closes it; fails when the server holds it past `limitMs`. */
function closedByServer(socket: net.Socket, limitMs: number, feed?: (socket: net.Socket) => void, everyMs = 150): Promise<Closed> {
  const started = Date.now();
  let answer = '';
  socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
  const feeder = feed ? setInterval(() => !socket.destroyed && feed(socket), everyMs) : undefined;
  return new Promise<Closed>((resolve, reject) => {
    const guard = setTimeout(() => {
      clearInterval(feeder);
      socket.destroy();
      reject(new Error(`the server still held the connection after ${limitMs} ms`));
    }, limitMs);
    socket.once('close', () => {
      clearTimeout(guard);
      clearInterval(feeder);
      resolve({ afterMs: Date.now() - started, answer });
    });
  });
}

/** Another client asking every 100 ms while a slow one is held; every answer must be a 200. */
function keepServing(): { stop(): Promise<number> } {
  let running = true;
  let served = 0;
  const loop = (async () => {
    while (running) {
      const response = await t.request({ path: '/api/site', scheme: 'http' });
      assert.equal(response.status, 200);
      served += 1;
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return served;
    },
  };
}

describe('slow clients are closed within the configured timeouts', { concurrency: true }, () => {
  for (const scheme of ['http', 'https'] as const) {
    test(`slowloris over ${scheme}: headers one line at a time are cut at headersMs with a 408`, async () => {
      const other = keepServing();
      const socket = await open(scheme);
      socket.write('GET /api/site HTTP/1.1\r\nHost: x\r\n');
      let n = 0;
      const closed = await closedByServer(socket, TIMEOUTS.headersMs + SLACK_MS, (s) => {
        n += 1;
        s.write(`X-Slow-${n}: y\r\n`);
      });
      const served = await other.stop();
      assert.ok(closed.afterMs >= TIMEOUTS.headersMs * 0.9, `closed too early, after ${closed.afterMs} ms`);
      assert.match(closed.answer, /^HTTP\/1\.1 408 /);
      assert.match(closed.answer, /"responseCode":4/);
      assert.ok(served > 3, `the other client was served ${served} times`);
    });

    test(`a slow body over ${scheme} is cut at requestMs`, async () => {
      const socket = await open(scheme);
      socket.write('PUT /api/handles/21.T12995/SLOW HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{');
      const closed = await closedByServer(socket, TIMEOUTS.requestMs + SLACK_MS, (s) => s.write(' '));
      assert.ok(closed.afterMs >= TIMEOUTS.requestMs * 0.9, `closed after ${closed.afterMs} ms`);
    });

    test(`an idle kept-alive connection over ${scheme} is closed after keepAliveMs`, async () => {
      const socket = await open(scheme);
      socket.write('GET /api/site HTTP/1.1\r\nHost: x\r\n\r\n');
      const closed = await closedByServer(socket, TIMEOUTS.keepAliveMs + SLACK_MS);
      assert.match(closed.answer, /^HTTP\/1\.1 200 /);
    });
  }

  test('a TCP connection that never sends a byte is closed after idleMs', async () => {
    const other = keepServing();
    const socket = await open('http');
    const closed = await closedByServer(socket, TIMEOUTS.idleMs + SLACK_MS);
    await other.stop();
    assert.ok(closed.afterMs >= TIMEOUTS.idleMs * 0.9, `closed after ${closed.afterMs} ms`);
    assert.equal(closed.answer, '');
  });

  test('a TLS handshake that stops half-way is closed after handshakeMs', async () => {
    const socket = await open('http');
    // The first bytes of a TLS ClientHello record, then nothing.
    socket.write(Buffer.from([0x16, 0x03, 0x01, 0x00, 0xc8, 0x01, 0x00]));
    const closed = await closedByServer(socket, TIMEOUTS.handshakeMs + SLACK_MS);
    assert.ok(closed.afterMs >= TIMEOUTS.handshakeMs * 0.9, `closed after ${closed.afterMs} ms`);
  });

  test('a TLS connection that says nothing after its handshake is closed after idleMs', async () => {
    const socket = await open('https');
    const closed = await closedByServer(socket, TIMEOUTS.headersMs + TIMEOUTS.idleMs + SLACK_MS);
    assert.ok(closed.afterMs >= Math.min(TIMEOUTS.headersMs, TIMEOUTS.idleMs) * 0.9, `closed after ${closed.afterMs} ms`);
  });
});
