// The client's typed-record helpers against a real `pid-mock serve` process over HTTPS: types and profiles
// resolve to their registry definitions, a typed record is validated (dry run) and registered, a refused
// record becomes a TypedRecordRefusedError naming attribute and rule, also when the service states the rule
// only in its message, as the Typed PID Maker itself does (a loopback server answering in its shape).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  GenericHandleError,
  HandleAuthenticationError,
  HandleClient,
  HandleNotFoundError,
  KERNEL_INFORMATION_PROFILE,
  PIDClientCredentials,
  TypedRecordRefusedError,
} from '../../src/index.js';
import { startMockProcess, type MockProcess } from '../support/mock-process.js';

const HELMHOLTZ_KIP = '21.T11148/b9b76f887845e32d29f7';
const OBJECT_TYPE = '21.T11148/1c699a5d1b4ad3ba4956';
const LOCATION = '21.T11148/b8457812905b83046284';
const DATE_CREATED = '21.T11148/aafd5fb4c7222e2d950a';
const LICENSE = '21.T11148/2f314c8fe5fb6a0063a8';
const CHECKSUM = '21.T11148/82e2503c49209e987740';

let server: MockProcess;
let certClient: HandleClient;
let basicClient: HandleClient;
let prefix: string;

function surveys(changes: Record<string, string | undefined> = {}): Record<string, string> {
  const entries: Record<string, string | undefined> = {
    [OBJECT_TYPE]: '21.T11148/ab53242825a85a0f6d2f',
    [LOCATION]: `${server.httpUrl}/files/surveys.csv`,
    [DATE_CREATED]: '2026-12-07T10:15:00Z',
    [LICENSE]: 'https://spdx.org/licenses/CC-BY-4.0.html',
    [CHECKSUM]: JSON.stringify({ sha256sum: `sha256 ${'0a'.repeat(32)}` }),
    ...changes,
  };
  return Object.fromEntries(Object.entries(entries).filter((e): e is [string, string] => e[1] !== undefined));
}

before(async () => {
  server = await startMockProcess();
  const cred = PIDClientCredentials.loadFromJSON(server.credentialsFile);
  prefix = cred.config.prefix!;
  certClient = await HandleClient.withCredentials(cred);
  basicClient = await HandleClient.withCredentials(PIDClientCredentials.loadFromJSON(server.basicCredentialsFile));
});

after(async () => {
  await certClient?.close();
  await basicClient?.close();
  await server?.stop();
});

describe('resolveType', () => {
  test("an attribute type's PID resolves to its name, description and JSON Schema", async () => {
    const license = await certClient.resolveType(LICENSE);
    assert.equal(license.pid, LICENSE);
    assert.equal(license.name, 'license');
    assert.equal(license.kind, 'PID-InfoType');
    assert.match(String(license.schema?.pattern), /spdx\\\.org/);
    assert.equal(license.location, `${server.httpUrl}/dtr/objects/${LICENSE}`);
  });

  test("a profile's PID resolves to the attributes it requires and those it lets repeat", async () => {
    const kip = await certClient.resolveType(HELMHOLTZ_KIP);
    assert.equal(kip.kind, 'KernelInformationProfile');
    assert.deepEqual(
      kip.attributes?.filter((a) => a.mandatory).map((a) => a.name),
      ['kernelInformationProfile', 'digitalObjectType', 'digitalObjectLocation', 'dateCreated', 'license'],
    );
    assert.deepEqual(
      kip.attributes?.filter((a) => a.repeatable).map((a) => a.pid),
      [LOCATION],
    );
  });

  test('a PID that does not exist is HandleNotFoundError, one that is no type a GenericHandleError with a hint', async () => {
    await assert.rejects(certClient.resolveType('21.T11148/0000000000000000000'), HandleNotFoundError);
    await assert.rejects(certClient.resolveType('11304/cf8956a2-39d3-11e5-8a18-f31aa6f4d448'), (error: unknown) => {
      assert.ok(error instanceof GenericHandleError);
      assert.match(error.hint, /Data Type Registry/);
      return true;
    });
  });
});

