// A class of five on one real `pid-mock serve` process, provisioned through the admin API as a hub
// would: each trainee runs the lesson's flow through the client (src/) with their certificate and
// their password; every trainee against every other trainee's handles and identity, for every write
// and the secret read, is refused and changes nothing; the instructor may do all of it. Then the
// admin API's contract cases (ensure twice, revoke, bad names, wrong tokens).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'undici';
import { unzipSync, strFromU8 } from 'fflate';
import { HandleClient, PIDClientCredentials } from '../../src/index.js';
import { basicHeader } from '../support/http.js';
import { startMockProcess, type MockProcess } from '../support/mock-process.js';
import { temporaryFolder } from '../support/temporary-folders.js';

const PREFIX = '21.T12995';
const NAMES = ['ada', 'Bob', 'carol.k', 'dan_2', 'eve-x'];

interface Bundle {
  name: string;
  handle: string;
  passwordIdentity: string;
  certificateIdentity: string;
  created: boolean;
  files: Record<string, string>;
}

interface Trainee {
  bundle: Bundle;
  password: string;
  folder: string;
  basicAgent: Agent;
  certAgent: Agent;
  /** A handle this trainee registered (personal owner), holding a restricted value at index 3. */
  ownHandle: string;
}

let server: MockProcess;
let work: string;
let instructorAuth: string;
const trainees: Trainee[] = [];
const agents: Agent[] = [];

interface Reply {
  status: number;
  text: string;
  json(): Record<string, unknown>;
}

