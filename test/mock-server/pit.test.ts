// The typed-PID services on a real `pid-mock serve` process over real HTTP: the Data Type Registry's types
// and profiles resolve through the resolver and the REST API under their real PIDs (21.T11148, which no
// trainee may write), and POST /api/v1/pit/pid/ validates a typed record against its profile and the
// types' schemas before it registers it under the trainee's prefix, or refuses it naming attribute and rule.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Agent } from 'undici';
import { basicHeader, httpRequest, type HttpResult } from '../support/http.js';
import { startMockProcess, type MockProcess } from '../support/mock-process.js';
import { startMockServer } from '../../mock-server/server.js';
import { HandleStore } from '../../mock-server/storage/store.js';
import { dataFolderLayout } from '../../mock-server/data-folder/layout.js';
import { removeTemporaryFolder, temporaryFolder } from '../support/temporary-folders.js';
import { buildApp } from '../../mock-server/app.js';
import { createCertificateAuthority, issueServerCertificate } from '../../mock-server/data-folder/certificates.js';
import { seedRecords } from '../../mock-server/fixtures/seed-records.js';
import { applyRecords } from '../../mock-server/data-folder/provisioning.js';

const KIP = '21.T11148/076759916209e5d62bd5';
const OBJECT_TYPE = '21.T11148/1c699a5d1b4ad3ba4956';
const LOCATION = '21.T11148/b8457812905b83046284';
const DATE_CREATED = '21.T11148/aafd5fb4c7222e2d950a';
const LICENSE = '21.T11148/2f314c8fe5fb6a0063a8';
const CHECKSUM = '21.T11148/82e2503c49209e987740';
const HELMHOLTZ_KIP = '21.T11148/b9b76f887845e32d29f7';
const RDA_KIP = '21.T11148/0c5636e4d82b88f86132';
const TYPES = [KIP, OBJECT_TYPE, LOCATION, DATE_CREATED, LICENSE, CHECKSUM];

let server: MockProcess;
let agent: Agent;
let traineeAuth: string;
let prefix: string;

/** The lesson's CSV file as a record under the Helmholtz KIP; `changes` replaces (or with null removes) attributes. */
function surveysRecord(changes: Record<string, string | string[] | null> = {}): { entries: Record<string, Array<{ key: string; value: string }>> } {
  const attributes: Record<string, string | string[] | null> = {
    [KIP]: HELMHOLTZ_KIP,
    [OBJECT_TYPE]: '21.T11148/ab53242825a85a0f6d2f',
    [LOCATION]: `${server.httpUrl}/files/surveys.csv`,
    [DATE_CREATED]: '2026-12-07T10:15:00Z',
    [LICENSE]: 'https://spdx.org/licenses/CC-BY-4.0.html',
    [CHECKSUM]: JSON.stringify({ sha256sum: `sha256 ${'3f'.repeat(32)}` }),
    ...changes,
  };
  const entries: Record<string, Array<{ key: string; value: string }>> = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (value === null) continue;
    entries[key] = (Array.isArray(value) ? value : [value]).map((v) => ({ key, value: v }));
  }
  return { entries };
}

async function send(method: string, path: string, options: { auth?: string; body?: unknown; scheme?: 'http' | 'https'; contentType?: string } = {}) {
  const headers: Record<string, string> = {};
  if (options.auth) headers.authorization = options.auth;
  if (options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  return httpRequest(`${options.scheme === 'http' ? server.httpUrl : server.httpsUrl}${path}`, {
    method,
    headers,
    dispatcher: agent,
    ...(options.body !== undefined ? { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) } : {}),
  });
}

function problem(result: HttpResult): { status: number; error: string; message: string; path: string; attribute: string | null; rule: string } {
  return result.json() as ReturnType<typeof problem>;
}

before(async () => {
  server = await startMockProcess();
  const basic = JSON.parse(readFileSync(server.basicCredentialsFile, 'utf8')) as { username: string; password: string; prefix: string };
  traineeAuth = basicHeader(basic.username, basic.password);
  prefix = basic.prefix;
  agent = new Agent({ connect: { ca: readFileSync(server.caFile, 'utf8') } });
});

