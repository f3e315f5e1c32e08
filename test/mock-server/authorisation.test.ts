// The authorisation matrix of the mock's REST API over real HTTP: who (instructor, three trainees,
// anonymous callers) may do what (create, read restricted values, add/modify/remove values, modify
// HS_ADMIN, delete, list) to which handle (owned by the prefix admin group or by USER01 alone).
// The expected outcomes are a table derived from protocol reference §4.5/§4.6 and the real-server
// transcripts' README; every row runs on handles created fresh for it.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { basicHeader, headerValues, pythonQuote, type HttpResult } from '../support/http.js';
import { addIdentityWithCli } from '../support/mock-process.js';
import { PREFIX, startTestServer, uniqueName, WARMUP_HANDLE, type BasicIdentity, type TestServer } from '../support/mock-server.js';

interface Outcome {
  status: number;
  responseCode: number;
}

const OK: Outcome = { status: 200, responseCode: 1 };
const CREATED: Outcome = { status: 201, responseCode: 1 };
/** §4.6: HTTPS without credentials on an operation that needs them. */
const CHALLENGED: Outcome = { status: 401, responseCode: 402 };
/** §4.6: plain HTTP ignores credentials, and the 401 becomes 403 with the same body. */
const NEEDS_HTTPS: Outcome = { status: 403, responseCode: 402 };
/** §4.5: authenticated, but no HS_ADMIN consulted grants the needed bit (INVALID_ADMIN). */
const DENIED: Outcome = { status: 403, responseCode: 400 };

const CALLERS = [
  'instructor',
  'traineeA-basic',
  'traineeA-cert',
  'traineeB',
  'traineeC',
  'anonymous-https',
  'anonymous-http',
  'traineeA-basic-over-http',
] as const;
type Caller = (typeof CALLERS)[number];

const CALLER_LABELS: Record<Caller, string> = {
  instructor: 'the instructor (server admin, in the prefix admin group)',
  'traineeA-basic': 'trainee A (300:USER01, Basic)',
  'traineeA-cert': 'trainee A (301:USER01, client certificate)',
  traineeB: 'trainee B (USER02, not in the admin group)',
  traineeC: 'trainee C (USER03, in the admin group)',
  'anonymous-https': 'an anonymous caller over HTTPS',
  'anonymous-http': 'an anonymous caller over plain HTTP',
  'traineeA-basic-over-http': 'trainee A sending Basic over plain HTTP',
};

type Owner = 'prefix-group' | 'user01-only';
const OWNER_LABELS: Record<Owner, string> = {
  'prefix-group': 'a handle whose HS_ADMIN is the prefix group 200:0.NA/21.T12995',
  'user01-only': 'a handle whose HS_ADMIN names only 300:21.T12995/USER01',
};

type Operation =
  | 'create'
  | 'read-restricted'
  | 'add-value'
  | 'modify-value'
  | 'remove-value'
  | 'modify-hs-admin'
  | 'delete-handle'
  | 'list-handles'
  | 'list-prefixes'
  | 'write-warmup';

const OPERATION_LABELS: Record<Operation, string> = {
  create: 'creating',
  'read-restricted': 'reading with publicOnly=false (it holds a restricted value)',
  'add-value': 'adding a value to',
  'modify-value': 'modifying the URL of',
  'remove-value': 'removing a value from',
  'modify-hs-admin': 'modifying the HS_ADMIN of',
  'delete-handle': 'deleting',
  'list-handles': 'listing the handles of prefix 21.T12995',
  'list-prefixes': "listing the server's prefixes",
  'write-warmup': "adding a value to the warm-up Handle 11304/... (administered by 0.NA/11304's group)",
};

/**
 * The expected outcomes, one column per caller in CALLERS order:
 *   instructor | A Basic | A cert | B | C | anon HTTPS | anon HTTP | A Basic over HTTP
 * Why: creating and listing need bits on 0.NA/21.T12995's HS_ADMIN (group 200: instructor, 300 and
 * 301:USER01, USER03); value and handle operations need bits on the handle's own HS_ADMIN, which for
 * `user01-only` matches 300:USER01 exactly (so neither 301:USER01 nor the group qualifies); the
 * instructor is a server admin and passes everything; listing prefixes is for server admins only;
 * the warm-up Handle's group holds only the instructor.
 */
