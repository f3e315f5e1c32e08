// Exercises answered the way trainees answer them, in headless Chromium through the classic Notebook UI:
// one `npm start`, and for chapters 1, 3, 5 and 9 (the learner copies it puts in the workspace) a tab each.
// Cell → Run All through the menu; then the chapter's first exercise (its formative question aside) gets a
// wrong answer of the wrong shape typed over the placeholder in the editor, Shift+Enter on it and on its
// check, and the verdict box must name the shape and say how to get help, with no stack trace anywhere;
// then the master's solution is pasted and its check must say Correct. SAVE_SCREENSHOTS=1 writes what the
// page then shows to docs/images/chapter-N-exercise.png (chapter 3's with its "Not quite" box).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import * as lesson from '../../lesson/index.js';
import { launchBrowser, type TestBrowser } from '../support/browser.js';
import { startLesson, temporaryLessonFolders, type LessonProcess } from '../support/lesson-process.js';
import { closeAndHalt, notebookCell, openNotebook, runAll, shiftEnter } from '../support/notebook-ui.js';
import { ROOT } from '../support/paths.js';
import { freePort } from '../support/processes.js';
import { temporaryFolder } from '../support/temporary-folders.js';

interface Chapter {
  file: string;
  /** A wrong answer of the wrong shape, as a trainee might write it with what the chapter defined. */
  wrong: string;
  /** How the verdict box names that shape. */
  shape: RegExp;
  /** Which verdict the screenshot shows. */
  pictured: 'wrong' | 'correct';
  image: string;
}

const CHAPTERS: Chapter[] = [
  {
    file: '01-warming-up',
    // The chapter's own splitPid, whose result holds the prefix but is not it.
    wrong: "splitPid('10.3389/fgene.2013.00289')",
    shape: /You gave an object with the fields prefix, suffix; this exercise wants the prefix of the DOI/,
    pictured: 'correct',
    image: 'chapter-1-exercise.png',
  },
  {
    file: '03-registering-a-file',
    wrong: 'await client.retrieveHandleRecordJson(pid)',
    shape: /You gave a whole record \(the JSON of [^)\s]+\/[0-9a-f-]{36}\); this exercise wants/,
    pictured: 'wrong',
    image: 'chapter-3-exercise.png',
  },
  {
    file: '05-linking',
    wrong: '[pidA, pidB]',
    shape: /You gave a list of 2 PIDs; this exercise wants/,
    pictured: 'correct',
    image: 'chapter-5-exercise.png',
  },
  {
    file: '09-pids-machines-act-on',
    // The whole profile the chapter just resolved, instead of the names of its mandatory attributes.
    wrong: 'helmholtz',
    shape: /You gave an object with the fields? [^;]+; this exercise wants a list of attribute names/,
    pictured: 'wrong',
    image: 'chapter-9-exercise.png',
  },
];

interface NotebookCell {
  cell_type: string;
  source: string[] | string;
  metadata: { tags?: string[] };
}

const cellsOf = (path: string) => (JSON.parse(readFileSync(path, 'utf8')) as { cells: NotebookCell[] }).cells;
const text = (cell: NotebookCell) => (Array.isArray(cell.source) ? cell.source.join('') : cell.source);
const tagged = (cell: NotebookCell, tag: string) => (cell.metadata.tags ?? []).includes(tag);

/** Whether the chapter's export `name` is a formative question (letters), which has no wrong shape worth typing. */
function isQuestion(file: string, name: string): boolean {
  const checks = (lesson as unknown as Record<string, Record<string, unknown>>)[`ch${file.slice(0, 2)}`];
  const found = checks?.[name];
  return typeof found === 'object' && found !== null && 'options' in found;
}

interface Exercise {
  /** Cell indices (as in the .ipynb and the page) of the statement, the placeholder and the check. */
  statement: number;
  answer: number;
  check: number;
  name: string;
  placeholder: string;
  solution: string;
}