after(async () => {
  await agent?.close();
  await server?.stop();
});

describe('the Data Type Registry stand-in', () => {
  test('each attribute type resolves through the resolver to its definition with a JSON Schema', async () => {
    for (const pid of TYPES) {
      const redirect = await send('GET', `/${pid}`, { scheme: 'http' });
      assert.equal(redirect.status, 302, pid);
      const location = String(redirect.headers.location);
      assert.equal(location, `${server.httpUrl}/dtr/objects/${pid}`);
      const view = (await httpRequest(location, {})).json() as { identifier: string; name: string; validationSchema: string };
      assert.equal(view.identifier, pid);
      const schema = JSON.parse(view.validationSchema) as Record<string, unknown>;
      assert.ok(schema.type === 'string' || schema.type === 'object', `${pid} has a schema with a type`);
    }
  });

  test('the REST API serves a type as an ordinary Handle record holding its name, description and schema', async () => {
    const result = await send('GET', `/api/handles/${DATE_CREATED}`);
    assert.equal(result.status, 200);
    const values = (result.json() as { values: Array<{ type: string; data: { value: unknown } }> }).values;
    const dataOf = (type: string) => values.find((v) => v.type === type)?.data.value;
    assert.equal(dataOf('NAME'), 'dateCreated');
    assert.match(String(dataOf('DESCRIPTION')), /ISO 8601/);
    assert.deepEqual(JSON.parse(String(dataOf('SCHEMA'))), { type: 'string', format: 'date-time' });
  });

  test("a profile's registry view lists its attributes with obligation and repetition", async () => {
    const view = (await send('GET', `/dtr/objects/${HELMHOLTZ_KIP}`)).json() as {
      properties: Array<{ name: string; identifier: string; representationsAndSemantics: Array<{ obligation: string; repeatable: string }> }>;
    };
    const mandatory = view.properties.filter((p) => p.representationsAndSemantics[0]?.obligation === 'Mandatory').map((p) => p.identifier);
    assert.deepEqual(mandatory.sort(), [KIP, OBJECT_TYPE, LOCATION, DATE_CREATED, LICENSE].sort());
    const rda = (await send('GET', `/api/handles/${RDA_KIP}`)).json() as { values: Array<{ type: string; data: { value: unknown } }> };
    assert.equal(rda.values.find((v) => v.type === 'URL')?.data.value, `${server.httpUrl}/dtr/objects/${RDA_KIP}`);
  });

  test('an unknown PID under the registry prefix is 404 in the registry view', async () => {
    const result = await send('GET', '/dtr/objects/21.T11148/0000000000000000000');
    assert.equal(result.status, 404);
    assert.match(problem(result).message, /not a type or profile/);
  });

  test('a trainee can neither overwrite a registry record nor create one under 21.T11148', async () => {
    const original = (await send('GET', `/api/handles/${KIP}`)).text;
    const overwrite = await send('PUT', `/api/handles/${KIP}`, {
      auth: traineeAuth,
      body: { values: [{ index: 1, type: 'URL', data: 'https://example.org/mine' }] },
    });
    assert.equal(overwrite.status, 403);
    const create = await send('PUT', '/api/handles/21.T11148/my-own-type?overwrite=false', {
      auth: traineeAuth,
      body: { values: [{ index: 1, type: 'NAME', data: 'x' }] },
    });
    assert.equal(create.status, 403);
    assert.equal((await send('GET', `/api/handles/${KIP}`)).text, original);
    assert.equal((await send('GET', '/api/handles/21.T11148/my-own-type')).status, 404);
  });
});

