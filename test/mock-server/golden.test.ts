// Plays every golden case under test/golden/<area>/<name>.json against a real mock server over HTTP:
// one fresh in-memory server per area, the case's setup requests, the request, its expectations and
// follow-up requests. A case that expects an error must also leave the server's state untouched.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { B2SAFE_IRODS_PID_COUNT, B2SAFE_PID_COUNT } from '../../mock-server/fixtures/seed-records.js';
import { basicHeader, headerValues, realmBasicHeader, type HttpResult } from '../support/http.js';
import {
  startTestServer,
  storeSnapshot,
  uniqueName,
  WARMUP_DOI,
  WARMUP_HANDLE,
  type CallerName,
  type Scheme,
  type TestServer,
} from '../support/mock-server.js';

const GOLDEN_DIR = resolve(__dirname, '../golden');

/** A request as a case file writes it. */
interface CaseRequest {
  method?: string;
  path: string;
  scheme?: Scheme;
  as?: CallerName;
  /** Basic credentials other than the named callers'; `encoding: "raw"` skips B2HANDLE's percent-encoding of the user. */
  basic?: { user: string; password: string; encoding?: 'b2handle' | 'raw' };
  headers?: Record<string, string>;
  /** JSON (sent with Content-Type: application/json) or, as a string, the exact body text. */
  body?: unknown;
  /** Exact body bytes in hex, for bodies that are not valid UTF-8. */
  bodyHex?: string;
  /** A valid `{"values":[...]}` document padded to exactly this many bytes. */
  paddedJsonBytes?: number;
}

interface CaseExpect {
  status: number | number[];
  /** Header name → exact value, or `/regex/flags`; a repeated header passes if one of its values does. */
  headers?: Record<string, string>;
  /** Headers that must not be present. */
  absentHeaders?: string[];
  /** Subset match: see matchJson. */
  json?: unknown;
  /** Length of the top-level JSON array (or number of keys of an object). */
  jsonLength?: number | string;
  text?: string | string[];
  absentText?: string | string[];
  emptyBody?: boolean;
}

interface SetupStep extends CaseRequest {
  /** Default: any 2xx. */
  expectStatus?: number | number[];
}

interface GoldenCase {
  description: string;
  setup?: SetupStep[];
  request: CaseRequest;
  expect: CaseExpect;
  followUp?: Array<{ request: CaseRequest; expect: CaseExpect }>;
}

interface CaseFile {
  area: string;
  name: string;
  path: string;
  golden: GoldenCase;
}

function loadCases(): Map<string, CaseFile[]> {
  const areas = new Map<string, CaseFile[]>();
  for (const area of readdirSync(GOLDEN_DIR).sort()) {
    const dir = join(GOLDEN_DIR, area);
    if (!statSync(dir).isDirectory()) continue;
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort();
    areas.set(
      area,
      files.map((file) => {
        const path = join(dir, file);
        const golden = JSON.parse(readFileSync(path, 'utf8')) as GoldenCase;
        assert.equal(typeof golden.description, 'string', `${path} has a description`);
        assert.ok(golden.request && golden.expect, `${path} has a request and an expect`);
        return { area, name: file.replace(/\.json$/, ''), path, golden };
      }),
    );
  }
  return areas;
}

/** Placeholder values a case may use as `${NAME}`; a string that is exactly `${NAME}` of a number becomes that number. */
function variables(t: TestServer, unique: string): Record<string, string | number> {
  return {
    PREFIX: t.prefix,
    UNIQUE: unique,
    HTTP_URL: t.server.httpUrl,
    HTTPS_URL: t.server.httpsUrl,
    PORT: t.server.port,
    TRAINEE_USER: t.trainee.identity,
    TRAINEE_PASSWORD: t.trainee.password,
    INSTRUCTOR_USER: t.instructor.identity,
    INSTRUCTOR_PASSWORD: t.instructor.password,
    SEARCH_USER: t.searchUser.name,
    SEARCH_PASSWORD: t.searchUser.password,
    ADMIN_TOKEN: t.adminToken,
    WARMUP_HANDLE,
    WARMUP_DOI,
    B2SAFE_PID_COUNT,
    B2SAFE_IRODS_PID_COUNT,
  };
}