/** The chapter's first exercise: its placeholder cell, the next cell with `.check(` and the master's solution cell. */
function firstExercise(file: string, learner: NotebookCell[]): Exercise {
  const master = cellsOf(join(ROOT, 'notebooks', 'instructor', `${file}.ipynb`));
  const solutions = master.filter((c) => tagged(c, 'solution')).map(text);
  let n = 0;
  for (const [answer, cell] of learner.entries()) {
    if (!tagged(cell, 'exercise')) continue;
    const solution = solutions[n++];
    const check = learner.findIndex((c, i) => i > answer && c.cell_type === 'code' && text(c).includes('.check('));
    const name = /exercises\.(\w+)\.check\(/.exec(text(learner[check]!))?.[1];
    assert.ok(name && solution, `${file}: the exercise in cell ${answer} has a check cell and a solution`);
    if (isQuestion(file, name)) continue;
    const statement = learner.findLastIndex((c, i) => i < answer && c.cell_type === 'markdown');
    return { statement, answer, check, name, placeholder: text(cell), solution };
  }
  throw new Error(`${file}: no exercise tagged 'exercise' besides questions`);
}

/** What the editor of a code cell holds. */
function editorText(cell: Locator): Promise<string> {
  return cell.locator('.CodeMirror').evaluate((editor) => (editor as unknown as { CodeMirror: { getValue(): string } }).CodeMirror.getValue());
}

/**
 * Shift+Enter in the answer cell, which must run without an error (Notebook 6 would not run the check
 * queued after a failed cell), then Shift+Enter again in the check cell the first one moved to.
 */
async function runAnswerAndCheck(notebook: Page, exercise: Exercise): Promise<void> {
  await shiftEnter(notebook, exercise.answer);
  // tslab shows a compile error as stderr, an exception as an error output.
  const errors = await notebookCell(notebook, exercise.answer).locator('.output_error, .output_stderr').allTextContents();
  assert.deepEqual(errors, [], 'the answer cell runs without an error');
  await shiftEnter(notebook, exercise.check);
}

interface Verdict {
  outcome: string | null;
  text: string;
}

async function verdictOf(notebook: Page, exercise: Exercise): Promise<Verdict> {
  const boxes = notebookCell(notebook, exercise.check).locator('[data-outcome]');
  assert.equal(await boxes.count(), 1, 'the check cell shows one verdict box');
  return { outcome: await boxes.getAttribute('data-outcome'), text: ((await boxes.textContent()) ?? '').replace(/\s+/g, ' ') };
}

/** No cell shows an error (an exception, or a compile error on stderr) or a line of a stack trace ("    at f (file:1:2)"). */
async function assertNoStackTrace(notebook: Page, when: string): Promise<void> {
  const errors = await notebook.$$eval('.output_error, .output_stderr', (found) => found.map((o) => o.textContent?.slice(0, 400) ?? ''));
  assert.deepEqual(errors, [], `${when}: no cell shows an error`);
  const outputs = await notebook.$$eval('.output_area', (found) => found.map((o) => o.textContent ?? ''));
  const frames = outputs.filter((o) => /^\s+at \S/m.test(o)).map((o) => o.slice(0, 400));
  assert.deepEqual(frames, [], `${when}: no cell shows a stack trace`);
}

/**
 * Scrolls the notebook (it scrolls inside #site) so that the exercise's statement, its cells and the
 * verdict are in view, or as much of them as fits with the verdict at the bottom, and writes the page as
 * the trainee sees it: the Notebook's menu bar and kernel indicator stay in the picture.
 */
async function picture(notebook: Page, exercise: Exercise, path: string): Promise<void> {
  await notebook.evaluate(
    ({ statement, check }) => {
      const site = document.querySelector('#site')!;
      const cells = document.querySelectorAll('#notebook-container > .cell');
      const view = site.getBoundingClientRect();
      const top = cells[statement]!.getBoundingClientRect().top;
      const bottom = cells[check]!.getBoundingClientRect().bottom;
      const margin = 12;
      site.scrollTop += bottom - top + 2 * margin <= view.bottom - view.top ? top - view.top - margin : bottom - view.bottom + margin;
    },
    { statement: exercise.statement, check: exercise.check },
  );
  await notebook.screenshot({ path });
}

describe('exercises answered through the Notebook UI, after Cell → Run All', { timeout: 900_000 }, () => {
  let lessonProcess: LessonProcess | undefined;
  let chromium: TestBrowser | undefined;
  let tree: Page;
  let workspace: string;
  const images = process.env.SAVE_SCREENSHOTS === '1' ? join(ROOT, 'docs', 'images') : temporaryFolder('screenshots-');

  before(
    async () => {
      const folders = temporaryLessonFolders();
      workspace = folders.workspace;
      lessonProcess = await startLesson({
        PID_MOCK_PORT: String(await freePort()),
        PID_MOCK_DATA: folders.data,
        PID_WORKSPACE: folders.workspace,
        JUPYTER_PORT: String(await freePort()),
      });
      chromium = await launchBrowser({ viewport: { width: 1280, height: 900 } });
      tree = await chromium.context.newPage();
      await tree.goto(await lessonProcess.url);
      await tree.waitForSelector('#notebook_list .list_item .item_name');
      mkdirSync(images, { recursive: true });
    },
    { timeout: 180_000 },
  );

  after(async () => {
    await chromium?.close();
    await lessonProcess?.stop();
  });

  for (const chapter of CHAPTERS) {
    test(`chapter ${chapter.file}: a wrong-shaped answer gets a verdict naming its shape, the master's answer is Correct`, { timeout: 420_000 }, async () => {
      // The learner copy npm start put in the workspace: what the page shows, cell for cell.
      const learner = cellsOf(join(workspace, `${chapter.file}.ipynb`));
      const exercise = firstExercise(chapter.file, learner);
      const notebook = await openNotebook(tree, `${chapter.file}.ipynb`);
      await runAll(notebook);
      await assertNoStackTrace(notebook, 'after Run All');

      const answerCell = notebookCell(notebook, exercise.answer);
      assert.equal(await editorText(answerCell), exercise.placeholder, 'the page shows the learner copy, cell for cell');
      assert.match((await verdictOf(notebook, exercise)).outcome ?? '', /^unattempted$/, 'after Run All the exercise is not attempted yet');

      // As a person does: double-click the placeholder (the code's YOUR_ANSWER, not the one in the comment) and type over it.
      await answerCell.locator('.CodeMirror-line span:text-is("YOUR_ANSWER")').dblclick();
      await notebook.keyboard.type(chapter.wrong);
      const typed = exercise.placeholder.replace(/= YOUR_ANSWER;/, `= ${chapter.wrong};`);
      assert.equal(await editorText(answerCell), typed, 'the editor holds what was typed, over the placeholder only');
      await runAnswerAndCheck(notebook, exercise);
      const wrong = await verdictOf(notebook, exercise);
      assert.equal(wrong.outcome, 'wrong', `a wrong shape is not Correct: ${wrong.text}`);
      assert.match(wrong.text, /Not quite/);
      assert.match(wrong.text, chapter.shape, 'the box names the shape given and the one wanted');
      const help = `Stuck? exercises.${exercise.name}.hint() gives a hint`;
      assert.ok(wrong.text.includes(help), `the box says how to get a hint: ${wrong.text}`);
      assert.ok(wrong.text.includes(`exercises.${exercise.name}.solution() shows a solution`), `the box says how to see a solution: ${wrong.text}`);
      await assertNoStackTrace(notebook, 'after the wrong answer');
      if (chapter.pictured === 'wrong') await picture(notebook, exercise, join(images, chapter.image));

      // The master's solution over everything in the cell, pasted as a trainee pastes what `.solution()` showed:
      // typed line by line, the editor would indent each new line itself (chapter 9's takes four lines).
      await answerCell.locator('.CodeMirror-line').first().click();
      await notebook.keyboard.press('Control+A');
      await notebook.keyboard.insertText(exercise.solution);
      assert.equal(await editorText(answerCell), exercise.solution, "the editor holds the master's solution as pasted");
      await runAnswerAndCheck(notebook, exercise);
      const right = await verdictOf(notebook, exercise);
      assert.equal(right.outcome, 'correct', `the master's answer is Correct: ${right.text}`);
      assert.match(right.text, /Correct/);
      await assertNoStackTrace(notebook, "after the master's answer");
      if (chapter.pictured === 'correct') await picture(notebook, exercise, join(images, chapter.image));

      await closeAndHalt(notebook);
    });
  }
});