describe('validation on write (POST /api/v1/pit/pid/)', () => {
  test('a record missing an attribute its profile requires is refused with 400 naming the attribute and the rule', async () => {
    const result = await send('POST', '/api/v1/pit/pid/', { auth: traineeAuth, body: surveysRecord({ [LICENSE]: null }) });
    assert.equal(result.status, 400);
    const body = problem(result);
    assert.equal(body.error, 'Bad Request');
    assert.equal(body.path, '/api/v1/pit/pid/');
    assert.match(body.message, new RegExp(`^Validation of record ${prefix}/\\S+ failed\\. Reason:\\n`));
    assert.match(body.message, new RegExp(`Attribute ${LICENSE} \\(license\\) missing, but is mandatory in profile ${HELMHOLTZ_KIP}`));
    assert.equal(body.attribute, LICENSE);
    assert.equal(body.rule, 'mandatory');
  });

  test("a value that does not match its type's pattern is refused naming the pattern", async () => {
    const result = await send('POST', '/api/v1/pit/pid/', { auth: traineeAuth, body: surveysRecord({ [LICENSE]: 'CC-BY-4.0' }) });
    assert.equal(result.status, 400);
    const body = problem(result);
    assert.match(
      body.message,
      /Attribute 21\.T11148\/2f314c8fe5fb6a0063a8 \(license\) has a non-complying value CC-BY-4\.0: must match pattern "\^https:\/\/spdx/,
    );
    assert.equal(body.rule, 'schema:pattern');
  });

  test('a checksum object with a digest of the wrong length is refused', async () => {
    const result = await send('POST', '/api/v1/pit/pid/', { auth: traineeAuth, body: surveysRecord({ [CHECKSUM]: '{"sha256sum": "sha256 abc"}' }) });
    assert.equal(result.status, 400);
    assert.equal(problem(result).attribute, CHECKSUM);
  });

  test('a date that is not a date-time, an attribute given twice, an unknown type: each refused with its rule', async () => {
    const cases: Array<[Record<string, string | string[] | null>, string, string]> = [
      [{ [DATE_CREATED]: 'yesterday' }, DATE_CREATED, 'schema:format'],
      [{ [DATE_CREATED]: ['2026-12-07T10:15:00Z', '2026-12-08T10:15:00Z'] }, DATE_CREATED, 'not-repeatable'],
      [{ '21.T11148/ffffffffffffffffffff': 'x' }, '21.T11148/ffffffffffffffffffff', 'unknown-type'],
      [{ [KIP]: '21.T11148/ffffffffffffffffffff' }, KIP, 'unknown-profile'],
    ];
    for (const [changes, attribute, rule] of cases) {
      const body = problem(await send('POST', '/api/v1/pit/pid/', { auth: traineeAuth, body: surveysRecord(changes) }));
      assert.equal(body.status, 400, rule);
      assert.equal(body.attribute, attribute, rule);
      assert.equal(body.rule, rule);
    }
  });

  test('an attribute named __proto__ is an unknown type like any other, not a prototype', async () => {
    const body = '{"entries": {"__proto__": [{"key": "__proto__", "value": "x"}]}}';
    const result = await send('POST', '/api/v1/pit/pid/?dryrun=true', { auth: traineeAuth, body });
    assert.equal(result.status, 400);
    assert.equal(problem(result).attribute, '__proto__');
    assert.equal(problem(result).rule, 'unknown-type');
    assert.match(String((result.json() as Record<string, unknown>)['pid-record']), /"__proto__":\[\{"key":"__proto__","value":"x"\}\]/);
  });

  test('dryrun validates and answers 200 with the record, registering nothing', async () => {
    const result = await send('POST', '/api/v1/pit/pid/?dryrun=true', { auth: traineeAuth, body: surveysRecord() });
    assert.equal(result.status, 200);
    const record = result.json() as { pid: string; entries: Record<string, Array<{ name: string; value: string }>> };
    assert.equal(record.entries[LICENSE]?.[0]?.name, 'license');
    assert.equal((await send('GET', `/api/handles/${record.pid}`)).status, 404);
    assert.equal((await send('GET', `/api/v1/pit/pid/${record.pid}`)).status, 404);
    const refused = await send('POST', '/api/v1/pit/pid/?dryrun=true', { auth: traineeAuth, body: surveysRecord({ [OBJECT_TYPE]: null }) });
    assert.equal(problem(refused).attribute, OBJECT_TYPE);
  });

  test('a complete record is registered under the trainee prefix (201) and resolves as a typed and as a Handle record', async () => {
    const result = await send('POST', '/api/v1/pit/pid/', { auth: traineeAuth, body: surveysRecord() });
    assert.equal(result.status, 201);
    const created = result.json() as { pid: string; entries: Record<string, Array<{ key: string; value: string }>> };
    assert.ok(created.pid.startsWith(`${prefix}/`), created.pid);
    assert.equal(result.headers.location, `/api/v1/pit/pid/${created.pid}`);

    const typed = (await send('GET', `/api/v1/pit/pid/${created.pid}`)).json() as typeof created;
    assert.deepEqual(
      Object.fromEntries(Object.entries(typed.entries).map(([k, list]) => [k, list.map((e) => e.value)])),
      Object.fromEntries(Object.entries(surveysRecord().entries).map(([k, list]) => [k, list.map((e) => e.value)])),
    );
    const handle = (await send('GET', `/api/handles/${created.pid}`)).json() as {
      values: Array<{ index: number; type: string; data: { value: unknown } }>;
    };
    assert.equal(handle.values.find((v) => v.type === LICENSE)?.data.value, 'https://spdx.org/licenses/CC-BY-4.0.html');
    assert.deepEqual(handle.values.find((v) => v.type === 'HS_ADMIN')?.data.value, { handle: `0.NA/${prefix}`, index: 200, permissions: '011111110011' });
    assert.equal((await send('GET', `/api/v1/pit/pid/${created.pid}?validation=true`)).status, 200);
  });

  test('the simple record shape is accepted too', async () => {
    const record = Object.values(surveysRecord().entries).flat();
    const result = await send('POST', '/api/v1/pit/pid/?dryrun=true', {
      auth: traineeAuth,
      contentType: 'application/vnd.datamanager.pid.simple+json',
      body: { record },
    });
    assert.equal(result.status, 200, result.text);
  });

  test('a write without credentials is 401, with wrong ones 401, and a body that is no record 400', async () => {
    const anonymous = await send('POST', '/api/v1/pit/pid/', { body: surveysRecord() });
    assert.equal(anonymous.status, 401);
    assert.match(problem(anonymous).message, /credentials/);
    const wrong = await send('POST', '/api/v1/pit/pid/', { auth: basicHeader(`300:${prefix}/USER01`, 'not-the-password'), body: surveysRecord() });
    assert.equal(wrong.status, 401);
    const notJson = await send('POST', '/api/v1/pit/pid/', { auth: traineeAuth, body: '{"entries": ' });
    assert.equal(notJson.status, 400);
    assert.match(problem(notJson).message, /not JSON/);
    const noEntries = await send('POST', '/api/v1/pit/pid/', { auth: traineeAuth, body: { record: [] } });
    assert.equal(noEntries.status, 400);
    assert.match(problem(noEntries).message, /not a PID record/);
    const text = await send('POST', '/api/v1/pit/pid/', { auth: traineeAuth, body: 'x', contentType: 'text/plain' });
    assert.equal(text.status, 415);
  });
});