function substitute<T>(value: T, vars: Record<string, string | number>): T {
  if (typeof value === 'string') {
    const whole = /^\$\{([A-Z0-9_]+)\}$/.exec(value);
    if (whole && typeof vars[whole[1]!] === 'number') return vars[whole[1]!] as T;
    return value.replace(/\$\{([A-Z0-9_]+)\}/g, (match, name: string) => {
      if (!(name in vars)) throw new Error(`unknown placeholder ${match}`);
      return String(vars[name]);
    }) as T;
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, vars)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [substitute(k, vars), substitute(v, vars)])) as T;
  }
  return value;
}

function paddedJson(bytes: number): string {
  const empty = JSON.stringify({ values: [{ index: 1, type: 'URL', data: '' }] });
  if (bytes < empty.length) throw new Error(`paddedJsonBytes must be at least ${empty.length}`);
  return JSON.stringify({ values: [{ index: 1, type: 'URL', data: 'x'.repeat(bytes - empty.length) }] });
}

async function send(t: TestServer, req: CaseRequest): Promise<HttpResult> {
  const headers: Record<string, string> = { ...(req.headers ?? {}) };
  if (req.basic) {
    headers.authorization =
      req.basic.encoding === 'raw' ? realmBasicHeader(req.basic.user, req.basic.password) : basicHeader(req.basic.user, req.basic.password);
  }
  let body: unknown = req.body;
  if (req.bodyHex !== undefined) body = Buffer.from(req.bodyHex.replace(/\s+/g, ''), 'hex');
  if (req.paddedJsonBytes !== undefined) body = paddedJson(req.paddedJsonBytes);
  return t.request({
    method: req.method ?? 'GET',
    path: req.path,
    scheme: req.scheme ?? 'https',
    headers,
    ...(body !== undefined ? { body } : {}),
    ...(req.as ? { as: req.as } : {}),
  });
}

function describeResult(result: HttpResult): string {
  return `${result.status} ${JSON.stringify(result.headers['content-type'] ?? '')} ${JSON.stringify(result.text.slice(0, 400))}`;
}

function regexOf(text: string): RegExp | undefined {
  const m = /^\/(.*)\/([a-z]*)$/s.exec(text);
  return m ? new RegExp(m[1]!, m[2]) : undefined;
}

/**
 * Subset match of JSON: objects need every expected key (`"$absent"` = key must not exist);
 * arrays need every expected element to match a distinct actual element, in any order (`[]` = empty);
 * `{"$regex": "..."}` matches a string; everything else is strict equality.
 */