async function http(method: string, path: string, options: { auth?: string; agent?: Agent; body?: unknown; token?: string } = {}): Promise<Reply> {
  const headers: Record<string, string> = {};
  if (options.auth) headers.authorization = options.auth;
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await request(`${server.httpsUrl}${path}`, {
    method: method as 'GET',
    headers,
    dispatcher: options.agent ?? agents[0]!,
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.body.text();
  return { status: response.statusCode, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

/** The record as the instructor sees it (every value, restricted ones too). */
async function recordOf(handle: string): Promise<unknown> {
  const result = await http('GET', `/api/handles/${handle}?publicOnly=false`, { auth: instructorAuth });
  assert.ok(result.status === 200 || result.status === 404, `instructor reads ${handle}: ${result.status} ${result.text}`);
  return result.status === 404 ? null : result.json().values;
}

before(async () => {
  server = await startMockProcess();
  work = temporaryFolder('pid-class-');
  const { readFileSync } = await import('node:fs');
  const ca = readFileSync(server.caFile, 'utf8');
  agents.push(new Agent({ connect: { ca } }));
  const instructor = JSON.parse(readFileSync(server.instructorCredentialsFile, 'utf8')) as { username: string; password: string };
  instructorAuth = basicHeader(instructor.username, instructor.password);
  for (const name of NAMES) {
    const folder = join(work, name);
    mkdirSync(folder);
    const result = await http('PUT', `/_admin/class/trainees/${name}`, { token: server.adminToken, body: { credentialsFolder: folder } });
    assert.equal(result.status, 201, result.text);
    const bundle = result.json() as unknown as Bundle;
    for (const [file, text] of Object.entries(bundle.files)) writeFileSync(join(folder, file), text);
    const basic = JSON.parse(bundle.files['cred_basic.json']!) as { password: string };
    const basicAgent = new Agent({ connect: { ca } });
    const certAgent = new Agent({ connect: { ca, cert: bundle.files[`${name}_certificate_only.pem`]!, key: bundle.files[`${name}_privkey.pem`]! } });
    agents.push(basicAgent, certAgent);
    trainees.push({ bundle, password: basic.password, folder, basicAgent, certAgent, ownHandle: '' });
  }
});

after(async () => {
  await Promise.all(agents.map((a) => a.close()));
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('a provisioned class of five, through the lesson client', () => {
  test('the bundles name each trainee as the owner and use absolute paths in the credentials folder', () => {
    for (const t of trainees) {
      const cred = JSON.parse(t.bundle.files['cred_file.json']!) as Record<string, string>;
      assert.equal(cred.handleowner, `0:${PREFIX}/${t.bundle.name}`);
      assert.equal(cred.private_key, join(t.folder, `${t.bundle.name}_privkey.pem`));
      assert.equal(cred.certificate_only, join(t.folder, `${t.bundle.name}_certificate_only.pem`));
      assert.equal(cred.HTTPS_verify, join(t.folder, 'ca.pem'));
      assert.equal(t.bundle.passwordIdentity, `300:${PREFIX}/${t.bundle.name}`);
      assert.equal(t.bundle.certificateIdentity, `301:${PREFIX}/${t.bundle.name}`);
    }
  });

  test('each trainee registers, modifies and deletes their own handles with their certificate and their password', async () => {
    const cwd = process.cwd();
    // The credentials work from a folder that is not theirs: the paths inside are absolute.
    process.chdir(tmpdir());
    try {
      for (const t of trainees) {
        for (const file of ['cred_file.json', 'cred_basic.json']) {
          const client = await HandleClient.withCredentials(PIDClientCredentials.loadFromJSON(join(t.folder, file)));
          try {
            const handle = `${PREFIX}/${t.bundle.name}-${file.slice(5, 9)}-${randomUUID()}`;
            await client.registerHandle(handle, 'https://example.org/first', { extraValues: { TYPE: 'file' } });
            const record = await client.retrieveHandleRecordJson(handle);
            const admin = record!.values.find((v) => v.type === 'HS_ADMIN')!;
            assert.deepEqual(
              { handle: (admin.data.value as { handle: string }).handle, index: Number((admin.data.value as { index: unknown }).index) },
              { handle: `${PREFIX}/${t.bundle.name}`, index: 0 },
              'the new handle names the trainee as its administrator',
            );
            await client.modifyHandleValue(handle, { URL: 'https://example.org/moved' });
            assert.equal(await client.getValueFromHandle(handle, 'URL'), 'https://example.org/moved');
            await client.deleteHandleValue(handle, 'TYPE');
            assert.equal(await client.getValueFromHandle(handle, 'TYPE'), null);
            await client.deleteHandle(handle);
            assert.equal(await client.retrieveHandleRecordJson(handle), null);
          } finally {
            await client.close();
          }
        }
        // One handle kept for the matrix below, with a restricted value only its administrators may read.
        const handle = `${PREFIX}/${t.bundle.name}-kept-${randomUUID()}`;
        const client = await HandleClient.withCredentials(PIDClientCredentials.loadFromJSON(join(t.folder, 'cred_basic.json')));
        await client.registerHandle(handle, `https://example.org/${t.bundle.name}`);
        await client.close();
        const restricted = await http('PUT', `/api/handles/${handle}?index=3`, {
          auth: basicHeader(t.bundle.passwordIdentity, t.password),
          agent: t.basicAgent,
          body: { values: [{ index: 3, type: 'SECRET_NOTE', permissions: '1100', data: { format: 'string', value: `restricted-${t.bundle.name}` } }] },
        });
        assert.equal(restricted.status, 201, restricted.text);
        t.ownHandle = handle;
      }
    } finally {
      process.chdir(cwd);
    }
  });
});

type Op = { name: string; path: (target: string) => string; method: string; body?: (target: string) => unknown };

/** Every write a trainee could try on a handle, and the read of restricted values. */
const OPERATIONS: Op[] = [
  { name: 'read restricted values (publicOnly=false)', method: 'GET', path: (h) => `/api/handles/${h}?publicOnly=false` },
  { name: 'read the HS_SECKEY at index 300', method: 'GET', path: (h) => `/api/handles/${h}?index=300` },
  { name: 'add a value', method: 'PUT', path: (h) => `/api/handles/${h}?index=50`, body: () => [{ index: 50, type: 'NOTE', data: 'mine now' }] },
  {
    name: 'overwrite index 300 (the password)',
    method: 'PUT',
    path: (h) => `/api/handles/${h}?index=300&overwrite=true`,
    body: () => [{ index: 300, type: 'HS_SECKEY', permissions: '1100', data: 'hijacked' }],
  },
  {
    name: 'modify the URL',
    method: 'PUT',
    path: (h) => `/api/handles/${h}?index=1&overwrite=true`,
    body: () => [{ index: 1, type: 'URL', data: 'https://evil.example/' }],
  },
  {
    name: 'take over the HS_ADMIN',
    method: 'PUT',
    path: (h) => `/api/handles/${h}?index=100&overwrite=true`,
    body: () => [{ index: 100, type: 'HS_ADMIN', data: { format: 'admin', value: { handle: `0.NA/${PREFIX}`, index: 200, permissions: '011111110011' } } }],
  },
  // Index 100 exists on both kinds of target, so the refusal is about permission, not a missing value.
  { name: 'remove the HS_ADMIN', method: 'DELETE', path: (h) => `/api/handles/${h}?index=100` },
  {
    name: 'replace the whole record',
    method: 'PUT',
    path: (h) => `/api/handles/${h}?overwrite=true`,
    body: (h) => ({ handle: h, values: [{ index: 1, type: 'URL', data: 'https://evil.example/' }] }),
  },
  { name: 'delete the handle', method: 'DELETE', path: (h) => `/api/handles/${h}` },
];

describe('isolation: every trainee against every other trainee', () => {
  test("every write and the secret read on another trainee's handles and identity is refused and changes nothing", async () => {
    let refused = 0;
    for (const attacker of trainees) {
      for (const victim of trainees) {
        if (victim === attacker) continue;
        for (const target of [victim.ownHandle, victim.bundle.handle]) {
          const before = await recordOf(target);
          for (const op of OPERATIONS) {
            for (const via of ['password', 'certificate'] as const) {
              const result = await http(op.method, op.path(target), {
                ...(via === 'password'
                  ? { auth: basicHeader(attacker.bundle.passwordIdentity, attacker.password), agent: attacker.basicAgent }
                  : { auth: 'Handle clientCert="true"', agent: attacker.certAgent }),
                ...(op.body ? { body: op.body(target) } : {}),
              });
              const what = `${attacker.bundle.name} (${via}) tries to ${op.name} of ${target}`;
              const restrictedAbsent = !result.text.includes('restricted-') && !result.text.includes(victim.password);
              if (op.method === 'GET' && result.status === 200) {
                // A read may succeed only when it shows nothing secret.
                assert.ok(restrictedAbsent, `${what}: the secret must be absent, got ${result.text}`);
              } else {
                assert.equal(result.status, 403, `${what}: got ${result.status} ${result.text}`);
                assert.equal(result.json().responseCode, 400, what);
                assert.ok(restrictedAbsent, `${what}: the refusal reveals nothing`);
              }
              refused++;
            }
          }
          assert.deepEqual(await recordOf(target), before, `${target} is exactly as it was after ${attacker.bundle.name}'s attempts`);
        }
      }
    }
    assert.equal(refused, 5 * 4 * 2 * OPERATIONS.length * 2);
  });

  test("a trainee cannot read even their own identity's password: identities are the instructor's", async () => {
    const t = trainees[0]!;
    const result = await http('GET', `/api/handles/${t.bundle.handle}?index=300`, {
      auth: basicHeader(t.bundle.passwordIdentity, t.password),
      agent: t.basicAgent,
    });
    assert.equal(result.status, 403, result.text);
    assert.ok(!result.text.includes(t.password));
    const anonymous = await http('GET', `/api/handles/${t.bundle.handle}`);
    assert.equal(anonymous.status, 200, 'the public values of an identity handle resolve');
    assert.ok(!anonymous.text.includes('HS_SECKEY') && !anonymous.text.includes(t.password), 'the HS_SECKEY is not public');
  });

  test('the instructor may read, change and delete everything', async () => {
    const victim = trainees[1]!;
    const secret = await http('GET', `/api/handles/${victim.bundle.handle}?index=300`, { auth: instructorAuth });
    assert.equal(secret.status, 200, secret.text);
    assert.ok(secret.text.includes(victim.password), "the instructor reads the trainee's password");
    const ops: Array<[string, string, unknown, number]> = [
      ['PUT', `/api/handles/${victim.bundle.handle}?index=302`, [{ index: 302, type: 'HS_SECKEY', permissions: '1100', data: 'second-password' }], 201],
      ['DELETE', `/api/handles/${victim.bundle.handle}?index=302`, undefined, 200],
      ['PUT', `/api/handles/${victim.ownHandle}?index=50`, [{ index: 50, type: 'NOTE', data: 'checked by the instructor' }], 201],
      ['PUT', `/api/handles/${victim.ownHandle}?index=1&overwrite=true`, [{ index: 1, type: 'URL', data: 'https://example.org/fixed' }], 200],
      ['GET', `/api/handles/${victim.ownHandle}?publicOnly=false`, undefined, 200],
      ['DELETE', `/api/handles/${victim.ownHandle}`, undefined, 200],
    ];
    for (const [method, path, body, status] of ops) {
      const result = await http(method, path, { auth: instructorAuth, ...(body !== undefined ? { body } : {}) });
      assert.equal(result.status, status, `${method} ${path}: ${result.text}`);
    }
    assert.equal(await recordOf(victim.ownHandle), null);
  });
});

describe('the class admin API (docs/class-admin-api.md)', () => {
  test('ensure twice: 201 then 200 with the same identities and secrets, and nothing changed', async () => {
    const first = await http('PUT', '/_admin/class/trainees/frank', { token: server.adminToken });
    assert.equal(first.status, 201, first.text);
    const events = (await http('GET', '/_admin/events?limit=10000', { token: server.adminToken })).json().events as unknown[];
    const second = await http('PUT', '/_admin/class/trainees/FRANK', { token: server.adminToken });
    assert.equal(second.status, 200, second.text);
    const a = first.json() as unknown as Bundle;
    const b = second.json() as unknown as Bundle;
    assert.equal(a.created, true);
    assert.equal(b.created, false);
    assert.deepEqual({ ...b, created: true }, a, 'same bundle, byte for byte (names are case-insensitive)');
    assert.deepEqual(Object.keys(a.files).sort(), ['cred_basic.json', 'cred_file.json', 'ca.pem', 'frank_certificate_only.pem', 'frank_privkey.pem'].sort());
    const cred = JSON.parse(a.files['cred_file.json']!) as Record<string, string>;
    assert.equal(cred.private_key, 'frank_privkey.pem', 'without credentialsFolder the paths are bare file names');
    const after = (await http('GET', '/_admin/events?limit=10000', { token: server.adminToken })).json().events as unknown[];
    assert.equal(after.length, events.length, 'the second ensure wrote nothing');
    const read = await http('GET', '/_admin/class/trainees/frank', { token: server.adminToken });
    assert.deepEqual({ ...(read.json() as unknown as Bundle), created: true }, a);
    const list = (await http('GET', '/_admin/class/trainees', { token: server.adminToken })).json().trainees as Array<Record<string, unknown>>;
    const frank = list.find((t) => t.name === 'frank')!;
    assert.deepEqual(Object.keys(frank).sort(), ['certificateIdentity', 'created', 'handle', 'name', 'passwordIdentity', 'revoked']);
    assert.equal(frank.revoked, false);
    assert.ok(!Number.isNaN(Date.parse(String(frank.created))));
    assert.ok(!JSON.stringify(list).includes(JSON.parse(a.files['cred_basic.json']!).password), 'the list holds no secrets');
  });

  test('the zip holds the bundle folder with the printable sheet', async () => {
    const response = await request(`${server.httpsUrl}/_admin/class/trainees/frank/bundle.zip`, {
      headers: { authorization: `Bearer ${server.adminToken}` },
      dispatcher: agents[0]!,
    });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /application\/zip/);
    const entries = unzipSync(new Uint8Array(await response.body.arrayBuffer()));
    assert.deepEqual(
      Object.keys(entries).sort(),
      ['cred_basic.json', 'cred_file.json', 'ca.pem', 'frank_certificate_only.pem', 'frank_privkey.pem', 'sheet.html']
        .map((f) => `pid-handson-frank/${f}`)
        .sort(),
    );
    const cred = JSON.parse(strFromU8(entries['pid-handson-frank/cred_file.json']!)) as Record<string, string>;
    assert.equal(cred.private_key, './frank_privkey.pem', 'a zip is unpacked anywhere: paths relative to the credentials file');
    const sheet = strFromU8(entries['pid-handson-frank/sheet.html']!);
    assert.match(sheet, /300:21\.T12995\/frank/);
    assert.match(sheet, /@page \{ size: A4/);
    assert.ok(sheet.includes(`${server.httpsUrl}/api/handles/`));
  });

  test('revoke: the identity can no longer authenticate, its handles stay, and ensure then answers 409', async () => {
    const bundle = (await http('GET', '/_admin/class/trainees/frank', { token: server.adminToken })).json() as unknown as Bundle;
    const password = (JSON.parse(bundle.files['cred_basic.json']!) as { password: string }).password;
    const auth = basicHeader(bundle.passwordIdentity, password);
    const handle = `${PREFIX}/frank-${randomUUID()}`;
    const created = await http('PUT', `/api/handles/${handle}`, { auth, body: { values: [{ index: 1, type: 'URL', data: 'https://example.org/f' }] } });
    assert.equal(created.status, 201, created.text);
    const revoked = await http('DELETE', '/_admin/class/trainees/frank', { token: server.adminToken });
    assert.equal(revoked.status, 200, revoked.text);
    assert.deepEqual(revoked.json(), { name: 'frank', revoked: true });
    const session = await http('GET', '/api/sessions/this', { auth });
    assert.equal(session.status, 401, 'the password no longer authenticates');
    const ca = (await import('node:fs')).readFileSync(server.caFile, 'utf8');
    const certAgent = new Agent({ connect: { ca, cert: bundle.files['frank_certificate_only.pem']!, key: bundle.files['frank_privkey.pem']! } });
    agents.push(certAgent);
    const byCert = await http('PUT', `/api/handles/${handle}?index=2`, {
      auth: 'Handle clientCert="true"',
      agent: certAgent,
      body: [{ index: 2, type: 'NOTE', data: 'x' }],
    });
    assert.equal(byCert.status, 401, `the certificate no longer authenticates: ${byCert.text}`);
    assert.notEqual(await recordOf(handle), null, "the trainee's handles stay");
    const again = await http('PUT', '/_admin/class/trainees/frank', { token: server.adminToken });
    assert.equal(again.status, 409, again.text);
    assert.match(String(again.json().message), /revoked/);
    const list = (await http('GET', '/_admin/class/trainees', { token: server.adminToken })).json().trainees as Array<Record<string, unknown>>;
    assert.equal(list.find((t) => t.name === 'frank')!.revoked, true);
  });

  test('bad input gets a Handle-shaped 4xx naming what is wrong, and changes nothing', async () => {
    const before = JSON.stringify((await http('GET', '/_admin/class/trainees', { token: server.adminToken })).json());
    const cases: Array<[string, string, { token?: string; body?: unknown }, number, RegExp]> = [
      ['GET', '/_admin/class/trainees', {}, 401, /missing admin token/],
      ['GET', '/_admin/class/trainees', { token: 'not-the-token-at-all' }, 403, /wrong admin token/],
      ['PUT', '/_admin/class/trainees/newbie', { token: 'not-the-token-at-all' }, 403, /wrong admin token/],
      ['PUT', '/_admin/class/trainees/-starts-with-dash', { token: server.adminToken }, 400, /trainee name/],
      ['PUT', `/_admin/class/trainees/${'x'.repeat(41)}`, { token: server.adminToken }, 400, /1 to 40/],
      ['PUT', '/_admin/class/trainees/has%20space', { token: server.adminToken }, 400, /trainee name/],
      [
        'PUT',
        '/_admin/class/trainees/newbie',
        { token: server.adminToken, body: { credentialsFolder: 'relative/dir' } },
        400,
        /credentialsFolder must be an absolute/,
      ],
      ['PUT', '/_admin/class/trainees/newbie', { token: server.adminToken, body: { credentials: '/x' } }, 400, /unknown field/],
      ['PUT', '/_admin/class/trainees/newbie', { token: server.adminToken, body: [1] }, 400, /JSON object/],
      ['GET', '/_admin/class/trainees/nobody', { token: server.adminToken }, 404, /no trainee named "nobody"/],
      ['GET', '/_admin/class/trainees/nobody/bundle.zip', { token: server.adminToken }, 404, /no trainee/],
      ['DELETE', '/_admin/class/trainees/nobody', { token: server.adminToken }, 404, /no trainee/],
    ];
    for (const [method, path, options, status, message] of cases) {
      const result = await http(method, path, options);
      assert.equal(result.status, status, `${method} ${path}: ${result.text}`);
      const body = result.json();
      assert.equal(typeof body.responseCode, 'number', `${method} ${path} is Handle-shaped`);
      assert.match(String(body.message), message, `${method} ${path}`);
    }
    // A PID that happens to have a trainee's name is not turned into an identity.
    const squatter = trainees[0]!;
    const squatted = await http('PUT', `/api/handles/${PREFIX}/squatted`, {
      auth: basicHeader(squatter.bundle.passwordIdentity, squatter.password),
      body: { values: [{ index: 1, type: 'URL', data: 'https://example.org/s' }] },
    });
    assert.equal(squatted.status, 201, squatted.text);
    const record = await recordOf(`${PREFIX}/squatted`);
    const refused = await http('PUT', '/_admin/class/trainees/squatted', { token: server.adminToken });
    assert.equal(refused.status, 409, refused.text);
    assert.match(String(refused.json().message), /already exists and is not an identity/);
    assert.deepEqual(await recordOf(`${PREFIX}/squatted`), record);
    const broken = await request(`${server.httpsUrl}/_admin/class/trainees/newbie`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' },
      body: '{"credentialsFolder": ',
      dispatcher: agents[0]!,
    });
    assert.equal(broken.statusCode, 400);
    assert.equal(((await broken.body.json()) as { responseCode: number }).responseCode, 202);
    assert.equal(JSON.stringify((await http('GET', '/_admin/class/trainees', { token: server.adminToken })).json()), before, 'nothing changed');
  });
});
