// A class as it happens, watched on the board: 22 trainees provisioned by `pid-mock class provision`;
// three of them run chapter 3 in real tslab kernels with their own bundles (headless, nbclient) — one
// with the master's answers, one who runs the chapter and then answers Exercise 3.1 wrongly three times,
// one who only runs the chapter (Run All, answers untouched) — and the other nineteen never connect.
// Headless Chromium keeps the board open at 1920×1080 the whole time. The assertions are what the board
// shows: each kernel's verdicts within 5 s of its last cell, the stuck trainee first with the reason, the
// chapter's deliberate 409 counted as planned and never as an error, the silent trainees listed as not
// started, the summary's counts, and axe-core's report. SAVE_SCREENSHOTS=1 writes
// docs/images/class-board-during-chapter-3.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { assertAccessible } from '../support/accessibility.js';
import { launchBrowser, type TestBrowser } from '../support/browser.js';
import { runCli, spawnServer, type ServerProcess } from '../support/mock-process.js';
import { linkLessonPackage, NOTEBOOKS, runNotebookAs } from '../support/notebook-runs.js';
import { ROOT } from '../support/paths.js';
import { temporaryFolder } from '../support/temporary-folders.js';

const TRAINEES = 22;
const CHAPTER = '03-registering-a-file';
const nameOf = (n: number) => `TRAINEE${String(n).padStart(2, '0')}`;

interface Cell {
  cell_type: string;
  source: string[] | string;
  metadata: { tags?: string[] };
  outputs?: unknown[];
  execution_count?: null;
}

let dataDir: string;
let server: ServerProcess;
let browser: TestBrowser;
let page: Page;
const outDir = temporaryFolder('class-board-kernels-');

before(async () => {
  linkLessonPackage();
  dataDir = temporaryFolder('pid-class-board-kernels-');
  // The board's columns: chapter 3's exercises and question, as the instructor sets them for the day.
  server = await spawnServer(dataDir, { PID_MOCK_EXERCISES: '3.1,3.2,Q3' });
  const provisioned = await runCli(['class', 'provision', '--trainees', String(TRAINEES), '--data', dataDir]);
  assert.match(provisioned.stdout, new RegExp(`^${TRAINEES} new`), provisioned.stdout);
  browser = await launchBrowser({ viewport: { width: 1920, height: 1080 } });
  page = await browser.context.newPage();
  await page.goto(`${server.httpUrl}/_admin/board`);
  await page.fill('#token', server.adminToken);
  await Promise.all([page.waitForURL(/\/_admin\/board$/), page.click('button[type=submit]')]);
  await page.waitForSelector(`#class tbody tr[data-trainee="${nameOf(TRAINEES)}"]`);
});

after(async () => {
  await browser?.close();
  await server?.kill('SIGTERM');
});

const text = (source: string[] | string) => (Array.isArray(source) ? source.join('') : source);
const codeCell = (source: string): Cell => ({ cell_type: 'code', source, metadata: {}, outputs: [], execution_count: null });

/** The learner copy, then Exercise 3.1 answered wrongly three times, each followed by its check, as a trainee tries. */
function threeWrongAnswers(): Record<string, unknown> {
  const learner = JSON.parse(readFileSync(join(NOTEBOOKS, `${CHAPTER}.ipynb`), 'utf8')) as { cells: Cell[] };
  const check = learner.cells.find((c) => text(c.source).includes('exercises.registerCsv.check('));
  assert.ok(check, 'chapter 3 checks Exercise 3.1 with exercises.registerCsv');
  const attempts = ["const myPid = '21.T12995/surveys-2024';", 'const myPid = urls.surveysCsv;', "const myPid = '10.1234/not-mine';"];
  return { ...learner, cells: [...learner.cells, ...attempts.flatMap((answer) => [codeCell(answer), codeCell(text(check.source))])] };
}

/** Runs a notebook in a real kernel as `trainee` (their bundle's cred_file.json); returns the cells that failed or wrote stderr. */
async function runAs(trainee: string, notebook: string | Record<string, unknown>): Promise<string[]> {
  const credentials = join(dataDir, 'instructor', 'class', 'bundles', `pid-handson-${trainee}`, 'cred_file.json');
  if (typeof notebook === 'string') return runNotebookAs(credentials, notebook, join(outDir, `${trainee}.ipynb`));
  // A notebook of its own in notebooks/ (a dot name keeps it out of every listing), removed afterwards.
  const name = `.class-board-${trainee}-${process.pid}.ipynb`;
  writeFileSync(join(NOTEBOOKS, name), JSON.stringify(notebook));
  try {
    return await runNotebookAs(credentials, name, join(outDir, `${trainee}.ipynb`));
  } finally {
    rmSync(join(NOTEBOOKS, name), { force: true });
  }
}

