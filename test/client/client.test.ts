// The handle client against a real `pid-mock serve` process over HTTPS, with a client certificate and
// with a password: every method, every error class, TLS trust, batches and the resolver download.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BrokenHandleRecordError,
  checksumOfUrl,
  CredentialsFormatError,
  EUDATHandleClient,
  GenericHandleError,
  HandleAlreadyExistsError,
  HandleAuthenticationError,
  HandleClient,
  type HandleError,
  HandleNotFoundError,
  HandlePermissionError,
  HandleSyntaxError,
  IllegalOperationError,
  PIDClientCredentials,
  ReverseLookupError,
} from '../../src/index.js';
import { startMockProcess, type MockProcess } from '../support/mock-process.js';
import { generateSurveysCsv } from '../../mock-server/fixtures/surveys-csv.js';
import { B2SAFE_IRODS_PID_COUNT, WARMUP_HANDLE } from '../../mock-server/fixtures/seed-records.js';
import { createCertificateAuthority } from '../../mock-server/data-folder/certificates.js';
import { temporaryFolder } from '../support/temporary-folders.js';

let server: MockProcess;
let certClient: HandleClient;
let basicClient: HandleClient;
let cred: PIDClientCredentials;
const prefix = '21.T12995';

before(async () => {
  server = await startMockProcess();
  cred = PIDClientCredentials.loadFromJSON(server.credentialsFile);
  certClient = await HandleClient.withCredentials(cred);
  basicClient = await HandleClient.withCredentials(PIDClientCredentials.loadFromJSON(server.basicCredentialsFile));
});

after(async () => {
  await certClient?.close();
  await basicClient?.close();
  await server?.stop();
});

async function rejectsWith<T extends HandleError>(promise: Promise<unknown>, type: new (...args: never[]) => T, check?: (error: T) => void): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof type, `expected ${type.name}, got ${(error as Error)?.constructor?.name}: ${(error as Error)?.message}`);
    assert.ok((error as HandleError).hint.length > 0, 'every error carries a hint');
    check?.(error as T);
    return true;
  });
}

describe('building clients', () => {
  test('the credentials files written by the mock load and describe the trainee without secrets', () => {
    assert.equal(cred.prefix, prefix);
    assert.equal(cred.serverUrl, server.httpsUrl);
    assert.equal(cred.authentication, 'certificate');
    assert.equal(cred.handleOwner, '200:0.NA/21.T12995');
    const basic = PIDClientCredentials.loadFromJSON(server.basicCredentialsFile);
    assert.equal(basic.authentication, 'password');
    assert.ok(!basic.describe().includes(basic.config.password!), 'describe() never prints the password');
  });

  test('a certificate client and a password client both authenticate their writes', () => {
    assert.equal(certClient.authentication, 'certificate');
    assert.equal(basicClient.authentication, 'password');
  });

  test("EUDATHandleClient is the same class under B2HANDLE's name", () => {
    assert.equal(EUDATHandleClient, HandleClient);
  });

  test('withUsernameAndPassword refuses an identity whose handle does not exist', async () => {
    await rejectsWith(HandleClient.withUsernameAndPassword(server.httpsUrl, '300:21.T12995/NOBODY', 'x', { httpsVerify: server.caFile }), HandleNotFoundError);
  });

  test('a client that does not trust the server CA is refused with a hint about HTTPS_verify', async () => {
    const dir = temporaryFolder('other-ca-');
    const other = await createCertificateAuthority('some other CA');
    writeFileSync(join(dir, 'ca.pem'), other.certPem);
    const client = HandleClient.forReadAccess(server.httpsUrl, { httpsVerify: join(dir, 'ca.pem') });
    await rejectsWith(client.retrieveHandleRecordJson(WARMUP_HANDLE), GenericHandleError, (e) => assert.match(e.hint, /HTTPS_verify/));
    await client.close();
    const systemTrust = HandleClient.forReadAccess(server.httpsUrl);
    await rejectsWith(systemTrust.retrieveHandleRecordJson(WARMUP_HANDLE), GenericHandleError, (e) => assert.match(e.message, /not trusted/));
    await systemTrust.close();
  });

  test('a server that is not running gives a connection error that says to start it', async () => {
    const client = HandleClient.forReadAccess('https://127.0.0.1:1', { httpsVerify: server.caFile });
    await rejectsWith(client.retrieveHandleRecordJson(WARMUP_HANDLE), GenericHandleError, (e) => assert.match(e.hint, /running/));
    await client.close();
  });
});

