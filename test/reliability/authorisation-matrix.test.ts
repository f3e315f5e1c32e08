// The authorisation matrix as one table, compared cell by cell over real HTTPS/HTTP: identities (the
// instructor, two trainees by password and certificate, a wrong password, a certificate whose key is not
// the registered one, no credentials over HTTPS and over HTTP) × operations × owner of the target,
// trainees' identity handles included. Every refused cell must also leave the record unchanged.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent } from 'undici';
import { issueClientCertificate } from '../../mock-server/data-folder/certificates.js';
import { basicHeader, httpRequest, type HttpResult } from '../support/http.js';
import { addIdentityWithCli } from '../support/mock-process.js';
import { PREFIX, startTestServer, uniqueName, type BasicIdentity, type TestServer } from '../support/mock-server.js';

interface Outcome {
  status: number;
  /** undefined: no body at all (the 401 of credentials that do not verify). */
  responseCode: number | undefined;
}
const OK: Outcome = { status: 200, responseCode: 1 };
const NEW: Outcome = { status: 201, responseCode: 1 };
const DENIED: Outcome = { status: 403, responseCode: 400 };
const CHALLENGED: Outcome = { status: 401, responseCode: 402 };
const NEEDS_HTTPS: Outcome = { status: 403, responseCode: 402 };
const NOT_VERIFIED: Outcome = { status: 401, responseCode: undefined };

const IDENTITIES = ['instructor', 'traineeA', 'traineeA-cert', 'traineeB', 'wrong-password', 'mismatched-cert', 'none-https', 'none-http'] as const;
type Identity = (typeof IDENTITIES)[number];
const LABEL: Record<Identity, string> = {
  instructor: 'the instructor',
  traineeA: 'trainee A (300:USER01, password)',
  'traineeA-cert': 'trainee A (301:USER01, certificate)',
  traineeB: 'trainee B (300:USER02, password, in the admin group)',
  'wrong-password': "trainee A's name with a wrong password",
  'mismatched-cert': 'a CA-signed certificate for 301:USER01 whose key is not the registered one',
  'none-https': 'no credentials over HTTPS',
  'none-http': 'no credentials over plain HTTP',
};

type Target = 'group-handle' | 'a-only-handle' | 'identity-of-A' | 'identity-of-B' | 'new-handle';
type Operation = 'create' | 'read-secret' | 'add-value' | 'modify-value' | 'delete-handle';

interface Row {
  operation: Operation;
  target: Target;
  /** One outcome per identity, in IDENTITIES order. */
  expected: readonly Outcome[];
}

