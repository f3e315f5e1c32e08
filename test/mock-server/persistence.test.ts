// The real `pid-mock serve` process on a data folder: what it announces, what it logs, and that every
// acknowledged write, identity, password and certificate survives a SIGKILL and a restart (only the
// server URL in the credentials files follows the new port).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Agent } from 'undici';
import { basicHeader, httpRequest, realmBasicHeader, type HttpResult } from '../support/http.js';
import { PREFIX, uniqueName } from '../support/mock-server.js';
import { assertBuilt, PID_MOCK_BIN, ROOT } from '../support/paths.js';
import { temporaryFolder } from '../support/temporary-folders.js';

interface ServeProcess {
  child: ChildProcess;
  port: number;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `node bin/pid-mock.cjs serve --data DIR --port 0` and resolves once it has printed `ready`. */
async function serve(dataDir: string): Promise<ServeProcess> {
  assertBuilt();
  const child = spawn(process.execPath, [PID_MOCK_BIN, 'serve', '--data', dataDir, '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  // 'close', not 'exit': 'exit' may come before the last stderr chunks are read, and the request log
  // test counts the lines a killed server wrote.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "ready" line within 30 s; stdout: ${stdout}; stderr: ${stderr}`)), 30_000);
    const check = () => {
      if (/^ready$/m.test(stdout)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`pid-mock serve exited (${code ?? signal}) before "ready"; stderr: ${stderr}`));
    });
  });
  await ready;
  const port = /on port (\d+)/.exec(stdout);
  assert.ok(port, `the announcement names the port: ${stdout}`);
  return { child, port: Number(port[1]), stdout: () => stdout, stderr: () => stderr, exited };
}

async function stop(process: ServeProcess | undefined, signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null } | undefined> {
  if (!process || process.child.exitCode !== null || process.child.signalCode !== null) return undefined;
  process.child.kill(signal);
  return process.exited;
}

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

/** The request log lines (`msg: "request"`) in a process's stderr; throws on a line that is not JSON. */
function requestLogLines(stderr: string): Array<Record<string, unknown>> {
  return stderr
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`stderr line is not JSON: ${line}`);
      }
    })
    .filter((entry) => entry.msg === 'request');
}

/** Waits until the request log has stopped growing, so lines of earlier requests are not counted later. */
async function settledRequestLines(process: ServeProcess): Promise<number> {
  let count = requestLogLines(process.stderr()).length;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 150));
    const now = requestLogLines(process.stderr()).length;
    if (now === count) return count;
    count = now;
  }
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const dataDir = temporaryFolder('pid-mock-persistence-');
const credentialsDir = join(dataDir, 'credentials');
const instructorDir = join(dataDir, 'instructor');
/** Files whose bytes a restart must not change: the CA, the server certificate and the trainee's certificate. */
const TLS_FILES = [
  join(dataDir, 'tls', 'ca.pem'),
  join(dataDir, 'tls', 'ca-key.pem'),
  join(dataDir, 'tls', 'server.pem'),
  join(dataDir, 'tls', 'server-key.pem'),
  join(credentialsDir, 'ca.pem'),
  join(credentialsDir, 'USER01_certificate_only.pem'),
  join(credentialsDir, 'USER01_privkey.pem'),
];

let first: ServeProcess | undefined;
let second: ServeProcess | undefined;
const agents: Agent[] = [];

/** What the first run wrote and acknowledged, checked after the crash. */
const firstRun = {
  created: [] as Array<{ handle: string; url: string }>,
  modified: '',
  valueRemovedFrom: '',
  deleted: '',
  credentials: {} as Record<string, Record<string, unknown>>,
  adminToken: '',
  tlsBytes: new Map<string, Buffer>(),
};

function credentialsFiles(): Record<string, Record<string, unknown>> {
  return {
    'cred_basic.json': readJson(join(credentialsDir, 'cred_basic.json')),
    'cred_file.json': readJson(join(credentialsDir, 'cred_file.json')),
    'cred_instructor.json': readJson(join(instructorDir, 'cred_instructor.json')),
  };
}

