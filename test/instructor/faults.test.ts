// Teaching faults against a real `pid-mock serve` process: the `pid-mock faults` command and the admin
// API switch them on, a client meets the 503s and the added latency (lower bounds only), they switch
// off by themselves, bad input is refused without changing anything, and the client's retry and
// timeout options behave as documented, and what a trainee reads under faults says they are on purpose.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { Agent, request } from 'undici';
import { startMockProcess, type MockProcess } from '../support/mock-process.js';
import { PID_MOCK_BIN, ROOT } from '../support/paths.js';
import { checksumOfUrl } from '../../src/checksum.js';
import { HandleClient } from '../../src/client.js';
import { PIDClientCredentials } from '../../src/credentials.js';
import { busyHint } from '../../src/error-kinds.js';
import { HandleServerBusyError, HandleTimeoutError, ReverseLookupError } from '../../src/errors.js';
import { mayRetry } from '../../src/transport/retry.js';

const execFileAsync = promisify(execFile);
const SEED = '11304/cf8956a2-39d3-11e5-8a18-f31aa6f4d448';

let server: MockProcess;
let agent: Agent;

before(async () => {
  server = await startMockProcess();
  agent = new Agent({ connect: { ca: readFileSync(server.caFile) } });
});

after(async () => {
  await agent?.close();
  await server?.stop();
});

async function pidMock(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [PID_MOCK_BIN, ...args], { cwd: ROOT });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function admin(method: 'GET' | 'PUT' | 'DELETE', body?: unknown, token = server.adminToken) {
  const response = await request(`${server.httpsUrl}/_admin/faults`, {
    method,
    dispatcher: agent,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? null : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return {
    status: response.statusCode,
    json: (await response.body.json()) as { responseCode: number; message?: string; faults?: { active: boolean; until?: string } },
  };
}

async function get(path: string, scheme: 'http' | 'https' = 'https') {
  const started = performance.now();
  const response = await request(`${scheme === 'https' ? server.httpsUrl : server.httpUrl}${path}`, { dispatcher: agent });
  const text = await response.body.text();
  return { status: response.statusCode, text, retryAfter: response.headers['retry-after'], ms: performance.now() - started };
}

function reader(options: ConstructorParameters<typeof HandleClient>[0] = {}): HandleClient {
  return HandleClient.forReadAccess(server.httpsUrl, { httpsVerify: server.caFile, ...options });
}

async function waitUntilOff(limitMs: number): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if (!(await admin('GET')).json.faults?.active) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`faults were still on after ${limitMs} ms`);
}

describe('pid-mock faults: bad input', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['a fail rate above 1', ['--fail-rate', '2', '--for', '5m'], /--fail-rate .*0 to 1.*"2"/],
    ['a latency that is not a duration', ['--latency', 'abc', '--for', '5m'], /--latency .*duration.*"abc"/],
    ['a zero duration', ['--latency', '100ms', '--for', '0'], /--for .*longer than 0/],
    ['no duration', ['--latency', '100ms'], /--for is needed/],
    ['an unknown area', ['--latency', '100ms', '--for', '1m', '--area', 'api,dns'], /--area: unknown area "dns"/],
    ['nothing to switch on', ['--for', '1m'], /nothing to switch on/],
  ];
  for (const [what, args, message] of cases) {
    test(`${what}: a message naming the flag, exit code 2, nothing switched on`, async () => {
      const run = await pidMock(['faults', ...args, '--data', server.dataDir]);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, message);
      assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
      assert.equal((await admin('GET')).json.faults?.active, false);
    });
  }

  test('the admin API refuses the same mistakes with a Handle-shaped 400', async () => {
    for (const [body, field] of [
      [{ failRate: 2, for: '5m' }, /failRate/],
      [{ latency: 'abc', for: '5m' }, /latency/],
      [{ latency: '100ms', for: 0 }, /for must be longer than 0/],
      [{ latency: '100ms', for: '1m', area: ['api'] }, /unknown field "area"/],
      ['{not json', /must be JSON/],
    ] as Array<[unknown, RegExp]>) {
      const answer = await admin('PUT', body);
      assert.equal(answer.status, 400, JSON.stringify(body));
      assert.equal(answer.json.responseCode, 4);
      assert.match(answer.json.message ?? '', field);
    }
    assert.equal((await admin('GET')).json.faults?.active, false);
  });

  test('a wrong admin token is refused (Handle-shaped) and changes nothing', async () => {
    const answer = await admin('PUT', { failRate: 1, for: '1m' }, 'not-the-token-at-all');
    assert.equal(answer.status, 403);
    assert.equal(answer.json.responseCode, 402);
    assert.equal((await admin('GET')).json.faults?.active, false);
  });
});