const EXPECTED: ReadonlyArray<readonly [Operation, Owner | 'any', readonly Outcome[]]> = [
  ['create', 'prefix-group', [CREATED, CREATED, CREATED, DENIED, CREATED, CHALLENGED, NEEDS_HTTPS, NEEDS_HTTPS]],
  ['create', 'user01-only', [CREATED, CREATED, CREATED, DENIED, CREATED, CHALLENGED, NEEDS_HTTPS, NEEDS_HTTPS]],
  ['read-restricted', 'prefix-group', [OK, OK, OK, DENIED, OK, CHALLENGED, NEEDS_HTTPS, NEEDS_HTTPS]],
  ['read-restricted', 'user01-only', [OK, OK, DENIED, DENIED, DENIED, CHALLENGED, NEEDS_HTTPS, NEEDS_HTTPS]],
  ['add-value', 'prefix-group', [CREATED, CREATED, CREATED, DENIED, CREATED, CHALLENGED, NEEDS_HTTPS, NEEDS_HTTPS]],
  ['add-value', 'user01-only', [CREATED, CREATED, DENIED, DENIED, DENIED, CHALLENGED, NEEDS_HTTPS, NEEDS_HTTPS]],
  ['modify-value', 'prefix-group', [OK, OK, OK, DENIED, OK, CHALLENGED, NEEDS_HTTPS, NEEDS_HTTPS]],
  ['modify-value', 'user01-only', [OK, OK, DENIED, DENIED, DENIED, CHALLENGED, NEEDS_HTTPS, NEEDS_HTTPS]],
  ['remove-value', 'prefix-group', [OK, OK, OK, DENIED, OK, CHALLENGED, NEEDS_HTTPS, NEEDS_HTTPS]],
  ['remove-value', 'user01-only', [OK, OK, DENIED, DENIED, DENIED, CHALLENGED, NEEDS_HTTPS, NEEDS_HTTPS]],
  ['modify-hs-admin', 'prefix-group', [OK, OK, OK, DENIED, OK, CHALLENGED, NEEDS_HTTPS, NEEDS_HTTPS]],
  ['modify-hs-admin', 'user01-only', [OK, OK, DENIED, DENIED, DENIED, CHALLENGED, NEEDS_HTTPS, NEEDS_HTTPS]],
  ['delete-handle', 'prefix-group', [OK, OK, OK, DENIED, OK, CHALLENGED, NEEDS_HTTPS, NEEDS_HTTPS]],
  ['delete-handle', 'user01-only', [OK, OK, DENIED, DENIED, DENIED, CHALLENGED, NEEDS_HTTPS, NEEDS_HTTPS]],
  ['list-handles', 'any', [OK, OK, OK, DENIED, OK, CHALLENGED, NEEDS_HTTPS, NEEDS_HTTPS]],
  ['list-prefixes', 'any', [OK, DENIED, DENIED, DENIED, DENIED, CHALLENGED, NEEDS_HTTPS, NEEDS_HTTPS]],
  ['write-warmup', 'any', [CREATED, DENIED, DENIED, DENIED, DENIED, CHALLENGED, NEEDS_HTTPS, NEEDS_HTTPS]],
];

const RESTRICTED_INDEX = 3;
const WARMUP_INDEX = 50;

function hsAdmin(owner: Owner, permissions = '011111110011'): Record<string, unknown> {
  // B2HANDLE's default entry sends the admin index as the string "200".
  const value = owner === 'prefix-group' ? { handle: `0.NA/${PREFIX}`, index: '200', permissions } : { handle: `${PREFIX}/USER01`, index: 300, permissions };
  return { index: 100, type: 'HS_ADMIN', data: { format: 'admin', value } };
}

