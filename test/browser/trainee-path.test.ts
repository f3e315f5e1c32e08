// The trainee's first contact, in a real browser (headless Chromium): `npm start` runs as a real
// process, the page it prints is opened, chapter 1 is opened from the file list and run through the
// Notebook UI (Cell → Run All), and what the trainee then sees is checked; the resolver's values page
// loads without a failed request. Set SAVE_SCREENSHOTS=1 to refresh docs/images/first-start-chapter-1.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser, type TestBrowser } from '../support/browser.js';
import { startLesson, temporaryLessonFolders } from '../support/lesson-process.js';
import { openNotebook, runAll } from '../support/notebook-ui.js';
import { startMockProcess } from '../support/mock-process.js';
import { ROOT } from '../support/paths.js';
import { freePort } from '../support/processes.js';
import { temporaryFolder } from '../support/temporary-folders.js';

const SEEDED_HANDLE = '11304/cf8956a2-39d3-11e5-8a18-f31aa6f4d448';

/** A fresh browser for one test, closed before the servers stop (see TestBrowser.close). */
function browser(): Promise<TestBrowser> {
  return launchBrowser({ viewport: { width: 1200, height: 900 } });
}

/** Every request of the page that failed or was answered with an HTTP error, as "STATUS URL". */
function failedRequests(page: Page): string[] {
  const failed: string[] = [];
  page.on('requestfailed', (request) => failed.push(`failed ${request.url()} (${request.failure()?.errorText ?? '?'})`));
  page.on('response', (response) => {
    if (response.status() >= 400) failed.push(`${response.status()} ${response.url()}`);
  });
  return failed;
}

test('a trainee opens the printed address, runs chapter 1 through the Notebook UI and sees the lesson work', { timeout: 300_000 }, async () => {
  const folders = temporaryLessonFolders();
  const lesson = await startLesson({
    PID_MOCK_PORT: String(await freePort()),
    PID_MOCK_DATA: folders.data,
    PID_WORKSPACE: folders.workspace,
    JUPYTER_PORT: String(await freePort()),
  });
  const chromium = await browser();
  try {
    const tree = await chromium.context.newPage();
    await tree.goto(await lesson.url);
    await tree.waitForSelector('#notebook_list .list_item .item_name');
    const listed = await tree.$$eval('#notebook_list .list_item .item_name', (names) => names.map((n) => n.textContent?.trim() ?? ''));
    assert.ok(listed.includes('01-warming-up.ipynb'), `the file list shows chapter 1: ${listed.join(', ')}`);
    for (const plumbing of ['instructor', 'source', 'tools', 'Dockerfile', 'start', 'pid.ts', 'node_modules']) {
      assert.ok(!listed.includes(plumbing), `the file list shows no ${plumbing}: ${listed.join(', ')}`);
    }

    let failed: string[] = [];
    const notebook = await openNotebook(tree, '01-warming-up.ipynb', (tab) => {
      failed = failedRequests(tab);
    });
    assert.equal(await notebook.textContent('.kernel_indicator_name'), 'TypeScript');
    await runAll(notebook, 180_000);

    const errors = await notebook.$$eval('.output_error, .output_stderr', (outputs) => outputs.map((o) => o.textContent?.slice(0, 300)));
    assert.deepEqual(errors, [], 'no cell shows an error');
    const caption = await notebook.textContent('.output_html table caption');
    assert.match(caption ?? '', new RegExp(SEEDED_HANDLE), 'the record is shown as an HTML table');
    const types = await notebook.$$eval('.output_html table td:nth-child(2)', (cells) => cells.map((c) => c.textContent));
    assert.ok(types.includes('URL') && types.includes('HS_ADMIN'), `the table lists the values: ${types.join(', ')}`);

    const boxes = await notebook.$$eval('[data-outcome]', (found) =>
      found.map((box) => ({
        outcome: box.getAttribute('data-outcome'),
        text: box.textContent ?? '',
        // Everything the check cell shows: the box should be all of it.
        outputs: box.closest('.output')?.querySelectorAll('.output_area').length ?? 0,
        shownText: (box.closest('.output') as HTMLElement | null)?.innerText.trim() ?? '',
      })),
    );
    assert.equal(boxes.length, 3, "chapter 1's two exercises and its question were checked");
    for (const box of boxes) {
      assert.equal(box.outcome, 'unattempted');
      assert.match(box.text, /Not attempted yet/);
      assert.equal(box.outputs, 1, `a check shows only its verdict box, nothing under it: ${box.shownText}`);
      assert.doesNotMatch(box.shownText, /\n\s*(unattempted|correct)\s*$/);
    }
    assert.deepEqual(failed, [], 'every request of the notebook page succeeded');

    // The notebook page scrolls inside #site; unroll it so the whole executed notebook is in the picture.
    await notebook.addStyleTag({
      content: '#site { height: auto !important; overflow: visible !important; } body { overflow: visible !important; height: auto !important; }',
    });
    const dir = process.env.SAVE_SCREENSHOTS === '1' ? join(ROOT, 'docs', 'images') : temporaryFolder('screenshots-');
    mkdirSync(dir, { recursive: true });
    await notebook.screenshot({ path: join(dir, 'first-start-chapter-1.png'), fullPage: true });
  } finally {
    await chromium.close();
    await lesson.stop();
  }
});

test("the resolver's values page loads with every image, style and script it needs", { timeout: 60_000 }, async () => {
  const server = await startMockProcess();
  const chromium = await browser();
  try {
    const page = await chromium.context.newPage();
    const failed = failedRequests(page);
    const response = await page.goto(`${server.httpUrl}/${SEEDED_HANDLE}?noredirect`, { waitUntil: 'networkidle' });
    assert.equal(response?.status(), 200);
    assert.match((await page.textContent('body')) ?? '', /HS_ADMIN/, "the page lists the record's values");
    assert.deepEqual(failed, [], 'no request of the values page failed (the logo included)');
  } finally {
    await chromium.close();
    await server.stop();
  }
});