//                 instructor  A     A-cert  B       wrong-pw      mismatched    none-https  none-http
const MATRIX: readonly Row[] = [
  { operation: 'create', target: 'new-handle', expected: [NEW, NEW, NEW, NEW, NOT_VERIFIED, NOT_VERIFIED, CHALLENGED, NEEDS_HTTPS] },
  { operation: 'read-secret', target: 'group-handle', expected: [OK, OK, OK, OK, NOT_VERIFIED, NOT_VERIFIED, CHALLENGED, NEEDS_HTTPS] },
  { operation: 'add-value', target: 'group-handle', expected: [NEW, NEW, NEW, NEW, NOT_VERIFIED, NOT_VERIFIED, CHALLENGED, NEEDS_HTTPS] },
  { operation: 'modify-value', target: 'group-handle', expected: [OK, OK, OK, OK, NOT_VERIFIED, NOT_VERIFIED, CHALLENGED, NEEDS_HTTPS] },
  { operation: 'delete-handle', target: 'group-handle', expected: [OK, OK, OK, OK, NOT_VERIFIED, NOT_VERIFIED, CHALLENGED, NEEDS_HTTPS] },
  { operation: 'read-secret', target: 'a-only-handle', expected: [OK, OK, DENIED, DENIED, NOT_VERIFIED, NOT_VERIFIED, CHALLENGED, NEEDS_HTTPS] },
  { operation: 'add-value', target: 'a-only-handle', expected: [NEW, NEW, DENIED, DENIED, NOT_VERIFIED, NOT_VERIFIED, CHALLENGED, NEEDS_HTTPS] },
  { operation: 'modify-value', target: 'a-only-handle', expected: [OK, OK, DENIED, DENIED, NOT_VERIFIED, NOT_VERIFIED, CHALLENGED, NEEDS_HTTPS] },
  { operation: 'delete-handle', target: 'a-only-handle', expected: [OK, OK, DENIED, DENIED, NOT_VERIFIED, NOT_VERIFIED, CHALLENGED, NEEDS_HTTPS] },
  // Identity handles are the instructor's alone (HS_ADMIN names only the instructor): no trainee reads their
  // HS_SECKEY (a password) or changes them, not even their own or through the admin group.
  { operation: 'read-secret', target: 'identity-of-A', expected: [OK, DENIED, DENIED, DENIED, NOT_VERIFIED, NOT_VERIFIED, CHALLENGED, NEEDS_HTTPS] },
  { operation: 'add-value', target: 'identity-of-A', expected: [NEW, DENIED, DENIED, DENIED, NOT_VERIFIED, NOT_VERIFIED, CHALLENGED, NEEDS_HTTPS] },
  { operation: 'modify-value', target: 'identity-of-A', expected: [OK, DENIED, DENIED, DENIED, NOT_VERIFIED, NOT_VERIFIED, CHALLENGED, NEEDS_HTTPS] },
  { operation: 'delete-handle', target: 'identity-of-A', expected: [OK, DENIED, DENIED, DENIED, NOT_VERIFIED, NOT_VERIFIED, CHALLENGED, NEEDS_HTTPS] },
  { operation: 'read-secret', target: 'identity-of-B', expected: [OK, DENIED, DENIED, DENIED, NOT_VERIFIED, NOT_VERIFIED, CHALLENGED, NEEDS_HTTPS] },
  { operation: 'add-value', target: 'identity-of-B', expected: [NEW, DENIED, DENIED, DENIED, NOT_VERIFIED, NOT_VERIFIED, CHALLENGED, NEEDS_HTTPS] },
  { operation: 'modify-value', target: 'identity-of-B', expected: [OK, DENIED, DENIED, DENIED, NOT_VERIFIED, NOT_VERIFIED, CHALLENGED, NEEDS_HTTPS] },
  { operation: 'delete-handle', target: 'identity-of-B', expected: [OK, DENIED, DENIED, DENIED, NOT_VERIFIED, NOT_VERIFIED, CHALLENGED, NEEDS_HTTPS] },
];

let t: TestServer;
let traineeB: BasicIdentity;
let mismatchedAgent: Agent;
let cells = 0;

before(async () => {
  t = await startTestServer({ storage: 'data-dir' });
  traineeB = await addIdentityWithCli(t.dataDir!, `300:${PREFIX}/USER02`, { adminOf: PREFIX });
  const tlsDir = join(t.dataDir!, 'tls');
  const ca = { certPem: readFileSync(join(tlsDir, 'ca.pem'), 'utf8'), keyPem: readFileSync(join(tlsDir, 'ca-key.pem'), 'utf8') };
  const impostor = await issueClientCertificate(ca, `301:${PREFIX}/USER01`);
  mismatchedAgent = new Agent({ connect: { ca: t.caPem, cert: impostor.certPem, key: impostor.keyPem } });
});
after(async () => {
  console.log(`# authorisation matrix: ${cells} cells compared (${MATRIX.length} rows x ${IDENTITIES.length} identities; identity handles included)`);
  await mismatchedAgent?.close();
  await t?.close();
});