describe('a data folder made before the registry existed', () => {
  test('gets the 21.T11148 prefix and its records on its next start', async () => {
    const dataDir = temporaryFolder('pid-mock-pit-');
    try {
      const first = await startMockServer({ host: '127.0.0.1', port: 0, dataDir, prefixes: ['21.T12995'], logger: false });
      await first.close();
      // The folder as an older pid-mock left it: no registry prefix, no registry records.
      const store = HandleStore.open(dataFolderLayout(dataDir).database);
      const contents = store.exportContents();
      store.replaceContents({
        ...contents,
        handles: contents.handles.filter((r) => !/^(0\.NA\/)?21\.T11148(\/|$)/i.test(r.handle)),
        prefixes: contents.prefixes.filter((p) => p.toUpperCase() !== '21.T11148'),
      });
      assert.equal(store.isHomed('21.T11148'), false);
      store.close();

      const again = await startMockServer({ host: '127.0.0.1', port: 0, dataDir, prefixes: ['21.T12995'], logger: false });
      try {
        const result = await httpRequest(`${again.httpUrl}/api/handles/${HELMHOLTZ_KIP}`, {});
        assert.equal(result.status, 200);
        const admins = await httpRequest(`${again.httpUrl}/api/handles/0.NA/21.T11148`, {});
        assert.equal(admins.status, 200);
      } finally {
        await again.close();
      }
    } finally {
      removeTemporaryFolder(dataDir);
    }
  });
});