function tlsAgent(withCertificate: boolean): Agent {
  const ca = readFileSync(join(credentialsDir, 'ca.pem'), 'utf8');
  const agent = new Agent({
    connect: withCertificate
      ? {
          ca,
          cert: readFileSync(join(credentialsDir, 'USER01_certificate_only.pem'), 'utf8'),
          key: readFileSync(join(credentialsDir, 'USER01_privkey.pem'), 'utf8'),
        }
      : { ca },
  });
  agents.push(agent);
  return agent;
}

function trainee(): { identity: string; password: string } {
  const basic = readJson(join(credentialsDir, 'cred_basic.json'));
  return { identity: String(basic.username), password: String(basic.password) };
}

async function put(port: number, agent: Agent, path: string, body: unknown): Promise<HttpResult> {
  const { identity, password } = trainee();
  return httpRequest(`https://127.0.0.1:${port}${path}`, {
    method: 'PUT',
    headers: { authorization: basicHeader(identity, password), 'content-type': 'application/json' },
    body: JSON.stringify(body),
    dispatcher: agent,
  });
}

before(() => {
  assertBuilt();
});

after(async () => {
  await stop(first, 'SIGKILL');
  await stop(second, 'SIGKILL');
  await Promise.all(agents.map((agent) => agent.close()));
  rmSync(dataDir, { recursive: true, force: true });
});

