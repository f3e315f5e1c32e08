// The live view and the per-handle history in headless Chromium against a real `pid-mock serve`
// process: login through the form (the token never in a URL or the log), another process's
// registration appearing on the projector, stored markup staying inert, the page's buttons guarded by
// a CSRF header, the faults banner, and history values filtered by the reader's read rights.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { Agent, request } from 'undici';
import type { Page } from 'playwright-core';
import { startMockProcess, type MockProcess } from '../support/mock-process.js';
import { PID_BIN, ROOT } from '../support/paths.js';
import { HandleClient } from '../../src/client.js';
import { PIDClientCredentials } from '../../src/credentials.js';
import { assertAccessible } from '../support/accessibility.js';
import { launchBrowser, type TestBrowser } from '../support/browser.js';

const execFileAsync = promisify(execFile);
const PREFIX = '21.T12995';
const XSS_SUFFIX = `xss-"'><b id="broken">`;
const XSS_HANDLE = `${PREFIX}/${XSS_SUFFIX}`;
const SCRIPT_VALUE = '<script>window.__pwned = 1</script>';
const QUOTE_VALUE = `"><img src=x onerror="window.__pwned=1">'`;
const JS_URL = 'javascript:window.__pwned=1';

let server: MockProcess;
let browser: TestBrowser;
let agent: Agent;
let page: Page;

before(async () => {
  server = await startMockProcess();
  agent = new Agent({ connect: { ca: readFileSync(server.caFile) } });
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.on('dialog', (dialog) => void dialog.accept());
});

after(async () => {
  await browser?.close();
  await agent?.close();
  await server?.stop();
});

async function pid(args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(process.execPath, [PID_BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, PID_CREDENTIALS: server.basicCredentialsFile },
  });
  return stdout.trim();
}