const row = (trainee: string) => `#class tbody tr[data-trainee="${trainee}"]`;

test('three trainees work through chapter 3 in real kernels while the board watches; nineteen never connect', { timeout: 15 * 60 * 1000 }, async () => {
  // Two kernels at a time on this 2-core machine: the third trainee starts when the first two are done.
  const [master, wrong] = await Promise.all([runAs(nameOf(1), `instructor/${CHAPTER}.ipynb`), runAs(nameOf(2), threeWrongAnswers())]);
  const untouched = await runAs(nameOf(3), `${CHAPTER}.ipynb`);
  assert.deepEqual(master, [], "the master's cells all ran");
  // The three wrong answers' cells ran (each check shows its verdict box; none is a compile error).
  assert.deepEqual(wrong, [], 'the trainee with wrong answers: every cell ran');
  assert.deepEqual(untouched, [], 'Run All on the learner copy: every cell ran');

  // Each kernel's last report is sent after its last cell: the board shows it within 5 s (it polls every 2 s).
  await page.waitForSelector(`${row(nameOf(1))}[data-state="done"]`, { timeout: 5_000 });
  await page.waitForSelector(`${row(nameOf(2))}[data-state="stuck"]`, { timeout: 5_000 });
  await page.waitForSelector(`${row(nameOf(3))} td[data-exercise="Q3"][data-verdict="unattempted"]`, { timeout: 5_000 });
  for (const n of [1, 2, 3]) await page.waitForSelector(`${row(nameOf(n))} td.errors[data-planned="1"]`, { timeout: 5_000 });

  const shown = await page.$$eval('#class tbody tr', (rows) =>
    rows.map((tr) => {
      const verdicts: Record<string, string> = {};
      for (const td of tr.querySelectorAll('td[data-exercise]'))
        verdicts[(td as unknown as { dataset: Record<string, string> }).dataset.exercise!] = (td as unknown as { dataset: Record<string, string> }).dataset
          .verdict!;
      const errors = tr.querySelector('td.errors') as unknown as { dataset: Record<string, string> };
      return {
        name: tr.getAttribute('data-trainee'),
        state: tr.getAttribute('data-state'),
        stateText: tr.querySelector('td.state')?.textContent ?? '',
        verdicts,
        unexpected: errors.dataset.unexpected,
        planned: errors.dataset.planned,
      };
    }),
  );
  assert.equal(shown.length, TRAINEES, 'every provisioned trainee has a row');
  assert.equal(shown[0]?.name, nameOf(2), 'the stuck trainee comes first');
  assert.match(shown[0]!.stateText, /stuck/);
  assert.match(shown[0]!.stateText, /3\.1 wrong 3 times/);
  const byName = new Map(shown.map((r) => [r.name, r]));
  assert.deepEqual(byName.get(nameOf(1))?.verdicts, { '3.1': 'correct', '3.2': 'correct', Q3: 'correct' });
  assert.deepEqual([byName.get(nameOf(1))?.unexpected, byName.get(nameOf(1))?.planned], ['0', '1'], "chapter 3's 409 is the lesson's, not an error");
  assert.equal(byName.get(nameOf(2))?.verdicts['3.1'], 'wrong');
  assert.equal(byName.get(nameOf(2))?.unexpected, '0', 'wrong answers are not errors');
  assert.equal(byName.get(nameOf(2))?.planned, '1');
  assert.deepEqual(byName.get(nameOf(3))?.verdicts, { '3.1': 'unattempted', '3.2': 'unattempted', Q3: 'unattempted' });
  assert.deepEqual([byName.get(nameOf(3))?.unexpected, byName.get(nameOf(3))?.planned], ['0', '1']);
  const silent = shown.filter((r) => r.state === 'not-started').map((r) => r.name);
  assert.deepEqual(
    silent.sort(),
    Array.from({ length: TRAINEES - 3 }, (_, i) => nameOf(i + 4)),
    'the trainees who never connected are listed, as not started',
  );
  assert.match((await page.textContent('#summary')) ?? '', new RegExp(`^${TRAINEES} trainees · 1 stuck · 1 working · 1 done · ${TRAINEES - 3} not started`));
  const solved = await page.$$eval('#solved td[data-exercise]', (cells) => cells.map((c) => c.textContent?.trim()));
  assert.deepEqual(solved, [`1/${TRAINEES}`, `1/${TRAINEES}`, `1/${TRAINEES}`], 'one trainee solved each of 3.1, 3.2 and Q3');
  await assertAccessible(page, 'the board during chapter 3');
  if (process.env.SAVE_SCREENSHOTS === '1') await page.screenshot({ path: join(ROOT, 'docs', 'images', 'class-board-during-chapter-3.png') });
});
