// One login for the instructor on a real class hub (`npm run class`'s launcher, Debian's JupyterHub 3.0, the
// mock as a hub-managed service): in headless Chromium the instructor logs in to the hub with their own
// password (logins.csv), follows Services → pid-mock and opens the board's address, and lands on the live
// page and the board without a token form; a trainee who goes the same way gets the mock's 403 page. No
// user's server is started: the hub's own pages and the service are all this needs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { assertAccessible } from '../support/accessibility.js';
import { launchBrowser, type TestBrowser } from '../support/browser.js';
import { readLogins, requireJupyterHub, startClassHub, type ClassHub } from '../support/class-hub';
import { temporaryFolder } from '../support/temporary-folders.js';

let classDir: string;
let hub: ClassHub;
let browser: TestBrowser;

const userOf = (role: string) => [...readLogins(classDir)].find(([, login]) => login.role === role)![0];

before(async () => {
  requireJupyterHub();
  classDir = temporaryFolder('pid-class-board-login-');
  hub = await startClassHub(classDir, 1);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await hub?.close();
  if (classDir) rmSync(classDir, { recursive: true, force: true });
});

/** A fresh page with no cookies, logged in to the hub through its own login form. */
async function hubLogin(user: string): Promise<Page> {
  await browser.context.clearCookies();
  const page = await browser.context.newPage();
  await page.goto(`${hub.url}hub/login?next=${encodeURIComponent('/hub/home')}`);
  await page.fill('#username_input', user);
  await page.fill('#password_input', hub.passwords.get(user)!);
  await Promise.all([page.waitForURL(/\/hub\/home$/, { timeout: 30_000 }), page.click('#login_submit')]);
  return page;
}

test('the instructor follows Services → pid-mock and opens the board, never asked for the token', { timeout: 60_000 }, async () => {
  const instructor = userOf('instructor');
  const page = await hubLogin(instructor);
  await page.click('a.dropdown-toggle:has-text("Services")');
  const link = page.locator('a.dropdown-item', { hasText: 'pid-mock' });
  assert.equal(await link.getAttribute('href'), '/services/pid-mock/');
  const before = browser.requestedUrls.length;
  await Promise.all([page.waitForURL(/\/services\/pid-mock\/_admin\/live$/, { timeout: 20_000 }), link.click()]);
  // The way there went through the hub's OAuth, and the callback opened the session.
  const hops = browser.requestedUrls.slice(before);
  assert.ok(
    hops.some((u) => u.includes('/hub/api/oauth2/authorize?')),
    hops.join('\n'),
  );
  assert.ok(
    hops.some((u) => u.includes('/services/pid-mock/_admin/hub-login/callback?')),
    hops.join('\n'),
  );
  assert.equal(await page.locator('h1').first().textContent(), 'Live class');
  assert.equal(await page.locator('#token').count(), 0);

  const board = await page.goto(`${hub.url}services/pid-mock/_admin/board`);
  assert.equal(board?.status(), 200);
  assert.equal(await page.locator('#token').count(), 0, 'the board opens with the same session, no token form');
  assert.equal(await page.locator('h1').first().textContent(), 'Class board');
  const adminToken = (JSON.parse(readFileSync(join(classDir, 'class.json'), 'utf8')) as { adminToken: string }).adminToken;
  assert.ok(!browser.requestedUrls.some((u) => u.includes(adminToken)), 'the admin token never travels in a URL');
  assert.ok(!hub.output().includes(adminToken), 'nor in the hub or service log');
  await page.close();
});

test("the board's address in a browser not yet logged in to the hub: the hub's login, then straight to the board", { timeout: 60_000 }, async () => {
  await browser.context.clearCookies();
  const page = await browser.context.newPage();
  const instructor = userOf('instructor');
  await page.goto(`${hub.url}services/pid-mock/_admin/board`);
  // The hub's OAuth sent the browser to the hub's own login form, which comes back to the authorize step.
  assert.match(page.url(), /\/hub\/login\?next=/);
  await page.fill('#username_input', instructor);
  await page.fill('#password_input', hub.passwords.get(instructor)!);
  await Promise.all([page.waitForURL(/\/services\/pid-mock\/_admin\/board$/, { timeout: 30_000 }), page.click('#login_submit')]);
  assert.equal(await page.locator('h1').first().textContent(), 'Class board');
  assert.equal(await page.locator('#token').count(), 0);
  await page.close();
});

test('a trainee who follows the same way gets the instructors-only page, and no session', { timeout: 60_000 }, async () => {
  const trainee = userOf('trainee');
  const page = await hubLogin(trainee);
  const answer = await page.goto(`${hub.url}services/pid-mock/_admin/board`);
  assert.equal(answer?.status(), 403);
  assert.equal(await page.locator('h1').textContent(), "This page is for the class's instructors");
  assert.match((await page.locator('[role=alert]').textContent()) ?? '', new RegExp(`logged in to the hub as ${trainee}`));
  await assertAccessible(page, "the hub login's 403 page");
  const cookies = await browser.context.cookies();
  assert.ok(!cookies.some((c) => c.name === 'pid_mock_admin'), 'no admin session cookie');
  const progress = await page.goto(`${hub.url}services/pid-mock/_admin/class/progress`);
  assert.equal(progress?.status(), 401);
  await page.close();
});