async function adminApi(method: 'PUT' | 'DELETE', path: string, body?: unknown) {
  const response = await request(`${server.httpsUrl}${path}`, {
    method,
    dispatcher: agent,
    headers: { authorization: `Bearer ${server.adminToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : null,
  });
  return { status: response.statusCode, json: await response.body.json() };
}

async function traineeClient(): Promise<HandleClient> {
  return HandleClient.withCredentials(PIDClientCredentials.loadFromJSON(server.basicCredentialsFile));
}

function row(name: string) {
  return page.locator(`#class tbody tr[data-trainee="${name}"]`);
}

describe('the live view', () => {
  test('the login form refuses a wrong token and lets the right one in, setting an HttpOnly SameSite=Strict session cookie', async () => {
    await page.goto(`${server.httpUrl}/_admin/live`);
    await assertAccessible(page, 'the login form');
    await page.fill('#token', 'certainly-not-the-token');
    await page.click('button[type=submit]');
    assert.match(await page.locator('.problem').innerText(), /not the admin token/);
    await assertAccessible(page, 'the login form with its problem');
    await page.fill('#token', server.adminToken);
    await page.click('button[type=submit]');
    await page.locator('#connection', { hasText: 'live' }).waitFor({ timeout: 10_000 });
    const cookies = await browser.context.cookies(`${server.httpUrl}/_admin/live`);
    const session = cookies.find((c) => c.name === 'pid_mock_admin');
    assert.ok(session, 'a session cookie');
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Strict');
    assert.notEqual(session.value, server.adminToken);
    assert.ok(!session.value.includes(server.adminToken));
  });

  test("another process's registration with the CLI shows up in the trainee's row, without a reload", async () => {
    const navigations: string[] = [];
    page.on('framenavigated', (frame) => navigations.push(frame.url()));
    const handle = await pid(['create', 'http://127.0.0.1/files/surveys.csv', '--checksum', 'abc123', '--extratype', 'TYPE=file']);
    assert.match(handle, /^21\.T12995\//);
    // A bounded wait for the stream, not a measurement of its speed.
    await row('USER01').locator('td[data-step="registered"].done').waitFor({ timeout: 5_000 });
    await row('USER01').locator('td[data-step="typeAndChecksum"].done').waitFor({ timeout: 5_000 });
    await row('USER01').locator('td[data-step="usedCli"].done').waitFor({ timeout: 5_000 });
    assert.equal(await row('USER01').locator('td[data-step="movedUrl"].done').count(), 0);
    assert.deepEqual(navigations, [], 'the page was not reloaded');
  });

  test('the other steps, a refusal shown as the last error, and stored markup that stays text', async () => {
    const client = await traineeClient();
    const first = await client.generateAndRegisterHandle(PREFIX, 'http://127.0.0.1/files/a.csv');
    const second = await client.generateAndRegisterHandle(PREFIX, 'http://127.0.0.1/files/b.csv');
    await client.modifyHandleValue(first, { URL: 'http://127.0.0.1/files/moved.csv', REPLICA: second });
    await client.registerHandle(XSS_HANDLE, JS_URL, { extraValues: { DESC: SCRIPT_VALUE, NOTE: QUOTE_VALUE } });
    const search = HandleClient.withCredentials(PIDClientCredentials.loadFromJSON(server.basicCredentialsFile));
    await (await search).searchHandle({ URL: 'http://127.0.0.1/files/b.csv' });
    await (await search).searchHandle({ URL: 'http://127.0.0.1/files/*' });
    await (await search).close();
    // The prefix handle is the instructor's: changing it is refused with a 403.
    await assert.rejects(client.modifyHandleValue('0.NA/21.T12995', { DESC: 'mine now' }), /HTTP 403/);
    await client.close();

    for (const step of ['movedUrl', 'linkedReplica', 'searchedByValue', 'searchedByWildcard']) {
      await row('USER01').locator(`td[data-step="${step}"].done`).waitFor({ timeout: 5_000 });
    }
    await row('USER01').locator('td.errors', { hasText: '403' }).waitFor({ timeout: 5_000 });
    assert.match(await row('USER01').locator('td.errors').innerText(), /403 \(rc 400\) PUT \/api\/handles\/0\.NA\/21\.T12995/);
    await page.locator('#recent li', { hasText: XSS_SUFFIX }).first().waitFor({ timeout: 5_000 });
    assert.equal(await page.locator('#broken').count(), 0, 'the handle name did not become markup');
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
  });

  test('the faults banner shows while faults are on', async () => {
    assert.equal((await adminApi('PUT', '/_admin/faults', { latency: '1ms', failRate: 0.1, for: '1m', areas: ['resolver'] })).status, 200);
    await page.locator('#faults', { hasText: 'Teaching faults ON' }).waitFor({ timeout: 5_000 });
    assert.match(await page.locator('#faults').innerText(), /10 % answered 503 on resolver/);
    await assertAccessible(page, 'the live view with trainee rows and the faults banner');
    await adminApi('DELETE', '/_admin/faults');
    await page.locator('#faults').waitFor({ state: 'hidden', timeout: 5_000 });
  });

  test('the buttons: a change without the CSRF header or from another origin is refused', async () => {
    const cookie = (await browser.context.cookies(`${server.httpUrl}/_admin/live`)).find((c) => c.name === 'pid_mock_admin')!;
    const post = async (headers: Record<string, string>) =>
      (await request(`${server.httpUrl}/_admin/live/reset`, { method: 'POST', headers: { cookie: `pid_mock_admin=${cookie.value}`, ...headers } })).statusCode;
    assert.equal(await post({}), 403);
    const csrf = await page.locator('meta[name="pid-mock-csrf"]').getAttribute('content');
    assert.equal(await post({ 'x-pid-mock-csrf': csrf!, origin: 'http://evil.example' }), 403);
    assert.equal(await post({ 'x-pid-mock-csrf': 'guessed' }), 403);
    const stillThere = await request(`${server.httpsUrl}/api/handles/${XSS_HANDLE.split('/').map(encodeURIComponent).join('/')}`, { dispatcher: agent });
    assert.equal(stillThere.statusCode, 200, 'nothing was reset');
    await stillThere.body.dump();
  });

  test('Export downloads the class state file (GET with the session cookie, no token in the page)', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
    const state = JSON.parse(readFileSync((await download.path())!, 'utf8')) as { format: string; handles: Array<{ handle: string }> };
    assert.equal(state.format, 'pid-handson-state');
    assert.ok(
      state.handles.some((h) => h.handle.toLowerCase() === XSS_HANDLE.toLowerCase()),
      'the export holds the class records',
    );
  });

  test('Reseed and Reset from the page', async () => {
    await page.click('#reseed');
    await page.locator('#notice', { hasText: 'Reseeded' }).waitFor({ timeout: 5_000 });
    await page.click('#reset');
    await page.locator('#notice', { hasText: 'Reset:' }).waitFor({ timeout: 5_000 });
    await row('USER01').waitFor({ state: 'detached', timeout: 5_000 });
    const gone = await request(`${server.httpsUrl}/api/handles/${XSS_HANDLE.split('/').map(encodeURIComponent).join('/')}`, { dispatcher: agent });
    assert.equal(gone.statusCode, 404);
    await gone.body.dump();
  });

  test('log out ends the session; the stream then refuses', async () => {
    const cookie = (await browser.context.cookies(`${server.httpUrl}/_admin/live`)).find((c) => c.name === 'pid_mock_admin')!;
    await page.click('#logout');
    await page.locator('#token').waitFor({ timeout: 5_000 });
    const stream = await request(`${server.httpUrl}/_admin/live/stream`, { headers: { cookie: `pid_mock_admin=${cookie.value}` } });
    assert.equal(stream.statusCode, 401);
    await stream.body.dump();
  });
});

describe('the per-handle history', () => {
  let handle: string;

  before(async () => {
    const client = await traineeClient();
    await client.registerHandle(XSS_HANDLE, JS_URL, { extraValues: { DESC: SCRIPT_VALUE }, overwrite: true });
    await client.modifyHandleValue(XSS_HANDLE, { NOTE: QUOTE_VALUE, URL: 'http://127.0.0.1/files/new.csv' });
    handle = XSS_HANDLE;
    await client.close();
  });

  test('linked from the values page; every change with who and what; stored markup and javascript: URLs inert', async () => {
    await page.goto(`${server.httpUrl}/${handle.split('/').map(encodeURIComponent).join('/')}?noredirect`);
    await page.click('.pid-mock-history a');
    await page.locator('table.history').waitFor();
    const text = await page.locator('table.history').innerText();
    assert.match(text, /300:21\.T12995\/USER01/);
    assert.match(text, /created the handle/);
    assert.match(text, /added or changed values/);
    for (const literal of [SCRIPT_VALUE, QUOTE_VALUE, JS_URL, 'http://127.0.0.1/files/new.csv']) assert.ok(text.includes(literal), `shows ${literal} as text`);
    assert.ok((await page.locator('h1').innerText()).includes(XSS_SUFFIX));
    assert.equal(await page.locator('script').count(), 0);
    assert.equal(await page.locator('img').count(), 0);
    assert.equal(await page.locator('#broken').count(), 0);
    assert.equal(await page.locator('a[href^="javascript:"]').count(), 0);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    await assertAccessible(page, 'the history page');
  });

  test('values a reader may not read are not shown: HS_SECKEY of an identity stays hidden from anonymous readers', async () => {
    const password = (JSON.parse(readFileSync(server.basicCredentialsFile, 'utf8')) as { password: string }).password;
    // The identity's creation (by provisioning) is in the journal, its HS_SECKEY among the values.
    await page.goto(`${server.httpUrl}/_history/${PREFIX}/USER01`);
    const anonymous = await page.content();
    assert.ok(!anonymous.includes(password), 'the password is not on the anonymous page');
    assert.match(anonymous, /public values only/);
    // Over HTTPS with the trainee's own password the API would show HS_SECKEY, and so does the history.
    const own = await request(`${server.httpsUrl}/_history/${PREFIX}/USER01`, {
      dispatcher: agent,
      headers: { authorization: `Basic ${Buffer.from(`300%3A${PREFIX}/USER01:${password}`).toString('base64')}` },
    });
    const ownPage = await own.body.text();
    const api = await request(`${server.httpsUrl}/api/handles/${PREFIX}/USER01`, {
      dispatcher: agent,
      headers: { authorization: `Basic ${Buffer.from(`300%3A${PREFIX}/USER01:${password}`).toString('base64')}` },
    });
    const apiShowsSecret = (await api.body.text()).includes(password);
    assert.equal(ownPage.includes(password), apiShowsSecret, 'the history shows the secret exactly when GET /api/handles does');
  });
});

describe('the history for the instructor', () => {
  test('logged in, the live view links to the history, which shows every value, secrets included; /_history still does not', async () => {
    const password = (JSON.parse(readFileSync(server.basicCredentialsFile, 'utf8')) as { password: string }).password;
    await page.goto(`${server.httpUrl}/_admin/live`);
    await page.fill('#token', server.adminToken);
    await page.click('button[type=submit]');
    await page.locator('#recent a', { hasText: XSS_SUFFIX }).first().click();
    await page.locator('table.history').waitFor();
    assert.match(await page.locator('.reader').innerText(), /Shown to the instructor/);
    assert.equal(await page.locator('#broken').count(), 0);
    await page.goto(`${server.httpUrl}/_admin/history/${PREFIX}/USER01`);
    assert.ok((await page.content()).includes(password), 'the instructor sees the HS_SECKEY in the journal');
    await page.goto(`${server.httpUrl}/_history/${PREFIX}/USER01`);
    assert.ok(!(await page.content()).includes(password), 'the public address stays public');
  });
});

test('the admin token never appeared in a URL the browser requested, nor in the server log', () => {
  assert.ok(browser.requestedUrls.length > 5);
  for (const url of browser.requestedUrls) assert.ok(!url.includes(server.adminToken), url);
  assert.ok(!server.stderr().includes(server.adminToken), 'the request log does not hold the token');
});
