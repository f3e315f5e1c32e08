// The hub login's own refusals, on a real `pid-mock serve` process with the environment JupyterHub gives
// a managed service (the hub's API address points at a closed port: none of these steps may need it
// but the last): a visit through the service prefix goes to the hub's authorize page with a state bound
// to a cookie, a direct visit keeps the token form, and a callback with a foreign, reused or missing
// state or no code is refused with a page that says so; neither the code nor the state reaches the log.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { PID_MOCK_BIN, ROOT, assertBuilt } from '../support/paths.js';
import { readyPort } from '../support/mock-process.js';
import { stopChild } from '../support/processes.js';
import { removeTemporaryFolder, temporaryFolder } from '../support/temporary-folders.js';

const PREFIX = '/services/pid-mock';
const CALLBACK = `${PREFIX}/_admin/hub-login/callback`;
const SERVICE_TOKEN = 'service-token-0123456789abcdef-never-logged';
const CODE = 'hub-code-0123456789-never-logged';
let child: ChildProcess;
let dataDir: string;
let base: string;
let log = '';

/** A port nothing listens on, so that a call to "the hub" fails at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

before(async () => {
  assertBuilt();
  dataDir = temporaryFolder('pid-mock-hub-login-');
  const hubPort = await closedPort();
  child = spawn(process.execPath, [PID_MOCK_BIN, 'serve', '--data', dataDir, '--port', '0'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      JUPYTERHUB_API_URL: `http://127.0.0.1:${hubPort}/hub/api`,
      JUPYTERHUB_API_TOKEN: SERVICE_TOKEN,
      JUPYTERHUB_CLIENT_ID: 'service-pid-mock',
      JUPYTERHUB_SERVICE_PREFIX: `${PREFIX}/`,
      JUPYTERHUB_BASE_URL: '/',
      JUPYTERHUB_HOST: '',
    },
  });
  child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const port = await readyPort(child, 30_000, () => log);
  base = `http://127.0.0.1:${port}`;
});

after(async () => {
  if (child) await stopChild(child);
  if (dataDir) removeTemporaryFolder(dataDir);
});

/** Starts a hub login from the board through the prefix (as the browser holding sentCookie): the state and the nonce cookie. */
async function startLogin(sentCookie?: string): Promise<{ state: string; cookie: string; location: URL }> {
  const answer = await fetch(`${base}${PREFIX}/_admin/board`, { redirect: 'manual', headers: sentCookie ? { cookie: sentCookie } : {} });
  assert.equal(answer.status, 302);
  const location = new URL(answer.headers.get('location')!, base);
  const cookie = answer.headers.getSetCookie().find((c) => c.startsWith('pid_mock_hub_state='));
  assert.ok(cookie, 'a state cookie is set');
  return { state: location.searchParams.get('state')!, cookie: cookie.split(';')[0]!, location };
}

async function callback(query: Record<string, string>, cookie?: string): Promise<{ status: number; page: string; cookies: string[] }> {
  const answer = await fetch(`${base}${CALLBACK}?${new URLSearchParams(query)}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });
  return { status: answer.status, page: await answer.text(), cookies: answer.headers.getSetCookie() };
}

test("a visit through the hub's prefix goes to the hub's authorize page with a state bound to a cookie", async () => {
  const first = await startLogin();
  // The hub's own page: not rewritten under the service's prefix.
  assert.equal(first.location.pathname, '/hub/api/oauth2/authorize');
  assert.equal(first.location.searchParams.get('client_id'), 'service-pid-mock');
  assert.equal(first.location.searchParams.get('redirect_uri'), CALLBACK);
  assert.equal(first.location.searchParams.get('response_type'), 'code');
  assert.match(first.state, /^[A-Za-z0-9_-]{43}$/);
  assert.match(first.cookie, /^pid_mock_hub_state=[A-Za-z0-9_-]{43}$/);
  assert.ok(!first.cookie.includes(first.state), "the cookie holds the browser's nonce, not the state");
  const full = (await fetch(`${base}${PREFIX}/_admin/live`, { redirect: 'manual' })).headers.getSetCookie().join('\n');
  assert.match(full, new RegExp(`Path=${CALLBACK}; HttpOnly; SameSite=Lax`));
  const second = await startLogin(first.cookie);
  assert.notEqual(second.state, first.state, 'each login has a state of its own');
  assert.equal(second.cookie, first.cookie, 'the same browser keeps its nonce');
});

test('a direct visit, not through the hub, keeps the token form', async () => {
  const answer = await fetch(`${base}/_admin/board`, { redirect: 'manual' });
  assert.equal(answer.status, 200);
  assert.match(await answer.text(), /<input id="token" name="token" type="password"/);
});

test('the callback refuses a missing, foreign or reused state and a missing code, with a page that says so', async () => {
  const { state, cookie } = await startLogin();
  const other = await startLogin();

  const noCookie = await callback({ state, code: CODE });
  assert.equal(noCookie.status, 400);
  assert.match(noCookie.page, /<h1>This login link was not started here or has expired<\/h1>/);
  assert.doesNotMatch(noCookie.page, /at \w+ \(|Error:/, 'no stack trace');

  // Another browser's state (an attacker's link) does not match this browser's cookie.
  assert.equal((await callback({ state: other.state, code: CODE }, cookie)).status, 400);
  assert.equal((await callback({ code: CODE }, cookie)).status, 400);
  // A state the server never issued, in both the query and the cookie.
  assert.equal((await callback({ state: 'x'.repeat(43), code: CODE }, `pid_mock_hub_state=${'x'.repeat(43)}`)).status, 400);

  const noCode = await callback({ state: other.state }, other.cookie);
  assert.equal(noCode.status, 400);
  assert.match(noCode.page, /The hub sent no login code/);
  assert.ok(!noCode.cookies.some((c) => c.startsWith('pid_mock_admin=')), 'no session');
  // A state is used once: the same link again is refused.
  assert.equal((await callback({ state: other.state, code: CODE }, other.cookie)).status, 400);

  // Two pages of one browser (the live page and the board) started at once: both states pass the check.
  const tabA = await startLogin(other.cookie);
  const tabB = await startLogin(other.cookie);
  for (const tab of [tabB, tabA]) assert.match((await callback({ state: tab.state }, tab.cookie)).page, /The hub sent no login code/);

  const denied = await callback({ state, error: 'access_denied' }, cookie);
  assert.equal(denied.status, 403);
  assert.match(denied.page, /The hub did not let you in/);
});

test('a code the hub cannot confirm opens no session; neither the code nor the state is logged', async () => {
  const { state, cookie } = await startLogin();
  const answer = await callback({ state, code: CODE }, cookie);
  assert.equal(answer.status, 502);
  assert.match(answer.page, /The hub could not confirm who you are/);
  assert.ok(!answer.cookies.some((c) => c.startsWith('pid_mock_admin=')));
  const board = await fetch(`${base}/_admin/class/progress`, { headers: { cookie } });
  assert.equal(board.status, 401);

  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.match(log, /instructor hub login failed/);
  assert.match(log, /instructor hub login refused: no code/);
  for (const secret of [CODE, state, SERVICE_TOKEN]) assert.ok(!log.includes(secret), `the log does not hold ${secret.slice(0, 12)}…`);
});
