// Escaping in a real browser: records whose values, types, names and 10320/LOC attributes carry script
// are shown on every HTML/XML page (values page, showurls, 404 pages, the values-not-found page,
// redirects refused for javascript: URLs) in headless Chromium; a marker any of those scripts would
// set must stay unset, while the home page's own script (allowed by hash) still runs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { launchBrowser, type TestBrowser } from '../support/browser.js';
import { basicHeader } from '../support/http.js';
import { PREFIX, startTestServer, uniqueName, type TestServer } from '../support/mock-server.js';

const MARK = 'window.__xss=1';
const SCRIPTS = [
  `<script>${MARK}</script>`,
  `"><img src=x onerror="${MARK}">`,
  `'><svg onload="${MARK}">`,
  `</td></tr></table><iframe srcdoc="<script>parent.${MARK}</script>"></iframe>`,
  `javascript:${MARK}`,
];
const HOSTILE_LOC =
  `<locations><location xmlns="http://www.w3.org/1999/xhtml" href="https://example.org/a" id="0" tabindex="1" autofocus="" onfocus="${MARK}" />` +
  `<location href="javascript:${MARK}" id="1" weight="0" country="&lt;script&gt;${MARK}&lt;/script&gt;" /></locations>`;

let t: TestServer;
let browser: TestBrowser;
let page: Page;
let dialogs = 0;
let pagesChecked = 0;

before(async () => {
  t = await startTestServer();
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.on('dialog', (dialog) => {
    dialogs += 1;
    void dialog.dismiss();
  });
});
after(async () => {
  console.log(`# browser escaping: ${pagesChecked} pages checked in Chromium`);
  await browser?.close();
  await t?.close();
});

async function create(handle: string, values: unknown[]): Promise<void> {
  const response = await t.request({
    method: 'PUT',
    path: `/api/handles/${handle.split('/').map(encodeURIComponent).join('/')}`,
    headers: { authorization: basicHeader(t.trainee.identity, t.trainee.password), 'content-type': 'application/json' },
    body: JSON.stringify({ values }),
  });
  assert.equal(response.status, 201, response.text);
}

/** Opens the page, gives any injected script its chance (focus, load, a mouse pass), and checks the marker. */
async function assertNoScriptRan(path: string, expectStatus?: number): Promise<void> {
  const response = await page.goto(t.url('http', path), { waitUntil: 'load' });
  if (expectStatus !== undefined) assert.equal(response?.status(), expectStatus, path);
  await page.mouse.move(50, 50);
  await page.mouse.move(400, 300);
  await page.waitForTimeout(150);
  const marker = await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss);
  assert.equal(marker, undefined, `a stored script ran on ${path}`);
  assert.equal(dialogs, 0, `a dialog opened on ${path}`);
  pagesChecked += 1;
}

describe('stored script stays inert in Chromium', () => {
  const plain = `${PREFIX}/${uniqueName('XSS')}`;
  const named = `${PREFIX}/${uniqueName('N')}<img src=x onerror="${MARK}">`;

  before(async () => {
    await create(plain, [
      ...SCRIPTS.map((data, i) => ({ index: i + 1, type: i === 4 ? 'URL' : `NOTE${SCRIPTS[i]}`, data })),
      { index: 10, type: '10320/LOC', data: HOSTILE_LOC },
      { index: 11, type: 'EMAIL', data: `"><script>${MARK}</script>@example.org` },
    ]);
    await create(named, [{ index: 1, type: 'URL', data: `javascript:${MARK}` }]);
  });

  test('the values page (?noredirect)', () => assertNoScriptRan(`/${plain}?noredirect`, 200));
  test('the resolver on a javascript: URL shows the values instead of redirecting', () =>
    assertNoScriptRan(`/${named.split('/').map(encodeURIComponent).join('/')}`, 200));
  test('?action=showurls with an XHTML location carrying autofocus and onfocus', () => assertNoScriptRan(`/${plain}?action=showurls`, 200));
  test('the values-not-found page of a handle whose name holds markup', () =>
    assertNoScriptRan(`/${named.split('/').map(encodeURIComponent).join('/')}?type=NOTHING`, 200));
  for (const script of SCRIPTS.slice(0, 4)) {
    test(`the 404 page of an unknown handle named ${JSON.stringify(script.slice(0, 30))}`, () =>
      assertNoScriptRan(`/${PREFIX}/${encodeURIComponent(script)}`, 404));
    test(`the prefix-not-found page of ${JSON.stringify(script.slice(0, 30))}`, () => assertNoScriptRan(`/${encodeURIComponent(script)}/x`, 404));
  }
  test('the home page form submitted with markup, followed to its 404', () => assertNoScriptRan(`/?hdl=${encodeURIComponent(SCRIPTS[1]!)}`));
  test('the stand-in repository pages', async () => {
    await assertNoScriptRan('/files/', 200);
    await assertNoScriptRan(`/files/${encodeURIComponent(SCRIPTS[0]!)}`);
  });

  test('the home page still runs its own script (the policy allows it by hash)', async () => {
    await page.goto(t.url('http', '/'), { waitUntil: 'load' });
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'hdl');
  });
});
