// The lesson as a website (npm run site): built once from the executed learner notebooks, served by a plain
// static file server on loopback, and read in Chromium as a self-study learner would: every page loads with
// nothing failing and nothing fetched from another host, links and anchors resolve, the chapters chain in
// order, demonstrations show their real outputs, exercises their empty placeholder and "Not attempted yet",
// solutions start closed and open on click, and axe-core finds no serious or critical violation.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { severeViolations } from '../support/accessibility.js';
import { launchBrowser, type TestBrowser } from '../support/browser.js';
import { lessonChapters } from '../support/notebook-runs.js';
import { ROOT } from '../support/paths.js';
import { temporaryFolder } from '../support/temporary-folders.js';
import { serveFolder, type StaticServer } from './static-server.js';

const execFileAsync = promisify(execFile);
const SITE = temporaryFolder('pid-site-test-');
const chapters = lessonChapters();
const chapterPages = chapters.map((c) => `${c}.html`);
const pages = ['index.html', ...chapterPages];
/** Where the pages say the lesson's own mock server runs (npm start); the only other host a link may name. */
const LESSON_SERVER = /^https?:\/\/localhost:8000\//;

let server: StaticServer;
let browser: TestBrowser;
let buildOutput = '';

before(
  async () => {
    const { stdout } = await execFileAsync(process.execPath, [join(ROOT, 'deploy', 'site', 'build.cjs'), '--out', SITE], {
      cwd: ROOT,
      timeout: 8 * 60_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    buildOutput = stdout;
    server = await serveFolder(SITE);
    browser = await launchBrowser();
  },
  { timeout: 9 * 60_000 },
);

after(async () => {
  await browser?.close();
  await server?.close();
});

interface Visit {
  page: Page;
  problems: string[];
}

/** Opens a page and records what a learner would notice going wrong: console errors, failed or refused requests. */
async function visit(name: string): Promise<Visit> {
  const page = await browser.context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  const response = await page.goto(`${server.origin}/${name}`, { waitUntil: 'load' });
  assert.equal(response?.status(), 200, `${name} is served`);
  return { page, problems };
}

interface Anchor {
  href: string;
  rel: string;
}

interface PageFacts {
  ids: string[];
  anchors: Anchor[];
}

/** The ids a fragment selects, as HTML finds them: the fragment as written, then percent-decoded. */
function fragmentTargets(fragment: string): string[] {
  return [fragment, decodeURIComponent(fragment)];
}

type Attributed = { id: string; getAttribute(name: string): string | null };

async function factsOf(page: Page): Promise<PageFacts> {
  // No helper functions inside: tsx names them with a function the page does not have.
  return page.evaluate(() => ({
    ids: [...(document.querySelectorAll('[id]') as unknown as Attributed[])].map((e) => e.id),
    anchors: [...(document.querySelectorAll('a[href]') as unknown as Attributed[])].map((a) => ({
      href: a.getAttribute('href') ?? '',
      rel: a.getAttribute('rel') ?? '',
    })),
  }));
}

test('the build executes every learner notebook and writes a page per chapter, a contents page and the stylesheets', () => {
  for (const chapter of chapters) assert.match(buildOutput, new RegExp(`${chapter}\\.ipynb: executed`), `${chapter} was executed`);
  const files = readdirSync(SITE).sort();
  for (const page of pages) assert.ok(files.includes(page), `${page} is built (files: ${files.join(', ')})`);
  assert.deepEqual(readdirSync(join(SITE, 'style')).sort(), ['lab-theme-light.css', 'lab.css', 'site.css']);
});

test('no page loads a script or anything from another host (no require.js, MathJax, CDN fonts)', () => {
  for (const page of pages) {
    const html = readFileSync(join(SITE, page), 'utf8');
    assert.doesNotMatch(html, /<script/i, `${page} has no script`);
    const loaded = [...html.matchAll(/<(?:link|img|iframe|source|video|audio)\b[^>]*?\b(?:href|src)="([^"]*)"/gi)].map((m) => m[1]!);
    const foreign = loaded.filter((url) => /^(?:[a-z]+:)?\/\//i.test(url));
    assert.deepEqual(foreign, [], `${page} loads only its own files`);
  }
  for (const css of readdirSync(join(SITE, 'style'))) {
    const text = readFileSync(join(SITE, 'style', css), 'utf8');
    const imports = [...text.matchAll(/@import[^;]*;|url\(\s*(?!["']?data:)[^)]*\)/gi)].map((m) => m[0]);
    assert.deepEqual(imports, [], `${css} fetches nothing`);
  }
});

test('every page loads in Chromium with no console error, no failed request, and no request beyond the loopback server', async () => {
  const problems: string[] = [];
  for (const name of pages) {
    const { page, problems: found } = await visit(name);
    problems.push(...found.map((p) => `${name}: ${p}`));
    await page.close();
  }
  assert.deepEqual(problems, []);
  const elsewhere = browser.requestedUrls.filter((url) => !url.startsWith(`${server.origin}/`) && !url.startsWith('data:'));
  assert.deepEqual(elsewhere, [], 'requests to any host but the static server');
});

test("every link between pages and every anchor resolves; other links go only to the lesson's own server", async () => {
  const facts = new Map<string, PageFacts>();
  for (const name of pages) {
    const { page } = await visit(name);
    facts.set(name, await factsOf(page));
    await page.close();
  }
  const broken: string[] = [];
  let serverLinks = 0;
  for (const [name, { anchors }] of facts) {
    for (const { href } of anchors) {
      if (LESSON_SERVER.test(href)) {
        serverLinks++;
        continue;
      }
      const target = new URL(href, `${server.origin}/${name}`);
      if (target.origin !== server.origin) {
        broken.push(`${name}: ${href} leaves the site`);
        continue;
      }
      const targetPage = target.pathname.slice(1) || 'index.html';
      const targetFacts = facts.get(targetPage);
      if (!targetFacts) broken.push(`${name}: ${href} names no page of the site`);
      else if (target.hash && !fragmentTargets(target.hash.slice(1)).some((id) => targetFacts.ids.includes(id)))
        broken.push(`${name}: ${href} names no anchor of ${targetPage}`);
    }
  }
  assert.deepEqual(broken, []);
  assert.ok(serverLinks > 0, 'the record tables link to the lesson server, as the header explains');
  assert.ok(
    server.served.every((s) => s.status === 200),
    `every file asked for exists: ${JSON.stringify(server.served.filter((s) => s.status !== 200))}`,
  );
});

test('from the contents page, next and previous chain every chapter in order, and the contents list each with its questions and timing', async () => {
  const { page } = await visit('index.html');
  const listed = await factsOf(page);
  const chapterLinks = listed.anchors.map((a) => a.href).filter((href) => chapterPages.includes(href));
  assert.deepEqual([...new Set(chapterLinks)], chapterPages, 'the contents link every chapter, in order');
  const text = await page.locator('main').innerText();
  assert.equal(text.match(/Questions/g)?.length, chapters.length, 'questions for every chapter');
  assert.equal(text.match(/⏱ (Core path|Optional chapter)\b.*\b\d+ min/g)?.length, chapters.length, 'a timing for every chapter');
  assert.match(text, /0\. Just enough TypeScript/);

  const forward: string[] = [];
  for (let i = 0; i <= chapters.length; i++) {
    const next = page.locator('a[rel="next"]');
    if ((await next.count()) === 0) break;
    await next.click();
    await page.waitForLoadState('load');
    forward.push(new URL(page.url()).pathname.slice(1));
  }
  assert.deepEqual(forward, chapterPages, 'next leads through every chapter in order, and the last has none');
  const backward: string[] = [new URL(page.url()).pathname.slice(1)];
  for (let i = 0; i <= chapters.length; i++) {
    const previous = page.locator('a[rel="prev"]');
    if ((await previous.count()) === 0) break;
    await previous.click();
    await page.waitForLoadState('load');
    backward.push(new URL(page.url()).pathname.slice(1));
  }
  assert.deepEqual(backward, [...chapterPages].reverse(), 'previous leads back to chapter 0, which has none');
  await page.close();
});

describe('exercises and solutions', () => {
  for (const chapter of chapters) {
    test(`${chapter}: each exercise shows its placeholder, the check says "Not attempted yet", and its solution starts hidden and opens on click`, async () => {
      const { page } = await visit(`${chapter}.html`);
      const exercises = page.locator('.jp-CodeCell.celltag_exercise');
      const solutions = page.locator('details.site-solution');
      const count = await exercises.count();
      assert.ok(count > 0, 'the chapter has exercises');
      assert.equal(await solutions.count(), count, 'one Show solution control per exercise');
      for (let i = 0; i < count; i++) assert.match(await exercises.nth(i).innerText(), /YOUR_ANSWER/, `exercise ${i + 1} shows the placeholder`);
      // Every exercise has its check below it; untouched, each says so, and no check says anything else.
      const boxes = page.locator('[data-outcome]');
      assert.equal(await boxes.count(), count, 'one verdict box per exercise');
      for (let i = 0; i < count; i++) {
        assert.equal(await boxes.nth(i).getAttribute('data-outcome'), 'unattempted');
        assert.match(await boxes.nth(i).innerText(), /^Not attempted yet/);
      }
      for (let i = 0; i < count; i++) {
        const solution = solutions.nth(i);
        const code = solution.locator('.CodeMirror');
        assert.equal(await solution.getAttribute('open'), null, `solution ${i + 1} starts closed`);
        assert.equal(await code.isVisible(), false, `solution ${i + 1} is hidden`);
        assert.equal((await solution.locator('summary').innerText()).trim(), 'Show solution');
        await solution.locator('summary').click();
        assert.equal(await code.isVisible(), true, `solution ${i + 1} shows on click`);
        const shown = await code.innerText();
        assert.ok(shown.trim().length > 0 && !/YOUR_ANSWER/.test(shown), `solution ${i + 1} is an answer, not the placeholder: ${shown}`);
      }
      await page.close();
    });
  }
});

test('demonstrations show their real outputs: the record table of chapter 1, the 409 of chapter 3, addresses as localhost:8000', async () => {
  const one = await visit('01-warming-up.html');
  const table = one.page.locator('.jp-OutputArea-output table', { hasText: '11304/cf8956a2-39d3-11e5-8a18-f31aa6f4d448' });
  assert.ok((await table.count()) > 0, 'chapter 1 shows the record of 11304/cf8956a2-39d3-11e5-8a18-f31aa6f4d448 as a table');
  const record = await table.first().innerText();
  assert.match(record, /\bURL\b/, 'with its URL value');
  assert.match(record, /HS_ADMIN/, 'and its HS_ADMIN value');
  const oneText = await one.page.locator('main').innerText();
  assert.match(oneText, /HTTP 302, Location: http:\/\/localhost:8000\/files\/landing\/11304\/cf8956a2/, 'the redirect, at the stable address');
  await one.page.close();

  const three = await visit('03-registering-a-file.html');
  const conflict = three.page.locator('.jp-OutputArea-output', { hasText: 'HandleAlreadyExistsError' });
  assert.equal(await conflict.count(), 1, "chapter 3's output shows registering the same PID twice");
  assert.match(await conflict.innerText(), /error\.message: 21\.T12995\/[0-9a-f-]{36} already exists/);
  await three.page.close();

  for (const name of chapterPages) {
    const html = readFileSync(join(SITE, name), 'utf8');
    const runAddresses = [...html.matchAll(/(?:127\.0\.0\.1|localhost):(\d+)/g)].map((m) => m[1]).filter((port) => port !== '8000');
    assert.deepEqual(runAddresses, [], `${name} shows the build's random server port`);
    assert.doesNotMatch(html, /pid-site-[A-Za-z0-9]{6}/, `${name} shows the build's temporary data folder`);
  }
});

test('every page has a language, a title, landmarks and one h1 before any other heading', async () => {
  for (const name of pages) {
    const { page } = await visit(name);
    assert.equal(await page.locator('html').getAttribute('lang'), 'en', `${name}: language`);
    assert.match(await page.title(), /\S.* · pid-handson$/, `${name}: title`);
    for (const landmark of ['header', 'main', 'nav', 'footer']) assert.equal(await page.locator(`body > ${landmark}`).count(), 1, `${name}: one ${landmark}`);
    assert.equal(await page.locator('h1').count(), 1, `${name}: one h1`);
    const first = await page
      .locator('h1, h2, h3, h4, h5, h6')
      .first()
      .evaluate((h) => (h as unknown as { tagName: string }).tagName);
    assert.equal(first, 'H1', `${name}: the h1 comes first`);
    await page.close();
  }
});

test('axe-core reports no serious or critical violation on any page, with solutions closed and open', async () => {
  const violations: string[] = [];
  for (const name of pages) {
    const { page } = await visit(name);
    for (const state of ['as loaded', 'solutions open']) {
      if (state === 'solutions open') {
        const summaries = page.locator('details.site-solution > summary');
        for (let i = 0; i < (await summaries.count()); i++) await summaries.nth(i).click();
      }
      for (const v of await severeViolations(page)) violations.push(`${name} (${state}): ${v.id} [${v.impact}] ${v.help}: ${v.targets.join(' | ')}`);
    }
    await page.close();
  }
  assert.deepEqual(violations, []);
});
