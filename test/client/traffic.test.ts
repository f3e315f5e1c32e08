// The client's requests on the wire, recorded by an injected dispatcher: the same method, path, query
// and headers as B2HANDLE sends (protocol reference §5), so a real Handle server sees familiar traffic.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Agent, type Dispatcher } from 'undici';
import { handleBasicAuthorization, HandleClient, PIDClientCredentials } from '../../src/index.js';
import { startMockProcess, type MockProcess } from '../support/mock-process.js';
import { ROOT } from '../support/paths.js';
import { DEFAULT_USER_AGENT } from '../../src/transport/dispatcher.js';

interface Recorded {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | undefined;
}

let server: MockProcess;
let agent: Agent;
let recorded: Recorded[] = [];
let client: HandleClient;

function normaliseHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(headers)) for (let i = 0; i < headers.length; i += 2) out[String(headers[i]).toLowerCase()] = String(headers[i + 1]);
  else if (headers && typeof headers === 'object') for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = String(v);
  return out;
}

before(async () => {
  server = await startMockProcess();
  const basic = PIDClientCredentials.loadFromJSON(server.basicCredentialsFile);
  agent = new Agent({ connect: { ca: readFileSync(server.caFile) } });
  const recording: Dispatcher = agent.compose((dispatch) => (options, handler) => {
    recorded.push({
      method: options.method,
      path: options.path,
      headers: normaliseHeaders(options.headers),
      body: typeof options.body === 'string' ? options.body : undefined,
    });
    return dispatch(options, handler);
  });
  client = await HandleClient.withCredentials(basic, { dispatcher: recording });
});

after(async () => {
  await client.close();
  await agent.close();
  await server.stop();
});

test('the password client checks its identity handle with one GET when it is built', () => {
  assert.equal(recorded.length, 1);
  assert.equal(recorded[0]!.method, 'GET');
  assert.equal(recorded[0]!.path, '/api/handles/21.T12995/USER01');
  // B2HANDLE sends python-requests' User-Agent; this client names itself so server logs can tell them apart.
  assert.deepEqual(recorded[0]!.headers, { accept: 'application/json', 'user-agent': DEFAULT_USER_AGENT });
});

test("registerHandle sends one PUT with overwrite=false (no GET first: the server checks atomically), Basic auth and B2HANDLE's value layout", async () => {
  recorded = [];
  const basic = PIDClientCredentials.loadFromJSON(server.basicCredentialsFile);
  await client.registerHandle('21.T12995/traffic-1', 'http://foo.bar', {
    checksum: '123456',
    additionalUrls: ['http://bar.bar', 'http://foo.foo'],
    extraValues: { FOO: 'foo', BAR: 'bar' },
  });
  assert.deepEqual(
    recorded.map((r) => `${r.method} ${r.path}`),
    ['PUT /api/handles/21.T12995/traffic-1?overwrite=false'],
  );
  const put = recorded[0]!;
  assert.equal(put.headers.authorization, handleBasicAuthorization(basic.username!, basic.config.password!));
  assert.equal(put.headers['content-type'], 'application/json');
  assert.deepEqual(JSON.parse(put.body!), {
    values: [
      { index: 100, type: 'HS_ADMIN', data: { format: 'admin', value: { handle: '0.NA/21.T12995', index: 200, permissions: '011111110011' } } },
      { index: 1, type: 'URL', data: 'http://foo.bar' },
      { index: 2, type: 'CHECKSUM', data: '123456' },
      { index: 3, type: 'FOO', data: 'foo' },
      { index: 4, type: 'BAR', data: 'bar' },
      { index: 5, type: '10320/LOC', data: '<locations><location id="0" href="http://bar.bar" /><location id="1" href="http://foo.foo" /></locations>' },
    ],
  });
});

test('modifyHandleValue sends one PUT with ?index= for each changed or new value and overwrite=true', async () => {
  recorded = [];
  await client.modifyHandleValue('21.T12995/traffic-1', { FOO: 'new-foo', NEW: 'value' });
  assert.deepEqual(
    recorded.map((r) => `${r.method} ${r.path}`),
    ['GET /api/handles/21.T12995/traffic-1', 'PUT /api/handles/21.T12995/traffic-1?index=3&index=6&overwrite=true'],
  );
  const values = JSON.parse(recorded[1]!.body!).values as Array<{ index: number; type: string; data: unknown }>;
  assert.deepEqual(
    values.map((v) => [v.index, v.type, v.data]),
    [
      [3, 'FOO', 'new-foo'],
      [6, 'NEW', 'value'],
    ],
  );
});

test('deleteHandleValue sends DELETE with the indexes and no body; nothing to delete sends nothing', async () => {
  recorded = [];
  await client.deleteHandleValue('21.T12995/traffic-1', ['FOO', 'BAR']);
  assert.deepEqual(
    recorded.map((r) => `${r.method} ${r.path}`),
    ['GET /api/handles/21.T12995/traffic-1', 'DELETE /api/handles/21.T12995/traffic-1?index=3&index=4'],
  );
  assert.equal(recorded[1]!.body, undefined);
  assert.equal(recorded[1]!.headers['content-type'], undefined);
  recorded = [];
  await client.deleteHandleValue('21.T12995/traffic-1', 'NOT_THERE');
  assert.deepEqual(
    recorded.map((r) => r.method),
    ['GET'],
    'an index-less DELETE would remove the whole handle',
  );
});

test('searchHandle sends the realm credentials as they are and keeps * readable', async () => {
  recorded = [];
  await client.searchHandle({ URL: 'irods:*', CHECKSUM: 'a&b' });
  assert.equal(recorded.length, 1);
  assert.equal(recorded[0]!.path, '/hrls/handles?URL=irods%3A*&CHECKSUM=a%26b');
  const basic = PIDClientCredentials.loadFromJSON(server.basicCredentialsFile);
  const expected = `Basic ${Buffer.from(`${basic.config.reverselookup_username}:${basic.config.reverselookup_password}`).toString('base64')}`;
  assert.equal(recorded[0]!.headers.authorization, expected);
});

test('the Basic header encodes the user name as B2HANDLE does and leaves the password raw', () => {
  assert.equal(handleBasicAuthorization('300:foo/bar', 'mypassword'), 'Basic MzAwJTNBZm9vL2JhcjpteXBhc3N3b3Jk');
  assert.equal(handleBasicAuthorization('100:user/name', 'password123'), 'Basic MTAwJTNBdXNlci9uYW1lOnBhc3N3b3JkMTIz');
  assert.equal(Buffer.from(handleBasicAuthorization('300:a/b', 'p@ss word').slice(6), 'base64').toString(), '300%3Aa/b:p@ss word');
});

test('a password with spaces and symbols works against the server', async () => {
  const { execFile } = await import('node:child_process');
  const { promisify } = await import('node:util');
  const password = 'p@ss wörd:%41&"';
  await promisify(execFile)(
    process.execPath,
    ['bin/pid-mock.cjs', 'identity', 'add', '300:21.T12995/SYMBOLS', '--password', password, '--admin-of', '21.T12995', '--data', server.dataDir],
    { cwd: ROOT },
  );
  const symbols = await HandleClient.withUsernameAndPassword(server.httpsUrl, '300:21.T12995/SYMBOLS', password, { httpsVerify: server.caFile });
  const pid = await symbols.generateAndRegisterHandle('21.T12995', 'http://example.org/symbols');
  assert.equal(await symbols.getValueFromHandle(pid, 'URL'), 'http://example.org/symbols');
  await symbols.close();
});