describe('teaching faults on a running server', () => {
  test('pid-mock faults: 503s on the chosen area only, with Retry-After; admin and health never faulted; off by itself', async () => {
    const run = await pidMock(['faults', '--fail-rate', '1', '--for', '5m', '--area', 'api', '--data', server.dataDir]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Teaching faults on: 100% of requests answered 503 on api/);

    const busy = await get(`/api/handles/${SEED}`);
    assert.equal(busy.status, 503);
    assert.equal(busy.retryAfter, '1');
    assert.deepEqual(JSON.parse(busy.text), { responseCode: 3, message: 'Server too busy: a teaching fault the instructor switched on, try again shortly' });
    assert.equal((await get(`/${SEED}?noredirect`, 'http')).status, 200, 'the resolver was not chosen');
    assert.equal((await get('/_admin/health')).status, 200);

    const client = reader();
    await assert.rejects(client.retrieveHandleRecordJson(SEED), (error: unknown) => {
      assert.ok(error instanceof HandleServerBusyError);
      assert.equal(error.httpStatus, 503);
      assert.equal(error.responseCode, 3);
      assert.equal(error.handle, SEED);
      assert.equal(error.tries, 1);
      return true;
    });
    await client.close();
    assert.equal((await pidMock(['faults', 'off', '--data', server.dataDir])).code, 0);
  });

  test('faults switch off by themselves when their time is up', async () => {
    const on = await admin('PUT', { failRate: 1, for: '1s', areas: ['api'] });
    assert.equal(on.json.faults?.active, true);
    await waitUntilOff(15_000);
    const client = reader();
    assert.equal((await client.retrieveHandleRecordJson(SEED))?.handle, SEED);
    await client.close();
  });

  test('added latency: every answer takes at least that long; pid-mock faults off ends it', async () => {
    const run = await pidMock(['faults', '--latency', '400ms', '--for', '5m', '--area', 'api,resolver', '--data', server.dataDir]);
    assert.equal(run.code, 0, run.stderr);
    const api = await get(`/api/handles/${SEED}`);
    assert.equal(api.status, 200);
    assert.ok(api.ms >= 390, `API answer after ${api.ms} ms`);
    const resolver = await get(`/${SEED}?noredirect`, 'http');
    assert.ok(resolver.ms >= 390, `resolver answer after ${resolver.ms} ms`);
    const status = await pidMock(['faults', 'status', '--data', server.dataDir]);
    assert.match(status.stdout, /\+400 ms latency on api, resolver/);
    const off = await pidMock(['faults', 'off', '--data', server.dataDir]);
    assert.equal(off.code, 0, off.stderr);
    assert.match(off.stdout, /Teaching faults are off/);
    assert.equal((await admin('GET')).json.faults?.active, false);
  });

  test('reverse look-ups get the servlet-shaped 503', async () => {
    assert.equal((await admin('PUT', { failRate: 1, for: '1m', areas: ['hrls'] })).status, 200);
    const answer = await get('/hrls/handles?URL=*');
    assert.equal(answer.status, 503);
    assert.match(answer.text, /^"Server too busy/);
    assert.equal((await get(`/api/handles/${SEED}`)).status, 200);
    await admin('DELETE');
  });
});

describe('client retries and timeout against faults', () => {
  test('retries ride out faults that switch off meanwhile', async () => {
    const busyBefore = (server.stderr().match(/"status":503/g) ?? []).length;
    assert.equal((await admin('PUT', { failRate: 1, for: '3s', areas: ['api'] })).status, 200);
    const client = reader({ retries: 8, retryDelayMs: 200, maxRetryDelayMs: 1000 });
    const record = await client.retrieveHandleRecordJson(SEED);
    assert.equal(record?.handle, SEED);
    await client.close();
    await new Promise((r) => setTimeout(r, 100));
    assert.ok((server.stderr().match(/"status":503/g) ?? []).length > busyBefore, 'it met 503s before the faults ended');
  });

  test('giving up says which handle, how many tries and the last status', async () => {
    assert.equal((await admin('PUT', { failRate: 1, for: '1m', areas: ['api'] })).status, 200);
    const client = reader({ retries: 2, retryDelayMs: 10, maxRetryDelayMs: 50 });
    await assert.rejects(client.retrieveHandleRecordJson(SEED), (error: unknown) => {
      assert.ok(error instanceof HandleServerBusyError);
      assert.equal(error.tries, 3);
      assert.equal(error.httpStatus, 503);
      assert.match(error.message, new RegExp(`read ${SEED}: HTTP 503, responseCode 3 .*gave up after 3 tries`));
      return true;
    });
    await client.close();
    await admin('DELETE');
  });

  test('Retry-After is honoured over a shorter backoff', async () => {
    assert.equal((await admin('PUT', { failRate: 1, for: '1m', areas: ['api'] })).status, 200);
    const client = reader({ retries: 1, retryDelayMs: 0 });
    const started = performance.now();
    await assert.rejects(client.retrieveHandleRecordJson(SEED), HandleServerBusyError);
    assert.ok(performance.now() - started >= 990, 'waited the 1 s the server asked for');
    await client.close();
    await admin('DELETE');
  });

  test('a request timeout shorter than the added latency ends in a HandleTimeoutError', async () => {
    assert.equal((await admin('PUT', { latency: '1500ms', for: '1m', areas: ['api'] })).status, 200);
    const client = reader({ timeoutMs: 300 });
    await assert.rejects(client.retrieveHandleRecordJson(SEED), (error: unknown) => {
      assert.ok(error instanceof HandleTimeoutError, String(error));
      assert.match(error.message, /within 300 ms/);
      return true;
    });
    await client.close();
    await admin('DELETE');
  });

  test('only idempotent requests are retried: GET, DELETE, and PUT unless it creates (overwrite=false) or mints a suffix', () => {
    const base = 'https://127.0.0.1:1/api/handles/21.T12995/x';
    assert.equal(mayRetry('GET', base), true);
    assert.equal(mayRetry('DELETE', base), true);
    assert.equal(mayRetry('PUT', `${base}?overwrite=true`), true);
    assert.equal(mayRetry('PUT', `${base}?index=2`), true);
    assert.equal(mayRetry('PUT', `${base}?overwrite=false`), false);
    assert.equal(mayRetry('PUT', `${base}?mintNewSuffix=true`), false);
    assert.equal(mayRetry('POST', base), false);
  });

  test('each try is a real request: the server logs one 503 per try', async () => {
    assert.equal((await admin('PUT', { failRate: 1, for: '1m', areas: ['api'] })).status, 200);
    const before = (server.stderr().match(/"status":503/g) ?? []).length;
    const client = reader({ retries: 2, retryDelayMs: 10 });
    await assert.rejects(client.retrieveHandleRecordJson(SEED), HandleServerBusyError);
    await client.close();
    await admin('DELETE');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal((server.stderr().match(/"status":503/g) ?? []).length - before, 3, 'the read was sent three times');
  });
});

describe('what a trainee reads under teaching faults', () => {
  const TEACHING_FAULT_HINT =
    /^a teaching fault: the instructor made the server busy on purpose, your code is fine\. Retrying helps: wait a moment and run the cell again/;

  test('a download through the resolver (checksumOfUrl) meets a 503: busy on purpose, retrying helps; not "cannot reach"', async () => {
    assert.equal((await admin('PUT', { failRate: 1, for: '1m', areas: ['resolver'] })).status, 200);
    await assert.rejects(checksumOfUrl(`${server.httpUrl}/${SEED}`, 'md5', { httpsVerify: server.caFile }), (error: unknown) => {
      assert.ok(error instanceof HandleServerBusyError, String(error));
      assert.equal(error.httpStatus, 503);
      assert.match(error.message, /^download of \S+ answered HTTP 503: the server is too busy \(it asks to retry after 1 s\)$/);
      assert.match(error.hint, TEACHING_FAULT_HINT);
      assert.match(error.hint, /call checksumOfUrl again/);
      assert.doesNotMatch(error.hint, /cannot reach/);
      return true;
    });
    await admin('DELETE');
  });

  test('a Handle API read and a reverse look-up say the same', async () => {
    assert.equal((await admin('PUT', { failRate: 1, for: '1m', areas: ['api', 'hrls'] })).status, 200);
    const client = reader();
    await assert.rejects(client.retrieveHandleRecordJson(SEED), (error: unknown) => {
      assert.ok(error instanceof HandleServerBusyError);
      assert.match(error.hint, TEACHING_FAULT_HINT);
      assert.match(error.hint, /give the client retries: 3 to ride it out$/);
      return true;
    });
    const cred = PIDClientCredentials.loadFromJSON(server.credentialsFile);
    const searcher = await HandleClient.withCredentials(cred, { allowedSearchKeys: [] });
    await client.close();
    await assert.rejects(searcher.searchHandle({ URL: 'irods:*' }), (error: unknown) => {
      assert.ok(error instanceof ReverseLookupError, String(error));
      assert.equal(error.httpStatus, 503);
      assert.match(error.hint, TEACHING_FAULT_HINT);
      return true;
    });
    await searcher.close();
    await admin('DELETE');
  });

  test('a real server busy without a teaching fault: busy, retrying helps, no mention of a fault', () => {
    assert.equal(
      busyHint('Server too busy', 1),
      'the server is busy for now, retrying helps: wait a moment and run the cell again, or give the client retries: 3 to ride it out',
    );
    assert.equal(busyHint(undefined, 3), 'the server stayed busy: wait a moment and run the cell again, or allow more retries');
  });
});