function recordValues(handle: string, owner: Owner): Array<Record<string, unknown>> {
  return [
    { index: 1, type: 'URL', data: `https://example.org/${handle}` },
    { index: 2, type: 'NOTE', data: 'to be removed' },
    { index: RESTRICTED_INDEX, type: 'SECRET_NOTE', permissions: '1100', data: `restricted-${handle}` },
    hsAdmin(owner),
  ];
}

interface ValueJson {
  index: number;
  type: string;
  data: { format: string; value: unknown };
}

let t: TestServer;
let traineeB: BasicIdentity;
let traineeC: BasicIdentity;

before(async () => {
  t = await startTestServer({ storage: 'data-dir' });
  // Plain member: a password identity whose handle's HS_ADMIN is the prefix group, but not in the group.
  traineeB = await addIdentityWithCli(t.dataDir!, `300:${PREFIX}/USER02`);
  traineeC = await addIdentityWithCli(t.dataDir!, `300:${PREFIX}/USER03`, { adminOf: PREFIX });
});

after(async () => {
  await t?.close();
});

/** Sends a request as one of the callers, the way B2HANDLE would (Basic, or the certificate plus the Handle clientCert header on writes). */
function sendAs(caller: Caller, method: string, path: string, body?: unknown): Promise<HttpResult> {
  const base = { method, path, ...(body !== undefined ? { body } : {}) };
  switch (caller) {
    case 'instructor':
      return t.request({ ...base, as: 'instructor' });
    case 'traineeA-basic':
      return t.request({ ...base, as: 'trainee-basic' });
    case 'traineeA-cert':
      return t.request({ ...base, as: 'trainee-cert' });
    case 'traineeB':
      return t.request({ ...base, headers: { authorization: basicHeader(traineeB.identity, traineeB.password) } });
    case 'traineeC':
      return t.request({ ...base, headers: { authorization: basicHeader(traineeC.identity, traineeC.password) } });
    case 'anonymous-https':
      return t.request({ ...base, as: 'anonymous' });
    case 'anonymous-http':
      return t.request({ ...base, scheme: 'http', as: 'anonymous' });
    case 'traineeA-basic-over-http':
      return t.request({ ...base, scheme: 'http', as: 'trainee-basic' });
  }
}

/** The whole record as the instructor (server admin) sees it, restricted values included; undefined when absent. */
async function recordOf(handle: string): Promise<ValueJson[] | undefined> {
  const result = await t.request({ path: `/api/handles/${handle}?publicOnly=false`, as: 'instructor' });
  if (result.status === 404) return undefined;
  assert.equal(result.status, 200, `instructor GET ${handle}: ${result.text}`);
  return (result.json() as { values: ValueJson[] }).values;
}

async function createAsInstructor(handle: string, owner: Owner): Promise<void> {
  const result = await t.request({
    method: 'PUT',
    path: `/api/handles/${handle}?overwrite=false`,
    as: 'instructor',
    body: { values: recordValues(handle, owner) },
  });
  assert.equal(result.status, 201, `setup: create ${handle}: ${result.status} ${result.text}`);
}

interface Row {
  /** The handle the operation targets (absent before a create). */
  target: string;
  run(caller: Caller): Promise<HttpResult>;
  /** What must be true afterwards when the operation succeeded. */
  effect(before: ValueJson[] | undefined, after: ValueJson[] | undefined, result: HttpResult): void;
}

function valueAt(values: ValueJson[] | undefined, index: number): ValueJson | undefined {
  return values?.find((v) => v.index === index);
}