function matchJson(actual: unknown, expected: unknown, path: string): string | undefined {
  if (expected && typeof expected === 'object' && !Array.isArray(expected) && '$regex' in expected) {
    const pattern = new RegExp(String((expected as { $regex: unknown }).$regex));
    return typeof actual === 'string' && pattern.test(actual) ? undefined : `${path}: ${JSON.stringify(actual)} does not match ${pattern}`;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path}: expected an array, got ${JSON.stringify(actual)}`;
    if (expected.length === 0) return actual.length === 0 ? undefined : `${path}: expected [], got ${JSON.stringify(actual)}`;
    const used = new Set<number>();
    for (const [i, element] of expected.entries()) {
      const found = actual.findIndex((candidate, j) => !used.has(j) && matchJson(candidate, element, `${path}[${j}]`) === undefined);
      if (found < 0) return `${path}: no element matches expected[${i}] ${JSON.stringify(element)} in ${JSON.stringify(actual).slice(0, 600)}`;
      used.add(found);
    }
    return undefined;
  }
  if (expected && typeof expected === 'object') {
    if (!actual || typeof actual !== 'object' || Array.isArray(actual)) return `${path}: expected an object, got ${JSON.stringify(actual)}`;
    for (const [key, value] of Object.entries(expected)) {
      const has = Object.hasOwn(actual, key);
      if (value === '$absent') {
        if (has) return `${path}.${key} must be absent, got ${JSON.stringify((actual as Record<string, unknown>)[key])}`;
        continue;
      }
      if (!has) return `${path}.${key} is missing in ${JSON.stringify(actual).slice(0, 600)}`;
      const problem = matchJson((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
      if (problem) return problem;
    }
    return undefined;
  }
  return actual === expected ? undefined : `${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
}

function list(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function check(result: HttpResult, expect: CaseExpect, what: string): void {
  const context = `${what}: got ${describeResult(result)}`;
  const statuses = Array.isArray(expect.status) ? expect.status : [expect.status];
  assert.ok(statuses.includes(result.status), `${context}\n  expected status ${statuses.join(' or ')}`);
  for (const [name, wanted] of Object.entries(expect.headers ?? {})) {
    const values = headerValues(result, name);
    const pattern = regexOf(wanted);
    const ok = [...values, values.join(', ')].some((v) => (pattern ? pattern.test(v) : v === wanted));
    assert.ok(ok, `${context}\n  header ${name}: expected ${wanted}, got ${JSON.stringify(values)}`);
  }
  for (const name of expect.absentHeaders ?? []) {
    assert.equal(headerValues(result, name).length, 0, `${context}\n  header ${name} must be absent`);
  }
  if (expect.emptyBody) assert.equal(result.bytes.length, 0, `${context}\n  expected an empty body`);
  for (const fragment of list(expect.text)) assert.ok(result.text.includes(fragment), `${context}\n  body should contain ${JSON.stringify(fragment)}`);
  for (const fragment of list(expect.absentText)) {
    assert.ok(!result.text.includes(fragment), `${what}: body must not contain ${JSON.stringify(fragment)}, got ${JSON.stringify(result.text.slice(0, 2000))}`);
  }
  if (expect.json !== undefined || expect.jsonLength !== undefined) {
    const body = result.json();
    if (expect.json !== undefined) {
      const problem = matchJson(body, expect.json, '$');
      assert.equal(problem, undefined, `${context}\n  ${problem}`);
    }
    if (expect.jsonLength !== undefined) {
      const length = Array.isArray(body) ? body.length : body && typeof body === 'object' ? Object.keys(body).length : -1;
      assert.equal(length, Number(expect.jsonLength), `${context}\n  expected JSON length ${expect.jsonLength}`);
    }
  }
}

const areas = loadCases();

test('the golden folder holds cases for every area this runner is meant to cover', () => {
  for (const area of ['admin', 'api', 'files', 'hrls', 'resolver']) {
    assert.ok((areas.get(area) ?? []).length > 0, `test/golden/${area}/ has cases`);
  }
});

for (const [area, cases] of areas) {
  describe(`golden cases in ${area}/`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer({ storage: 'memory' });
    });
    after(async () => {
      await t.close();
    });

    for (const file of cases) {
      test(`${file.golden.description.replace(/\.$/, '')} (${area}/${file.name})`, async () => {
        const golden = substitute(file.golden, variables(t, uniqueName(file.name.slice(0, 12))));
        for (const [i, step] of (golden.setup ?? []).entries()) {
          const result = await send(t, step);
          const wanted = step.expectStatus === undefined ? undefined : Array.isArray(step.expectStatus) ? step.expectStatus : [step.expectStatus];
          const ok = wanted ? wanted.includes(result.status) : result.status >= 200 && result.status < 300;
          assert.ok(ok, `setup[${i}] ${step.method ?? 'GET'} ${step.path}: got ${describeResult(result)}`);
        }
        const before = storeSnapshot(t.server);
        const result = await send(t, golden.request);
        const statuses = Array.isArray(golden.expect.status) ? golden.expect.status : [golden.expect.status];
        const refused = statuses.every((s) => s >= 400);
        const changed = refused && storeSnapshot(t.server) !== before;
        try {
          check(result, golden.expect, `${golden.request.method ?? 'GET'} ${golden.request.path}`);
        } catch (error) {
          // Both faults matter: say so when a request that should be refused also changed the store.
          if (!changed || !(error instanceof Error)) throw error;
          throw new assert.AssertionError({ message: `${error.message}\n  and the request changed the store, which a refused request must not` });
        }
        assert.equal(changed, false, 'a refused request must change nothing in the store');
        for (const [i, step] of (golden.followUp ?? []).entries()) {
          const followResult = await send(t, step.request);
          check(followResult, step.expect, `followUp[${i}] ${step.request.method ?? 'GET'} ${step.request.path}`);
        }
      });
    }
  });
}