describe('behind a base path (a JupyterHub service)', () => {
  test('the PIT API, the registry views and the typed record answer under the prefix too', async () => {
    const served = await startMockServer({ host: '127.0.0.1', port: 0, memory: true, prefixes: ['21.T12995'], logger: false, basePath: '/services/pid-mock/' });
    try {
      const base = `${served.httpsUrl}/services/pid-mock`;
      const tls = new Agent({ connect: { ca: readFileSync(`${served.credentialsDir}/ca.pem`, 'utf8') } });
      const basic = JSON.parse(readFileSync(`${served.credentialsDir}/cred_basic.json`, 'utf8')) as { username: string; password: string };
      try {
        const view = await httpRequest(`${base}/dtr/objects/${LICENSE}`, { dispatcher: tls });
        assert.equal((view.json() as { name: string }).name, 'license');
        const created = await httpRequest(`${base}/api/v1/pit/pid/`, {
          method: 'POST',
          dispatcher: tls,
          headers: { authorization: basicHeader(basic.username, basic.password), 'content-type': 'application/json' },
          body: JSON.stringify(surveysRecord()),
        });
        assert.equal(created.status, 201, created.text);
        const pid = (created.json() as { pid: string }).pid;
        assert.equal(created.headers.location, `/services/pid-mock/api/v1/pit/pid/${pid}`);
        assert.equal((await httpRequest(`${base}/api/v1/pit/pid/${pid}`, { dispatcher: tls })).status, 200);
        // The resolver shows a typed record (it has no URL to redirect to) as its values page.
        const page = await httpRequest(`${base}/${pid}`, { dispatcher: tls });
        assert.equal(page.status, 200);
        assert.match(page.text, /21\.T11148\/2f314c8fe5fb6a0063a8/);
      } finally {
        await tls.close();
      }
    } finally {
      await served.close();
    }
  });
});

describe('with the typed services switched off (typedServices: false, the plain Handle server)', () => {
  test('no PIT API and no registry views answer, while the registry records stay ordinary Handle records', async () => {
    const ca = await createCertificateAuthority('pit test CA');
    const tls = await issueServerCertificate(ca, { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
    const store = HandleStore.open(':memory:');
    store.homePrefix('21.T11148');
    applyRecords(store, seedRecords({ prefix: '21.T12995', publicBaseUrl: 'http://127.0.0.1' }), 'test');
    const config = {
      store,
      tls,
      serverAdmins: () => [],
      hrlsUsers: () => ({}),
      adminToken: 'not-used-here-0123456789',
      publicBaseUrl: 'http://127.0.0.1',
      reset: () => {},
      reseed: () => {},
      site: () => ({}),
      logger: false,
    };
    for (const typedServices of [false, true]) {
      const app = buildApp({ ...config, typedServices });
      try {
        await app.listen({ host: '127.0.0.1', port: 0 });
        const origin = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
        const view = await httpRequest(`${origin}/dtr/objects/${LICENSE}`, {});
        const pit = await httpRequest(`${origin}/api/v1/pit/pid/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
        assert.equal(view.status, typedServices ? 200 : 404, `registry view with typedServices ${typedServices}`);
        // Switched on, an anonymous write over plain HTTP is refused (403); switched off, the path is unknown.
        assert.equal(pit.status, typedServices ? 403 : 404, `PIT API with typedServices ${typedServices}`);
        assert.equal((await httpRequest(`${origin}/api/handles/${LICENSE}`, {})).status, 200);
      } finally {
        await app.close();
      }
    }
    store.close();
  });
});
