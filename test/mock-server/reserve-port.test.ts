// The port a `pid-mock serve --port 0` reserves while it provisions: a client that connects to it meanwhile
// (one still trying a server that had the port before) must not keep the server from starting. Before
// this was fixed, such a connection held the reservation's close() open and the start hung before "ready".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { reservePort } from '../../mock-server/server.js';

test('a client connected to the reserved port is dropped, and the reservation is released at once', async () => {
  const reserved = await reservePort('127.0.0.1');
  const client = connect(reserved.port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => client.once('connect', resolve).once('error', reject));
  const closedByServer = new Promise<void>((resolve) => client.once('close', () => resolve()));
  const released = await Promise.race([
    reserved.release().then(() => 'released'),
    new Promise((resolve) => setTimeout(() => resolve('still held after 5 s'), 5_000).unref()),
  ]);
  assert.equal(released, 'released');
  await closedByServer;
  client.destroy();
});