function send(who: Identity, method: string, path: string, body?: unknown): Promise<HttpResult> {
  const withBody = body !== undefined ? { body } : {};
  switch (who) {
    case 'instructor':
      return t.request({ method, path, as: 'instructor', ...withBody });
    case 'traineeA':
      return t.request({ method, path, as: 'trainee-basic', ...withBody });
    case 'traineeA-cert':
      return t.request({ method, path, as: 'trainee-cert', ...withBody });
    case 'traineeB':
      return t.request({ method, path, headers: { authorization: basicHeader(traineeB.identity, traineeB.password) }, ...withBody });
    case 'wrong-password':
      return t.request({ method, path, headers: { authorization: basicHeader(t.trainee.identity, `${t.trainee.password}x`) }, ...withBody });
    case 'none-https':
      return t.request({ method, path, ...withBody });
    case 'none-http':
      return t.request({ method, path, scheme: 'http', ...withBody });
    case 'mismatched-cert':
      return httpRequest(t.url('https', path), {
        method,
        headers: {
          ...(method === 'GET' ? {} : { authorization: 'Handle clientCert="true"' }),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        body: body !== undefined ? JSON.stringify(body) : undefined,
        dispatcher: mismatchedAgent,
      });
  }
}

/** The record as the instructor sees it, HS_SECKEYs included; undefined when absent. */
async function record(handle: string): Promise<unknown[] | undefined> {
  const result = await t.request({ path: `/api/handles/${handle}?publicOnly=false`, as: 'instructor' });
  if (result.status === 404) return undefined;
  assert.equal(result.status, 200, result.text);
  return (result.json() as { values: unknown[] }).values;
}

function adminValue(target: Target): Record<string, unknown> {
  const value =
    target === 'a-only-handle'
      ? { handle: `${PREFIX}/USER01`, index: 300, permissions: '011111110011' }
      : { handle: `0.NA/${PREFIX}`, index: 200, permissions: '011111110011' };
  return { index: 100, type: 'HS_ADMIN', data: { format: 'admin', value } };
}

const identityHandle = (target: Target) => `${PREFIX}/${target === 'identity-of-A' ? 'USER01' : 'USER02'}`;
let restore: (() => Promise<void>) | undefined;

/** The handle a cell works on: a fresh record for ordinary handles, the real identity handle (restored afterwards) otherwise. */
async function targetFor(target: Target): Promise<string> {
  if (target === 'identity-of-A' || target === 'identity-of-B') {
    const handle = identityHandle(target);
    const saved = await record(handle);
    restore = async () => {
      const put = await t.request({ method: 'PUT', path: `/api/handles/${handle}`, as: 'instructor', body: { values: saved } });
      assert.ok([200, 201].includes(put.status), `restoring ${handle}: ${put.text}`);
    };
    return handle;
  }
  const handle = `${PREFIX}/${uniqueName('MATRIX')}`;
  if (target === 'new-handle') return handle;
  const created = await t.request({
    method: 'PUT',
    path: `/api/handles/${handle}`,
    as: 'instructor',
    body: {
      values: [
        { index: 1, type: 'URL', data: 'https://example.org/m' },
        { index: 3, type: 'SECRET_NOTE', permissions: '1100', data: 'restricted' },
        adminValue(target),
      ],
    },
  });
  assert.equal(created.status, 201, created.text);
  return handle;
}

function operate(who: Identity, operation: Operation, target: Target, handle: string): Promise<HttpResult> {
  const path = `/api/handles/${handle}`;
  const identityTarget = target.startsWith('identity');
  switch (operation) {
    case 'create':
      return send(who, 'PUT', path, { values: [{ index: 1, type: 'URL', data: 'https://example.org/new' }, adminValue('group-handle')] });
    case 'read-secret':
      return send(who, 'GET', `${path}?publicOnly=false`);
    case 'add-value':
      return send(who, 'PUT', `${path}?index=4`, { values: [{ index: 4, type: 'NOTE', data: `added by ${who}` }] });
    case 'modify-value':
      return identityTarget
        ? send(who, 'PUT', `${path}?index=300`, { values: [{ index: 300, type: 'HS_SECKEY', permissions: '1100', data: 'taken-over' }] })
        : send(who, 'PUT', `${path}?index=1`, { values: [{ index: 1, type: 'URL', data: 'https://example.org/changed' }] });
    case 'delete-handle':
      return send(who, 'DELETE', path);
  }
}

describe('authorisation matrix', () => {
  afterEach(async () => {
    await restore?.();
    restore = undefined;
  });

  test('the table has one outcome per identity in every row', () => {
    for (const row of MATRIX) {
      assert.equal(row.expected.length, IDENTITIES.length);
    }
  });

  for (const row of MATRIX) {
    IDENTITIES.forEach((who, column) => {
      const expected = row.expected[column]!;
      const name = `${row.operation} on ${row.target} as ${LABEL[who]} → ${expected.status}${expected.responseCode === undefined ? ' (no body)' : ` rc ${expected.responseCode}`}`;
      test(name, async () => {
        const handle = await targetFor(row.target);
        const before = await record(handle);
        const result = await operate(who, row.operation, row.target, handle);
        cells += 1;
        const context = `${result.status} ${result.text.slice(0, 200)}`;
        assert.equal(result.status, expected.status, context);
        if (expected.responseCode === undefined) {
          assert.equal(result.text, '', context);
          assert.ok(String(result.headers['www-authenticate'] ?? '').includes('Identity not verified'), 'the 401 says why');
        } else {
          assert.equal((result.json() as { responseCode?: unknown }).responseCode, expected.responseCode, context);
        }
        const after = await record(handle);
        if (expected.responseCode !== 1) {
          assert.deepEqual(after, before, 'a refused request changes nothing');
          assert.ok(!result.text.includes('restricted') && !/HS_SECKEY/.test(result.text), 'a refused request reveals no secret');
        }
      });
    });
  }
});