describe('pid-mock serve on a data folder, killed and started again', () => {
  test('a first start announces the REST API, resolver, reverse look-up and credentials on stdout, then ready', async () => {
    first = await serve(dataDir);
    const p = first.port;
    const lines = first.stdout().split('\n');
    assert.equal(lines[0], `pid-mock serving prefix ${PREFIX} on port ${p}`);
    const out = first.stdout();
    assert.match(out, new RegExp(`REST API \\(HTTPS\\): +https://127\\.0\\.0\\.1:${p}/api/handles/\\n`));
    assert.match(out, new RegExp(`resolver: +http://127\\.0\\.0\\.1:${p}/\\n`));
    assert.match(out, new RegExp(`reverse look-up: +https://127\\.0\\.0\\.1:${p}/hrls/handles\\n`));
    assert.match(out, new RegExp(`repository: +http://127\\.0\\.0\\.1:${p}/files/\\n`));
    assert.ok(out.includes(`${join(credentialsDir, 'cred_file.json')} (certificate), cred_basic.json (password)`), out);
    assert.ok(out.includes(`${instructorDir}/`), out);
    assert.equal(lines.filter((l) => l === 'ready').length, 1);
    for (const secret of [trainee().password, readFileSync(join(instructorDir, 'admin-token'), 'utf8').trim()]) {
      assert.ok(!out.includes(secret), 'stdout shows no password or token');
    }
  });

  test('the serving process answers GET /_admin/health with 200 over HTTP and HTTPS without credentials', async () => {
    const p = first!.port;
    const plain = await httpRequest(`http://127.0.0.1:${p}/_admin/health`, {});
    assert.equal(plain.status, 200);
    assert.deepEqual(plain.json(), { status: 'serving' });
    const secure = await httpRequest(`https://127.0.0.1:${p}/_admin/health`, { dispatcher: tlsAgent(false) });
    assert.equal(secure.status, 200);
    assert.deepEqual(secure.json(), { status: 'serving' });
  });

  test('writes acknowledged over HTTPS survive a SIGKILL sent right after the last acknowledgement', async () => {
    const p = first!.port;
    const agent = tlsAgent(false);
    firstRun.credentials = credentialsFiles();
    firstRun.adminToken = readFileSync(join(instructorDir, 'admin-token'), 'utf8');
    for (const file of TLS_FILES) firstRun.tlsBytes.set(file, readFileSync(file));

    const record = (handle: string, url: string) => ({
      values: [
        { index: 1, type: 'URL', data: url },
        { index: 2, type: 'CHECKSUM', data: `md5-of-${handle}` },
        { index: 100, type: 'HS_ADMIN', data: { format: 'admin', value: { handle: `0.NA/${PREFIX}`, index: '200', permissions: '011111110011' } } },
      ],
    });
    for (let i = 0; i < 5; i++) {
      const handle = `${PREFIX}/${uniqueName('CRASH')}`;
      const url = `https://example.org/crash-test/${i}`;
      const result = await put(p, agent, `/api/handles/${handle}?overwrite=false`, record(handle, url));
      assert.equal(result.status, 201, result.text);
      firstRun.created.push({ handle, url });
    }
    firstRun.modified = firstRun.created[0]!.handle;
    const modified = await put(p, agent, `/api/handles/${firstRun.modified}?index=1`, {
      values: [{ index: 1, type: 'URL', data: 'https://example.org/crash-test/moved' }],
    });
    assert.equal(modified.status, 200, modified.text);

    firstRun.valueRemovedFrom = firstRun.created[1]!.handle;
    const { identity, password } = trainee();
    const removed = await httpRequest(`https://127.0.0.1:${p}/api/handles/${firstRun.valueRemovedFrom}?index=2`, {
      method: 'DELETE',
      headers: { authorization: basicHeader(identity, password) },
      dispatcher: agent,
    });
    assert.equal(removed.status, 200, removed.text);

    // The log lines of the requests so far are out before the last request: only the last acknowledgement
    // races the SIGKILL below (a line is written on the turn after its answer has gone).
    await waitFor(() => requestLogLines(first!.stderr()).length >= 7, 'the request lines of the first seven requests');
    firstRun.deleted = firstRun.created[2]!.handle;
    const deleted = await httpRequest(`https://127.0.0.1:${p}/api/handles/${firstRun.deleted}`, {
      method: 'DELETE',
      headers: { authorization: basicHeader(identity, password) },
      dispatcher: agent,
    });
    assert.equal(deleted.status, 200, deleted.text);

    // No pause, no graceful shutdown: the process dies the moment the last acknowledgement arrived.
    const exit = await stop(first, 'SIGKILL');
    assert.equal(exit?.signal, 'SIGKILL');
  });

  test('the first run logged its requests as JSON lines without any password, token or Authorization value', () => {
    const stderr = first!.stderr();
    const lines = requestLogLines(stderr);
    // The last lines may have been lost to the SIGKILL; those written are complete and well formed.
    // Health probes are not logged (containers probe every few seconds).
    assert.ok(lines.length >= 7, `request lines: ${lines.length}`);
    assert.ok(!lines.some((line) => String(line.url).startsWith('/_admin/health')), 'health probes are not logged');
    for (const line of lines) {
      assert.equal(typeof line.method, 'string');
      assert.equal(typeof line.url, 'string');
      assert.equal(typeof line.status, 'number');
    }
    const secrets = [trainee().password, String(firstRun.credentials['cred_instructor.json']!.password), firstRun.adminToken.trim()];
    for (const secret of secrets) assert.ok(!stderr.includes(secret), 'stderr holds no secret');
    assert.ok(!stderr.includes('Basic '), 'stderr holds no Basic credentials');
  });

  test('a second start on the same data folder serves every acknowledged write of the killed run', async () => {
    second = await serve(dataDir);
    const p = second.port;
    const agent = tlsAgent(false);
    const get = (handle: string) => httpRequest(`https://127.0.0.1:${p}/api/handles/${handle}`, { dispatcher: agent });
    for (const { handle, url } of firstRun.created) {
      const result = await get(handle);
      if (handle === firstRun.deleted) {
        assert.equal(result.status, 404, `${handle} was deleted: ${result.text}`);
        continue;
      }
      assert.equal(result.status, 200, `${handle}: ${result.text}`);
      const values = (result.json() as { values: Array<{ index: number; data: { value: unknown } }> }).values;
      const at = (index: number) => values.find((v) => v.index === index)?.data.value;
      assert.equal(at(1), handle === firstRun.modified ? 'https://example.org/crash-test/moved' : url);
      assert.equal(at(2), handle === firstRun.valueRemovedFrom ? undefined : `md5-of-${handle}`);
      assert.deepEqual(at(100), { handle: `0.NA/${PREFIX}`, index: 200, permissions: '011111110011' });
    }
  });

  test('the second start keeps identities, passwords and token, and rewrites only the server URL for the new port', async () => {
    const now = credentialsFiles();
    const newUrl = `https://127.0.0.1:${second!.port}`;
    for (const [file, before] of Object.entries(firstRun.credentials)) {
      const current = now[file]!;
      assert.equal(current.handle_server_url, newUrl, `${file} names the new port`);
      // A trainee's files name the progress endpoint on the same server; the instructor's do not.
      assert.equal(current.pid_handson_progress_url, file === 'cred_instructor.json' ? undefined : `${newUrl}/_lesson/progress`, file);
      const serverUrls = { handle_server_url: '', pid_handson_progress_url: '' };
      assert.deepEqual({ ...current, ...serverUrls }, { ...before, ...serverUrls }, `${file} is otherwise unchanged`);
    }
    assert.equal(readFileSync(join(instructorDir, 'admin-token'), 'utf8'), firstRun.adminToken);

    const agent = tlsAgent(false);
    for (const file of ['cred_basic.json', 'cred_instructor.json']) {
      const credentials = now[file]!;
      const result = await httpRequest(`${newUrl}/api/sessions/this`, {
        headers: { authorization: basicHeader(String(credentials.username), String(credentials.password)) },
        dispatcher: agent,
      });
      assert.deepEqual(result.json(), { authenticated: true, id: credentials.username }, `${file} still authenticates`);
    }
    const search = now['cred_basic.json']!;
    const ping = await httpRequest(`${newUrl}/hrls/ping`, {
      headers: { authorization: realmBasicHeader(String(search.reverselookup_username), String(search.reverselookup_password)) },
      dispatcher: agent,
    });
    assert.equal(ping.status, 200, 'the reverse look-up user still authenticates');
  });

  test('the second start reuses the CA, the server certificate and the trainee certificate byte for byte', async () => {
    for (const [file, bytes] of firstRun.tlsBytes) assert.ok(readFileSync(file).equals(bytes), `${file} is unchanged`);
    // The first run's CA still verifies the server, and the first run's client certificate still authenticates.
    const ca = firstRun.tlsBytes.get(join(credentialsDir, 'ca.pem'))!.toString('utf8');
    const agent = new Agent({
      connect: {
        ca,
        cert: firstRun.tlsBytes.get(join(credentialsDir, 'USER01_certificate_only.pem'))!.toString('utf8'),
        key: firstRun.tlsBytes.get(join(credentialsDir, 'USER01_privkey.pem'))!.toString('utf8'),
      },
    });
    agents.push(agent);
    const result = await httpRequest(`https://127.0.0.1:${second!.port}/api/sessions/this`, { dispatcher: agent });
    assert.deepEqual(result.json(), { authenticated: true, id: `301:${PREFIX}/USER01` });
  });

  test('stderr carries exactly one JSON request line per request, with no password, token or Authorization value', async () => {
    const p = second!.port;
    const credentials = credentialsFiles();
    const basic = credentials['cred_basic.json']!;
    const instructor = credentials['cred_instructor.json']!;
    const token = firstRun.adminToken.trim();
    const plainAgent = new Agent();
    agents.push(plainAgent);
    const anonymous = tlsAgent(false);
    const withCertificate = tlsAgent(true);
    const traineeAuth = basicHeader(String(basic.username), String(basic.password));
    const handle = `${PREFIX}/${uniqueName('LOG')}`;

    const linesBefore = await settledRequestLines(second!);
    const requests: Array<() => Promise<HttpResult>> = [
      () => httpRequest(`http://127.0.0.1:${p}/files/`, { dispatcher: plainAgent }),
      () =>
        httpRequest(`https://127.0.0.1:${p}/api/handles/${handle}`, {
          method: 'PUT',
          headers: { authorization: traineeAuth, 'content-type': 'application/json' },
          body: JSON.stringify({
            values: [
              { index: 1, type: 'URL', data: 'https://example.org/log' },
              { index: 100, type: 'HS_ADMIN', data: { format: 'admin', value: { handle: `0.NA/${PREFIX}`, index: '200', permissions: '011111110011' } } },
            ],
          }),
          dispatcher: anonymous,
        }),
      () =>
        httpRequest(`https://127.0.0.1:${p}/api/handles/${handle}`, {
          method: 'PUT',
          headers: { authorization: basicHeader(String(basic.username), `${String(basic.password)}-wrong`), 'content-type': 'application/json' },
          body: '{"values":[]}',
          dispatcher: anonymous,
        }),
      () =>
        httpRequest(`https://127.0.0.1:${p}/api/sessions/this`, {
          headers: { authorization: basicHeader(String(instructor.username), String(instructor.password)) },
          dispatcher: anonymous,
        }),
      () =>
        httpRequest(`https://127.0.0.1:${p}/api/handles/${handle}`, {
          method: 'DELETE',
          headers: { authorization: 'Handle clientCert="true"' },
          dispatcher: withCertificate,
        }),
      () =>
        httpRequest(`https://127.0.0.1:${p}/hrls/handles?URL=irods:*&limit=1`, {
          headers: { authorization: realmBasicHeader(String(basic.reverselookup_username), String(basic.reverselookup_password)) },
          dispatcher: anonymous,
        }),
      () => httpRequest(`https://127.0.0.1:${p}/_admin/events?limit=1`, { headers: { authorization: `Bearer ${token}` }, dispatcher: anonymous }),
      () => httpRequest(`http://127.0.0.1:${p}/11304/cf8956a2-39d3-11e5-8a18-f31aa6f4d448`, { dispatcher: plainAgent }),
    ];
    const statuses: number[] = [];
    for (const send of requests) statuses.push((await send()).status);
    assert.deepEqual(statuses, [200, 201, 401, 200, 200, 200, 200, 302]);

    await waitFor(() => requestLogLines(second!.stderr()).length >= linesBefore + requests.length, `${requests.length} request log lines`);
    await settledRequestLines(second!);
    const lines = requestLogLines(second!.stderr()).slice(linesBefore);
    assert.equal(lines.length, requests.length, `one request line per request: ${JSON.stringify(lines)}`);
    assert.deepEqual(
      lines.map((l) => [l.method, l.status, l.scheme]),
      [
        ['GET', 200, 'http'],
        ['PUT', 201, 'https'],
        ['PUT', 401, 'https'],
        ['GET', 200, 'https'],
        ['DELETE', 200, 'https'],
        ['GET', 200, 'https'],
        ['GET', 200, 'https'],
        ['GET', 302, 'http'],
      ],
    );
    assert.equal(lines[1]!.identity, basic.username, 'the log names the identity, not its secret');
    assert.equal(lines[4]!.identity, `301:${PREFIX}/USER01`);

    const stderr = second!.stderr();
    for (const secret of [String(basic.password), String(instructor.password), String(basic.reverselookup_password), token]) {
      assert.ok(!stderr.includes(secret), 'stderr holds no password or token');
    }
    assert.ok(!stderr.includes('Basic '), 'stderr holds no Basic Authorization value');
    assert.ok(!stderr.includes('Bearer '), 'stderr holds no Bearer Authorization value');
    assert.ok(!stderr.includes(traineeAuth.slice(6)), 'stderr holds no encoded credentials');
  });

  test('SIGTERM stops the server cleanly with exit code 0', async () => {
    const exit = await stop(second, 'SIGTERM');
    assert.deepEqual(exit, { code: 0, signal: null });
  });
});
