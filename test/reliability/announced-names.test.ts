// Issue 21 item 4, the hub's side: hand-chosen names (`carol`) are only reserved once provisioned, and a hub
// provisions a trainee at their first login — a trainee spawned earlier could take `21.T12995/carol` in
// between. The hub therefore announces its whole roster to the mock (`pid-mock serve --reserve`, the
// PID_MOCK_RESERVED_NAMES its jupyterhub_config.py sets): a real server process refuses those names from
// the first request on, any case, and provisions them afterwards as usual.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { assertHandleEnvelope, basicHeader, httpRequest } from '../support/http.js';
import { spawnServer, type ServerProcess } from '../support/mock-process.js';
import { PID_MOCK_BIN, ROOT } from '../support/paths.js';
import { temporaryFolder } from '../support/temporary-folders.js';

const PREFIX = '21.T12995';
let server: ServerProcess;

before(async () => {
  server = await spawnServer(temporaryFolder('pid-announced-names-'), { PID_MOCK_RESERVED_NAMES: 'carol, dave.k' });
});

after(async () => {
  await server?.kill('SIGTERM');
});

const create = (name: string) =>
  httpRequest(`${server.httpsUrl}/api/handles/${PREFIX}/${name}?overwrite=false`, {
    method: 'PUT',
    headers: { authorization: server.traineeAuthorization, 'content-type': 'application/json' },
    body: JSON.stringify({ values: [{ index: 1, type: 'URL', data: { format: 'string', value: 'https://example.org/squat' } }] }),
    dispatcher: server.agent,
  });

for (const name of ['carol', 'CAROL', 'Dave.K']) {
  test(`a trainee creating ${PREFIX}/${name}, announced but not yet provisioned, is refused with the reason`, async () => {
    const squat = await create(name);
    assert.equal(squat.status, 403, squat.text);
    const envelope = assertHandleEnvelope(squat);
    assert.equal(envelope.responseCode, 400);
    assert.match(String(envelope.message), /is reserved: it is the identity handle of a trainee on this server/);
  });
}

test('a name nobody announced stays free', async () => {
  assert.equal((await create('erin')).status, 201);
});

test('the announced trainee is provisioned afterwards and logs in', async () => {
  const provisioned = await httpRequest(`${server.httpsUrl}/_admin/class/trainees/carol`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${server.adminToken}` },
    dispatcher: server.agent,
  });
  assert.equal(provisioned.status, 201, provisioned.text);
  const bundle = JSON.parse(provisioned.text) as { passwordIdentity: string; files: Record<string, string> };
  const basic = JSON.parse(bundle.files['cred_basic.json']!) as { username: string; password: string };
  const session = await httpRequest(`${server.httpsUrl}/api/sessions/this`, {
    headers: { authorization: basicHeader(basic.username, basic.password) },
    dispatcher: server.agent,
  });
  assert.deepEqual(JSON.parse(session.text), { authenticated: true, id: bundle.passwordIdentity });
});

test('an announced name that is no trainee name stops the server at once, naming it', async () => {
  const child = spawn(process.execPath, [PID_MOCK_BIN, 'serve', '--memory', '--port', '0', '--reserve', 'carol,../x'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  assert.equal(code, 2);
  assert.match(stderr, /--reserve: "\.\.\/x" is not a trainee name/);
});