describe('registerTypedRecord and getTypedRecord', () => {
  test('a dry run validates and returns the record without registering it', async () => {
    const checked = await certClient.registerTypedRecord(surveys(), { profile: HELMHOLTZ_KIP, dryRun: true });
    assert.equal(checked.entries[KERNEL_INFORMATION_PROFILE]?.[0]?.value, HELMHOLTZ_KIP);
    assert.equal(checked.entries[LICENSE]?.[0]?.name, 'license');
    assert.equal(await certClient.getTypedRecord(checked.pid), null);
  });

  test('a complete record is registered under the prefix and reads back, as a typed and as a Handle record', async () => {
    for (const client of [certClient, basicClient]) {
      const record = await client.registerTypedRecord(surveys(), { profile: HELMHOLTZ_KIP });
      assert.ok(record.pid.startsWith(`${prefix}/`));
      const read = await client.getTypedRecord(record.pid);
      assert.deepEqual(read, record);
      const values = await client.retrieveHandleRecord(record.pid);
      assert.equal(values?.[DATE_CREATED], '2026-12-07T10:15:00Z');
    }
  });

  test('a record missing a required attribute is TypedRecordRefusedError naming the attribute and the rule', async () => {
    await assert.rejects(certClient.registerTypedRecord(surveys({ [LICENSE]: undefined }), { profile: HELMHOLTZ_KIP }), (error: unknown) => {
      assert.ok(error instanceof TypedRecordRefusedError);
      assert.equal(error.attribute, LICENSE);
      assert.equal(error.rule, 'mandatory');
      assert.equal(error.httpStatus, 400);
      assert.match(error.message, /attribute 21\.T11148\/2f314c8fe5fb6a0063a8 breaks rule mandatory/);
      assert.match(error.hint, /profile requires it/);
      return true;
    });
  });

  test('a value against its type pattern is refused with the schema rule', async () => {
    await assert.rejects(certClient.registerTypedRecord(surveys({ [LICENSE]: 'CC-BY-4.0' }), { profile: HELMHOLTZ_KIP, dryRun: true }), (error: unknown) => {
      assert.ok(error instanceof TypedRecordRefusedError);
      assert.equal(error.rule, 'schema:pattern');
      assert.match(error.reason, /must match pattern/);
      return true;
    });
  });

  test('a client without credentials cannot register', async () => {
    const reader = HandleClient.forReadAccess(server.httpsUrl, { httpsVerify: server.caFile });
    try {
      await assert.rejects(reader.registerTypedRecord(surveys(), { profile: HELMHOLTZ_KIP }), HandleAuthenticationError);
      assert.equal((await reader.resolveType(DATE_CREATED)).name, 'dateCreated');
    } finally {
      await reader.close();
    }
  });
});

describe('a PIT service that states the rule only in its message', () => {
  let pit: Server;
  let url: string;

  before(async () => {
    // The Typed PID Maker's own refusal: Spring Boot's error shape, the reason after "Reason:".
    pit = createServer((_request, response) => {
      response.writeHead(400, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          timestamp: '2026-12-07T10:00:00.000+00:00',
          status: 400,
          error: 'Bad Request',
          message: `Validation of record sandboxed/abc failed. Reason:\nAttribute ${DATE_CREATED} is not repeatable in profile ${HELMHOLTZ_KIP}, but has multiple values`,
          path: '/api/v1/pit/pid/',
        }),
      );
    });
    await new Promise<void>((done) => pit.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(pit.address() as AddressInfo).port}/api/v1/pit/pid/`;
  });

  after(async () => {
    await new Promise<void>((done) => pit.close(() => done()));
  });

  test('the refusal is still a TypedRecordRefusedError with the attribute and rule read from the reason', async () => {
    const client = new HandleClient({
      handleServerUrl: server.httpsUrl,
      httpsVerify: server.caFile,
      username: `300:${prefix}/USER01`,
      password: 'x',
      typedPidServiceUrl: url,
    });
    try {
      await assert.rejects(client.registerTypedRecord({ [DATE_CREATED]: ['2026-12-07T10:15:00Z', '2026-12-08T10:15:00Z'] }), (error: unknown) => {
        assert.ok(error instanceof TypedRecordRefusedError);
        assert.equal(error.attribute, DATE_CREATED);
        assert.equal(error.rule, 'not-repeatable');
        assert.equal(error.handle, 'sandboxed/abc');
        return true;
      });
    } finally {
      await client.close();
    }
  });
});