async function prepare(operation: Operation, owner: Owner | 'any'): Promise<Row> {
  const handle = `${PREFIX}/${uniqueName('AUTHZ')}`;
  const ownerOfRecord: Owner = owner === 'any' ? 'prefix-group' : owner;
  if (operation === 'write-warmup') {
    return {
      target: WARMUP_HANDLE,
      run: (caller) =>
        sendAs(caller, 'PUT', `/api/handles/${WARMUP_HANDLE}?index=${WARMUP_INDEX}`, {
          values: [{ index: WARMUP_INDEX, type: 'NOTE', data: `written by ${caller}` }],
        }),
      effect: (_before, after) => assert.equal(valueAt(after, WARMUP_INDEX)?.type, 'NOTE'),
    };
  }
  if (operation === 'create') {
    return {
      target: handle,
      run: (caller) => sendAs(caller, 'PUT', `/api/handles/${handle}`, { values: recordValues(handle, ownerOfRecord) }),
      effect: (_before, after, result) => {
        assert.equal((result.json() as { handle?: unknown }).handle, handle);
        assert.deepEqual(
          after?.map((v) => v.index),
          [1, 2, RESTRICTED_INDEX, 100],
        );
      },
    };
  }
  await createAsInstructor(handle, ownerOfRecord);
  const path = `/api/handles/${handle}`;
  switch (operation) {
    case 'read-restricted':
      return {
        target: handle,
        run: (caller) => sendAs(caller, 'GET', `${path}?publicOnly=false`),
        effect: (_before, _after, result) => {
          const values = (result.json() as { values: ValueJson[] }).values;
          assert.equal(valueAt(values, RESTRICTED_INDEX)?.data.value, `restricted-${handle}`, 'the restricted value is returned');
        },
      };
    case 'add-value':
      return {
        target: handle,
        run: (caller) => sendAs(caller, 'PUT', `${path}?index=4`, { values: [{ index: 4, type: 'EMAIL', data: 'added@example.org' }] }),
        effect: (_before, after) => assert.equal(valueAt(after, 4)?.data.value, 'added@example.org'),
      };
    case 'modify-value':
      return {
        target: handle,
        run: (caller) => sendAs(caller, 'PUT', `${path}?index=1`, { values: [{ index: 1, type: 'URL', data: 'https://example.org/changed' }] }),
        effect: (_before, after) => assert.equal(valueAt(after, 1)?.data.value, 'https://example.org/changed'),
      };
    case 'remove-value':
      return {
        target: handle,
        run: (caller) => sendAs(caller, 'DELETE', `${path}?index=2`),
        effect: (_before, after) => assert.equal(valueAt(after, 2), undefined),
      };
    case 'modify-hs-admin':
      return {
        target: handle,
        run: (caller) => sendAs(caller, 'PUT', `${path}?index=100`, { values: [hsAdmin(ownerOfRecord, '111111110011')] }),
        effect: (_before, after) => assert.equal((valueAt(after, 100)?.data.value as { permissions?: unknown } | undefined)?.permissions, '111111110011'),
      };
    case 'delete-handle':
      return {
        target: handle,
        run: (caller) => sendAs(caller, 'DELETE', path),
        effect: (_before, after) => assert.equal(after, undefined, 'the handle is gone'),
      };
    case 'list-handles':
      return {
        target: handle,
        run: (caller) => sendAs(caller, 'GET', `/api/handles?prefix=${PREFIX}`),
        effect: (_before, _after, result) => {
          const body = result.json() as { handles: string[]; totalCount: string };
          assert.ok(body.handles.includes(handle), `the listing holds ${handle}`);
          assert.equal(body.totalCount, String(body.handles.length));
        },
      };
    case 'list-prefixes':
      return {
        target: handle,
        run: (caller) => sendAs(caller, 'GET', '/api/prefixes'),
        effect: (_before, _after, result) => {
          assert.ok((result.json() as { prefixes: string[] }).prefixes.includes(`0.NA/${PREFIX}`));
        },
      };
  }
}

function outcomeWords(outcome: Outcome): string {
  if (outcome.responseCode === 1) return `succeeds with ${outcome.status} and responseCode 1`;
  if (outcome.status === 401) return 'is challenged with 401 and responseCode 402';
  return `is refused with ${outcome.status} and responseCode ${outcome.responseCode}`;
}