describe('reading', () => {
  test('the warm-up Handle is read as JSON, as a key-value map and value by value', async () => {
    const json = await certClient.retrieveHandleRecordJson(WARMUP_HANDLE);
    assert.equal(json?.responseCode, 1);
    assert.ok(json!.values.some((v) => v.type === 'URL'));
    const map = await certClient.retrieveHandleRecord(WARMUP_HANDLE);
    assert.match(map!.URL!, /\/files\/landing\/11304\//);
    assert.equal(await certClient.getValueFromHandle(WARMUP_HANDLE, 'URL', json), map!.URL);
    const admin = (await certClient.getValueFromHandle(WARMUP_HANDLE, 'HS_ADMIN')) as { handle: string };
    assert.equal(admin.handle, '0.NA/11304');
    assert.equal(await certClient.getValueFromHandle(WARMUP_HANDLE, 'NO_SUCH_TYPE'), null);
  });

  test('index and type filters narrow the record', async () => {
    const json = await certClient.retrieveHandleRecordJson(WARMUP_HANDLE, { indices: [1], types: ['HS_ADMIN'] });
    assert.deepEqual(
      json!.values.map((v) => v.index),
      [1, 100],
    );
  });

  test('a missing handle reads as null, and value look-ups on it throw HandleNotFoundError', async () => {
    assert.equal(await certClient.retrieveHandleRecordJson(`${prefix}/does-not-exist`), null);
    assert.equal(await certClient.retrieveHandleRecord(`${prefix}/does-not-exist`), null);
    await rejectsWith(certClient.getValueFromHandle(`${prefix}/does-not-exist`, 'URL'), HandleNotFoundError);
  });

  test('a malformed handle is refused before any request with HandleSyntaxError', async () => {
    await rejectsWith(certClient.retrieveHandleRecordJson('no-slash'), HandleSyntaxError);
    await rejectsWith(certClient.retrieveHandleRecordJson('/suffix-only'), HandleSyntaxError);
    await rejectsWith(certClient.retrieveHandleRecordJson('prefix-only/'), HandleSyntaxError);
  });
});

describe('registering and changing, with a certificate and with a password', () => {
  for (const [name, client] of [
    ['certificate', () => certClient],
    ['password', () => basicClient],
  ] as const) {
    test(`the ${name} client registers, modifies, links and deletes a handle`, async () => {
      const c = client();
      const pid = c.generatePidName(prefix);
      assert.match(pid, /^21\.T12995\/[0-9a-f-]{36}$/);
      const created = await c.registerHandle(pid, 'http://example.org/a', { checksum: 'abc', extraValues: { TYPE: 'file' } });
      assert.equal(created, pid);
      const record = (await c.retrieveHandleRecordJson(pid))!;
      assert.deepEqual(
        record.values.map((v) => [v.index, v.type]),
        [
          [1, 'URL'],
          [2, 'CHECKSUM'],
          [3, 'TYPE'],
          [100, 'HS_ADMIN'],
        ],
      );
      assert.deepEqual(record.values.find((v) => v.type === 'HS_ADMIN')!.data.value, { handle: '0.NA/21.T12995', index: 200, permissions: '011111110011' });

      await c.modifyHandleValue(pid, { URL: 'file:///home/trainee/surveys.csv', REPLICA: '21.T12995/other' }, { ttl: 3600 });
      const modified = (await c.retrieveHandleRecordJson(pid))!;
      assert.equal(modified.values.find((v) => v.type === 'URL')!.data.value, 'file:///home/trainee/surveys.csv');
      const replica = modified.values.find((v) => v.type === 'REPLICA')!;
      assert.deepEqual([replica.index, replica.ttl], [4, 3600]);

      await c.addAdditionalUrl(pid, ['http://mirror.example.org/a', 'http://backup.example.org/a']);
      assert.equal(await c.is10320LocEmpty(pid), false);
      assert.equal(await c.isUrlContainedIn10320Loc(pid, 'http://mirror.example.org/a'), true);
      await c.exchangeAdditionalUrl(pid, 'http://backup.example.org/a', 'http://backup2.example.org/a');
      assert.equal(await c.isUrlContainedIn10320Loc(pid, 'http://backup2.example.org/a'), true);
      await c.removeAdditionalUrl(pid, ['http://mirror.example.org/a', 'http://backup2.example.org/a']);
      assert.equal(await c.is10320LocEmpty(pid), true);
      assert.ok(!(await c.retrieveHandleRecordJson(pid))!.values.some((v) => v.type === '10320/LOC'), 'removing the last URL drops the value');

      await c.deleteHandleValue(pid, ['TYPE', 'NOT_THERE']);
      assert.equal(await c.getValueFromHandle(pid, 'TYPE'), null);
      await c.deleteHandle(pid);
      assert.equal(await c.retrieveHandleRecordJson(pid), null);
    });
  }

  test('registering an existing PID again is refused with HandleAlreadyExistsError, and overwrite replaces it', async () => {
    const pid = await certClient.generateAndRegisterHandle(prefix, 'http://example.org/first');
    await rejectsWith(certClient.registerHandle(pid, 'http://example.org/second'), HandleAlreadyExistsError, (e) => assert.match(e.hint, /overwrite/));
    assert.equal(await certClient.getValueFromHandle(pid, 'URL'), 'http://example.org/first');
    await certClient.registerHandle(pid, 'http://example.org/second', { overwrite: true });
    assert.equal(await certClient.getValueFromHandle(pid, 'URL'), 'http://example.org/second');
  });

  test('register with additional URLs writes a 10320/LOC value after the others', async () => {
    const pid = await certClient.generateAndRegisterHandle(prefix, 'http://example.org/x', { additionalUrls: ['http://a.example', 'http://b.example'] });
    const record = (await certClient.retrieveHandleRecordJson(pid))!;
    const loc = record.values.find((v) => v.type === '10320/LOC')!;
    assert.equal(loc.index, 2);
    assert.equal(loc.data.value, '<locations><location id="0" href="http://a.example" /><location id="1" href="http://b.example" /></locations>');
  });

  test('a read-only client cannot write: HandleAuthenticationError before any request', async () => {
    const reader = HandleClient.forReadAccess(server.httpsUrl, { httpsVerify: server.caFile });
    await rejectsWith(reader.registerHandle(`${prefix}/ro-${Date.now()}`, 'http://x'), HandleAuthenticationError, (e) => assert.equal(e.httpStatus, undefined));
    await reader.close();
  });

  test('a wrong password is refused by the server with HandleAuthenticationError (401)', async () => {
    const c = await HandleClient.withUsernameAndPassword(server.httpsUrl, '300:21.T12995/USER01', 'wrong-password', { httpsVerify: server.caFile });
    await rejectsWith(c.registerHandle(`${prefix}/wrong-${Date.now()}`, 'http://x'), HandleAuthenticationError, (e) => assert.equal(e.httpStatus, 401));
    await c.close();
  });

  test('changing a handle owned by another group is refused with HandlePermissionError (403, responseCode 400)', async () => {
    await rejectsWith(certClient.modifyHandleValue(WARMUP_HANDLE, { URL: 'http://evil.example' }), HandlePermissionError, (e) => {
      assert.equal(e.httpStatus, 403);
      assert.equal(e.responseCode, 400);
      assert.ok(e instanceof GenericHandleError, 'still a GenericHandleError, as in B2HANDLE');
    });
  });

  test('a prefix the server does not serve gives GenericHandleError with responseCode 301', async () => {
    await rejectsWith(certClient.registerHandle('10.9999/x', 'http://x', { overwrite: true }), GenericHandleError, (e) => assert.equal(e.responseCode, 301));
  });

  test('modifying or deleting HS_ADMIN is refused with IllegalOperationError', async () => {
    const pid = await certClient.generateAndRegisterHandle(prefix, 'http://example.org/y');
    await rejectsWith(certClient.modifyHandleValue(pid, { HS_ADMIN: 'x' }), IllegalOperationError);
    await rejectsWith(certClient.deleteHandleValue(pid, 'HS_ADMIN'), IllegalOperationError);
  });

  test('modifying a type that occurs twice is refused with BrokenHandleRecordError', async () => {
    const pid = await certClient.generateAndRegisterHandle(prefix, 'http://example.org/z', { extraValues: { NOTE: 'a' } });
    // A second NOTE through the raw API: the client itself never makes such a record.
    const raw = await HandleClient.withCredentials(cred);
    await raw.modifyHandleValue(pid, { OTHER: 'b' });
    const { request } = await import('undici');
    const { createDispatcher } = await import('../../src/transport/dispatcher.js');
    const dispatcher = createDispatcher({ httpsVerify: server.caFile, certificateFile: cred.config.certificate_only, privateKeyFile: cred.config.private_key });
    const put = await request(`${server.httpsUrl}/api/handles/${pid}?index=7`, {
      method: 'PUT',
      dispatcher,
      headers: { 'content-type': 'application/json', authorization: 'Handle clientCert="true"' },
      body: JSON.stringify({ values: [{ index: 7, type: 'NOTE', data: 'second' }] }),
    });
    assert.equal(put.statusCode, 201);
    await put.body.dump();
    await dispatcher.close();
    await raw.close();
    await rejectsWith(certClient.modifyHandleValue(pid, { NOTE: 'c' }), BrokenHandleRecordError);
  });

  test('deleting a missing handle throws HandleNotFoundError', async () => {
    await rejectsWith(certClient.deleteHandle(`${prefix}/never-was`), HandleNotFoundError);
  });
});

describe('reverse look-up', () => {
  test('a CHECKSUM search finds the handle registered with it, and its URL can be read back', async () => {
    const md5 = createHash('md5').update(`unique-${Date.now()}`).digest('hex');
    const pid = await certClient.generateAndRegisterHandle(prefix, 'http://example.org/found', { checksum: md5 });
    const hits = await certClient.searchHandle({ CHECKSUM: md5 });
    assert.deepEqual(hits, [pid.toUpperCase()]);
    assert.equal(await certClient.getValueFromHandle(hits[0]!, 'URL'), 'http://example.org/found');
  });

  test('URL=irods:* finds every B2SAFE-style PID of the seed data, and the prefix filter keeps them', async () => {
    const hits = await certClient.searchHandle({ URL: 'irods:*' });
    assert.equal(hits.length, B2SAFE_IRODS_PID_COUNT);
    assert.equal((await certClient.searchHandle({ URL: 'irods:*' }, { prefix })).length, B2SAFE_IRODS_PID_COUNT);
    assert.equal((await certClient.searchHandle({ URL: 'irods:*' }, { prefix: '11304' })).length, 0);
  });

  test('searching a key outside allowedSearchKeys is refused unless the client allows it', async () => {
    await rejectsWith(certClient.searchHandle({ TYPE: 'file' }), ReverseLookupError);
    const open = await HandleClient.withCredentials(cred, { allowedSearchKeys: [] });
    assert.ok(Array.isArray(await open.searchHandle({ 'EUDAT/FIXED_CONTENT': 'True' })));
    await open.close();
  });

  test('wrong search credentials give ReverseLookupError naming authentication', async () => {
    const c = HandleClient.forReadAndSearch(server.httpsUrl, 'nobody', 'nothing', { httpsVerify: server.caFile });
    await rejectsWith(c.searchHandle({ URL: '*' }), ReverseLookupError, (e) => assert.match(e.message, /Authentication failed/));
    await c.close();
  });

  test('a client without a search account says reverse look-up is not configured', async () => {
    const c = HandleClient.forReadAccess(server.httpsUrl, { httpsVerify: server.caFile });
    await rejectsWith(c.searchHandle({ URL: '*' }), ReverseLookupError, (e) => assert.match(e.message, /not configured/));
    await c.close();
  });
});

describe('data and batches', () => {
  test('checksumOfUrl downloads through the resolver redirect and hashes the bytes, not the path', async () => {
    const pid = await certClient.generateAndRegisterHandle(prefix, `${server.httpUrl}/files/surveys.csv`);
    const md5 = await checksumOfUrl(`${server.httpUrl}/${pid}`, 'md5');
    assert.equal(md5, createHash('md5').update(generateSurveysCsv()).digest('hex'));
    assert.notEqual(md5, createHash('md5').update(`${server.httpUrl}/files/surveys.csv`).digest('hex'));
  });

  test('checksumOfUrl through a PID moved to a file: URL says the data is not downloadable', async () => {
    const pid = await certClient.generateAndRegisterHandle(prefix, 'file:///home/trainee/surveys.csv');
    await rejectsWith(checksumOfUrl(`${server.httpUrl}/${pid}`), GenericHandleError, (e) => assert.match(e.hint, /not downloadable/));
  });

  test('checksumOfUrl reports a download that fails with its status', async () => {
    await rejectsWith(checksumOfUrl(`${server.httpUrl}/files/missing.csv`), GenericHandleError, (e) => assert.equal(e.httpStatus, 404));
  });

  test('registerMany registers 1,000 PIDs with bounded concurrency and reports progress for each', async () => {
    const progress: number[] = [];
    const items = Array.from({ length: 1000 }, (_, i) => ({ location: `http://example.org/batch/${i}`, checksum: `batch-${i}` }));
    const results = await certClient.registerMany(items, { prefix, concurrency: 16, onProgress: (done) => progress.push(done) });
    assert.equal(results.length, 1000);
    assert.ok(
      results.every((r) => r.ok),
      'every registration succeeded',
    );
    assert.equal(progress.length, 1000);
    assert.equal(progress.at(-1), 1000);
    const handles = results.map((r) => (r.ok ? r.value : ''));
    assert.equal(new Set(handles).size, 1000);
    assert.deepEqual(await certClient.searchHandle({ CHECKSUM: 'batch-999' }), [handles[999]!.toUpperCase()]);
    const modified = await certClient.modifyMany(
      handles.slice(0, 20).map((handle) => ({ handle, changes: { TYPE: 'batch' } })),
      { concurrency: 4 },
    );
    assert.ok(modified.every((r) => r.ok));
    assert.equal(await certClient.getValueFromHandle(handles[0]!, 'TYPE'), 'batch');
  });

  test('a batch records failures per item without stopping', async () => {
    const taken = await certClient.generateAndRegisterHandle(prefix, 'http://example.org/taken');
    const results = await certClient.registerMany([{ handle: taken, location: 'http://x' }, { location: 'http://y' }], { prefix });
    assert.equal(results[0]!.ok, false);
    assert.ok(!results[0]!.ok && results[0]!.error instanceof HandleAlreadyExistsError);
    assert.equal(results[1]!.ok, true);
  });
});

test('credentials problems surface as CredentialsFormatError before any request', () => {
  assert.throws(() => PIDClientCredentials.loadFromJSON(join(server.dataDir, 'nope.json')), CredentialsFormatError);
});
