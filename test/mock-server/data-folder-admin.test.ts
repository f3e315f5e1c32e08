// `pid-mock prefix add` and `pid-mock identity add --cert` on a data folder, used by a running server.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { Agent, request } from 'undici';
import { startMockProcess, type MockProcess } from '../support/mock-process.js';
import { PID_MOCK_BIN, ROOT } from '../support/paths.js';
import { temporaryFolder } from '../support/temporary-folders.js';

const run = (args: string[]) => promisify(execFile)(process.execPath, [PID_MOCK_BIN, ...args], { cwd: ROOT });
let server: MockProcess;

before(async () => {
  server = await startMockProcess();
});
after(async () => {
  await server?.stop();
});

test('prefix add homes a new prefix with its prefix handle, and the instructor can create handles there', async () => {
  // Asked first, so the running server has looked at its homed prefixes before another process adds one.
  const before = await request(`${server.httpUrl}/api/handles/21.T99999/first`);
  assert.equal(before.statusCode, 400);
  assert.equal(((await before.body.json()) as { responseCode: number }).responseCode, 301);
  const { stdout } = await run(['prefix', 'add', '21.T99999', '--data', server.dataDir]);
  assert.equal(JSON.parse(stdout).prefixHandle, '0.NA/21.T99999');
  const instructor = JSON.parse(readFileSync(server.instructorCredentialsFile, 'utf8')) as { username: string; password: string };
  const agent = new Agent({ connect: { ca: readFileSync(server.caFile) } });
  const user = encodeURIComponent(instructor.username);
  const put = await request(`${server.httpsUrl}/api/handles/21.T99999/first`, {
    method: 'PUT',
    dispatcher: agent,
    headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${user}:${instructor.password}`).toString('base64')}` },
    body: JSON.stringify({ values: [{ index: 1, type: 'URL', data: 'http://x' }] }),
  });
  assert.equal(put.statusCode, 201, await put.body.text());
  await agent.close();
});

test('identity add --cert issues a client certificate that authenticates as the new identity', async () => {
  const certDir = temporaryFolder('certs-');
  const { stdout } = await run(['identity', 'add', '301:21.T12995/USER07', '--cert', certDir, '--admin-of', '21.T12995', '--data', server.dataDir]);
  const issued = JSON.parse(stdout) as { certificate: string; privateKey: string };
  const agent = new Agent({ connect: { ca: readFileSync(server.caFile), cert: readFileSync(issued.certificate), key: readFileSync(issued.privateKey) } });
  const whoami = await request(`${server.httpsUrl}/api/sessions/this`, { dispatcher: agent, headers: { authorization: 'Handle clientCert="true"' } });
  assert.deepEqual(await whoami.body.json(), { authenticated: true, id: '301:21.T12995/USER07' });
  const put = await request(`${server.httpsUrl}/api/handles/21.T12995/by-user07`, {
    method: 'PUT',
    dispatcher: agent,
    headers: { 'content-type': 'application/json', authorization: 'Handle clientCert="true"' },
    body: JSON.stringify({ values: [{ index: 1, type: 'URL', data: 'http://x' }] }),
  });
  assert.equal(put.statusCode, 201);
  await put.body.dump();
  await agent.close();
});

test('identity add refuses a malformed identity with a one-line message and no stack trace', async () => {
  await assert.rejects(run(['identity', 'add', 'USER08', '--data', server.dataDir]), (error: { code: number; stderr: string }) => {
    assert.equal(error.code, 1);
    assert.match(error.stderr, /^pid-mock: identity must look like 300:21\.T12995\/USER02/);
    assert.doesNotMatch(error.stderr, /\n\s+at /);
    return true;
  });
});
