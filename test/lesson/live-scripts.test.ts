// The instructor glances at a chapter's live-coding script while teaching, with the class board beside it.
// A script that forgets an exercise (a board column) or a planned failure (the board's "planned" count) has
// drifted from its chapter, so every chapter's script must name each of them. The ids come from the
// chapter's checks.ts, the labels from the `planned('…', …)` calls in its cells, so a new exercise or
// demonstration fails here until the script tells the instructor about it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSource } from '../../lesson/tools/build.js';
import { ROOT } from '../support/paths.js';

const LESSON = join(ROOT, 'lesson');
const HEADING = '## Live-coding script';
// Glanceable while teaching: the brief's 10–25 lines, with room for a wrapped step or two.
const MAX_LINES = 32;

const chapters = readdirSync(LESSON)
  .filter((f) => /^\d\d-/.test(f))
  .sort();

/** The exercise and question ids of a chapter, as its checks report them to the board. */
function exerciseIds(chapter: string): string[] {
  const source = readFileSync(join(LESSON, chapter, 'checks.ts'), 'utf8');
  return [...source.matchAll(/\bid:\s*'([^']+)'/g)].map((m) => m[1]!);
}

/** The labels of the chapter's deliberate failures: `planned('<label>', …)` in its cells, not its prose. */
function plannedLabels(chapter: string): string[] {
  const file = `${chapter}/chapter.md`;
  const cells = parseSource(readFileSync(join(LESSON, file), 'utf8'), file).filter((c) => c.role !== 'markdown' && c.role !== 'instructor-note');
  return [...new Set(cells.flatMap((c) => [...c.text.matchAll(/\bplanned\(\s*'([^']+)'/g)].map((m) => m[1]!)))];
}

/** The script's section of a notes file: from its heading to the next `## ` heading. */
function scriptSection(notes: string): string | undefined {
  const start = notes.indexOf(`\n${HEADING}\n`);
  if (start < 0) return undefined;
  const rest = notes.slice(start + 1);
  const next = rest.indexOf('\n## ', HEADING.length);
  return next < 0 ? rest : rest.slice(0, next);
}

/** The numbered steps of a script (the text from its first `1. ` on). */
function steps(section: string): string {
  const first = section.search(/^1\. /m);
  return first < 0 ? '' : section.slice(first);
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// "3.1" must not be found inside "13.1" or "3.12", "Q3" not inside "Q30", a label not inside a longer one.
const names = (text: string, name: string) => new RegExp(`(?<![\\w.-])${escapeRegExp(name)}(?![\\w-]|\\.\\w)`).test(text);

/** What a script fails to tell the instructor: the problems, empty when it is fine. */
function scriptProblems(notes: string, ids: string[], labels: string[]): string[] {
  const section = scriptSection(notes);
  if (section === undefined) return [`no "${HEADING}" section`];
  const problems: string[] = [];
  const body = steps(section);
  const stepCount = (body.match(/^\d+\. /gm) ?? []).length;
  if (stepCount < 5) problems.push(`${stepCount} numbered steps, fewer than 5`);
  const lines = section.trimEnd().split('\n').length;
  if (lines > MAX_LINES) problems.push(`${lines} lines, more than ${MAX_LINES} to glance at`);
  if (!/\bboard\b/i.test(section)) problems.push('says nothing about the board');
  for (const id of ids) if (!names(body, id)) problems.push(`no step names exercise ${id}`);
  for (const label of labels) if (!names(body, label)) problems.push(`no step names the planned failure ${label}`);
  return problems;
}

test('every chapter has its checks and the readers find them', () => {
  assert.ok(chapters.length >= 9, `the chapters are found (${chapters.join(', ')})`);
  for (const chapter of chapters) {
    const ids = exerciseIds(chapter);
    const number = Number(chapter.slice(0, 2));
    assert.ok(ids.includes(`Q${number}`) && ids.some((id) => id.startsWith(`${number}.`)), `${chapter}: an exercise and a question (${ids.join(', ')})`);
    // Every id read from checks.ts is one the chapter's cells check, not a leftover.
    const chapterText = readFileSync(join(LESSON, chapter, 'chapter.md'), 'utf8');
    const checked = [...chapterText.matchAll(/\bexercises\.(\w+)\.check\(/g)].map((m) => m[1]!);
    assert.equal(new Set(checked).size, ids.length, `${chapter}: one check cell per id in checks.ts`);
  }
  // The label reader reads the chapters as they are: chapter 3's 409 is a planned failure.
  assert.ok(plannedLabels('03-registering-a-file').includes('3.duplicate'), "the planned() reader finds chapter 3's label");
});

test("every chapter's instructor notes have a live-coding script naming its exercises and planned failures", () => {
  for (const chapter of chapters) {
    const notes = readFileSync(join(LESSON, chapter, 'instructor-notes.md'), 'utf8');
    assert.equal(notes.split(`\n${HEADING}\n`).length, 2, `${chapter}/instructor-notes.md has exactly one "${HEADING}"`);
    assert.deepEqual(scriptProblems(notes, exerciseIds(chapter), plannedLabels(chapter)), [], `${chapter}/instructor-notes.md`);
  }
});

test('the script check notices a missing exercise, a missing label, a look-alike id and a missing section', () => {
  const notes = readFileSync(join(LESSON, '03-registering-a-file', 'instructor-notes.md'), 'utf8');
  const ids = exerciseIds('03-registering-a-file');
  assert.deepEqual(scriptProblems(notes, ids, ['3.duplicate']), []);
  assert.deepEqual(scriptProblems(notes, [...ids, '3.9'], ['3.duplicate', '3.never-shown']), [
    'no step names exercise 3.9',
    'no step names the planned failure 3.never-shown',
  ]);
  assert.deepEqual(scriptProblems(notes.replaceAll('3.1', '13.12'), ids, []), ['no step names exercise 3.1']);
  assert.deepEqual(scriptProblems(notes.replace(HEADING, '## Something else'), ids, []), [`no "${HEADING}" section`]);
  const padded = notes.replace(`${HEADING}\n`, `${HEADING}\n${'\n'.repeat(MAX_LINES)}`);
  assert.match(scriptProblems(padded, ids, []).join(), /more than \d+ to glance at/);
});

test("the whole day's notes point to the board, how to log in, and every chapter's script", () => {
  const notes = readFileSync(join(LESSON, 'instructor-notes.md'), 'utf8');
  const start = notes.indexOf('\n## Watching the class: the board\n');
  assert.ok(start >= 0, 'a "Watching the class: the board" section');
  const section = notes.slice(start + 1, notes.indexOf('\n## ', start + 1));
  assert.match(section, /\/_admin\/board/);
  assert.match(section, /instructor\/admin-token/, 'names the file that holds the token');
  assert.match(section, /planned/, 'says how planned failures show');
  for (const chapter of chapters) assert.ok(section.includes(`(${chapter}/instructor-notes.md#live-coding-script)`), `links ${chapter}'s script`);
});