test('the Basic header builder percent-encodes the user name as B2HANDLE does and keeps the password raw', () => {
  assert.equal(basicHeader('300:foo/bar', 'mypassword'), 'Basic MzAwJTNBZm9vL2JhcjpteXBhc3N3b3Jk');
  assert.equal(basicHeader('100:user/name', 'password123'), 'Basic MTAwJTNBdXNlci9uYW1lOnBhc3N3b3JkMTIz');
  assert.equal(basicHeader('999:user/name', 'apassword'), 'Basic OTk5JTNBdXNlci9uYW1lOmFwYXNzd29yZA==');
  assert.equal(pythonQuote('300:a b@c/ü~'), '300%3Aa%20b%40c/%C3%BC~');
  assert.equal(Buffer.from(basicHeader('1:x/y', 'p:%'), 'utf8').toString(), `Basic ${Buffer.from('1%3Ax/y:p:%').toString('base64')}`);
});

test('the identities made with the CLI while the server runs authenticate as themselves', async () => {
  for (const [caller, id] of [
    ['traineeA-basic', `300:${PREFIX}/USER01`],
    ['traineeA-cert', `301:${PREFIX}/USER01`],
    ['traineeB', `300:${PREFIX}/USER02`],
    ['traineeC', `300:${PREFIX}/USER03`],
    ['instructor', `300:0.NA/${PREFIX}`],
  ] as const) {
    const result = await sendAs(caller, 'GET', '/api/sessions/this');
    assert.equal(result.status, 200, `${caller}: ${result.text}`);
    assert.deepEqual(result.json(), { authenticated: true, id });
  }
});

test('the expected-outcome table covers every caller for every operation and owner', () => {
  for (const [operation, owner, outcomes] of EXPECTED) assert.equal(outcomes.length, CALLERS.length, `${operation}/${owner}`);
  const ownerDependent = EXPECTED.filter(([, owner]) => owner !== 'any').map(([op, owner]) => `${op}/${owner}`);
  for (const op of ['create', 'read-restricted', 'add-value', 'modify-value', 'remove-value', 'modify-hs-admin', 'delete-handle']) {
    assert.ok(ownerDependent.includes(`${op}/prefix-group`) && ownerDependent.includes(`${op}/user01-only`), op);
  }
});

describe('authorisation matrix', () => {
  afterEach(async () => {
    // The warm-up Handle is shared: take back whatever a permitted write added to it.
    const values = await recordOf(WARMUP_HANDLE);
    if (valueAt(values, WARMUP_INDEX)) {
      const result = await t.request({ method: 'DELETE', path: `/api/handles/${WARMUP_HANDLE}?index=${WARMUP_INDEX}`, as: 'instructor' });
      assert.equal(result.status, 200, `cleanup of the warm-up Handle: ${result.text}`);
    }
  });

  for (const [operation, owner, outcomes] of EXPECTED) {
    CALLERS.forEach((caller, column) => {
      const expected = outcomes[column]!;
      const object = owner === 'any' ? '' : ` ${OWNER_LABELS[owner]}`;
      const name = `${CALLER_LABELS[caller]} ${OPERATION_LABELS[operation]}${object} ${outcomeWords(expected)}`;
      test(name, async () => {
        const row = await prepare(operation, owner);
        const before = await recordOf(row.target);
        const result = await row.run(caller);
        const context = `got ${result.status} ${JSON.stringify(result.text.slice(0, 300))}`;
        assert.equal(result.status, expected.status, context);
        assert.match(String(result.headers['content-type']), /^application\/json/, context);
        assert.equal((result.json() as { responseCode?: unknown }).responseCode, expected.responseCode, context);
        if (expected.status === 401) {
          assert.ok(
            headerValues(result, 'www-authenticate').some((v) => v === 'Basic realm="handle"'),
            'the 401 carries the Basic challenge',
          );
        }
        const after = await recordOf(row.target);
        if (expected.responseCode === 1) {
          row.effect(before, after, result);
        } else {
          assert.deepEqual(after, before, 'a refused request leaves the record exactly as it was');
          assert.ok(!result.text.includes(`restricted-${row.target}`), 'a refused request does not reveal the restricted value');
        }
      });
    });
  }
});
