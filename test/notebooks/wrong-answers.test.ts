// Answers the exercises the way trainees do, in a real tslab kernel against a real mock server process:
// Cell → Run All on each chapter's learner copy (placeholders still in, the chapter's last cell included),
// then every exercise in turn answered wrongly — a wrong value, values of the wrong shape (a list, a whole
// record, undefined, a number or a string) — and then with the master's solution, each followed by the
// exercise's check cell. Every such check must show a verdict box (never a compile error, never an error
// output): a wrong shape is named, a wrong answer says how to get a hint, and the solution is Correct, so
// nothing Run All ran may leave a later exercise unusable. A chapter's formative question is answered with
// each wrong option (its box must show that option's explanation), a number and an unknown letter, then with
// the master's letter in upper case and as written. One kernel per chapter; two chapters at a time.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { type CellReport, lessonChapters, NOTEBOOKS, runNotebookDriver, sharedNotebookServer } from '../support/notebook-runs.js';
import { ROOT } from '../support/paths.js';
import { temporaryFolder } from '../support/temporary-folders.js';
import { parseSource } from '../../lesson/tools/build.js';
import * as lesson from '../../lesson/index.js';
import { escapeHtml } from '../../lesson/kit/notebook.js';
import type { LessonQuestion } from '../../lesson/kit/question.js';

interface Cell {
  cell_type: 'markdown' | 'code';
  source: string[] | string;
  metadata: Record<string, unknown>;
  outputs?: unknown[];
  execution_count?: null;
  id?: string;
}

/** A wrong value of the right shape, then a wrong answer of each other shape, for an exercise whose answer is a string, a number or a list of strings. */
const WRONG_SHAPES: Record<'string' | 'number' | 'string[]', Array<{ expression: string; verdict: RegExp }>> = {
  string: [
    { expression: "'21.T12995/not-the-answer'", verdict: /data-outcome="wrong"/ },
    { expression: "['21.T12995/a', '21.T12995/b', '21.T12995/c']", verdict: /You gave a list of 3 PIDs; this exercise wants/ },
    {
      expression: "{ responseCode: 1, handle: '21.T12995/a', values: [] }",
      verdict: /You gave a whole record \(the JSON of 21\.T12995\/a\); this exercise wants/,
    },
    { expression: 'undefined', verdict: /Your answer is undefined: / },
    { expression: '42', verdict: /You gave the number 42; this exercise wants/ },
  ],
  number: [
    { expression: '-1', verdict: /data-outcome="wrong"/ },
    { expression: "['21.T12995/a', '21.T12995/b']", verdict: /You gave a list of 2 PIDs; this exercise wants/ },
    {
      expression: "{ responseCode: 1, handle: '21.T12995/a', values: [] }",
      verdict: /You gave a whole record \(the JSON of 21\.T12995\/a\); this exercise wants/,
    },
    { expression: 'undefined', verdict: /Your answer is undefined: / },
    { expression: "'42'", verdict: /You gave the string &quot;42&quot;; this exercise wants/ },
  ],
  'string[]': [
    { expression: "['21.T12995/not-the-answer']", verdict: /data-outcome="wrong"/ },
    { expression: "'add handle'", verdict: /You gave the string &quot;add handle&quot;; this exercise wants/ },
    {
      expression: "{ responseCode: 1, handle: '21.T12995/a', values: [] }",
      verdict: /You gave a whole record \(the JSON of 21\.T12995\/a\); this exercise wants/,
    },
    { expression: 'undefined', verdict: /Your answer is undefined: / },
    { expression: '42', verdict: /You gave the number 42; this exercise wants/ },
  ],
};

/** The shape each exercise's variable wants, read from the kit through the chapter's own checks. */
function shapeOf(chapter: string, checkSource: string): 'string' | 'number' | 'string[]' {
  const name = /exercises\.(\w+)\.check\(/.exec(checkSource)?.[1];
  const source = readFileSync(join(ROOT, 'lesson', chapter, 'checks.ts'), 'utf8');
  assert.ok(name && source.includes(`export const ${name} =`), `${chapter}: no exercise named in ${checkSource}`);
  // The declaration of `name` in checks.ts carries `answer: { type: '…'`.
  const declaration = source.slice(source.indexOf(`export const ${name} =`));
  const type = /answer: \{\s*type: '([^']+)'/.exec(declaration)?.[1];
  assert.ok(type === 'string' || type === 'number' || type === 'string[]', `${chapter}.${name}: answer type ${type}`);
  return type;
}

/** The chapter's question named `name`, if that export of its checks is a question (as the notebook reaches it, `exercises.<name>`). */
function questionOf(chapter: string, name: string): LessonQuestion | undefined {
  const checks = (lesson as unknown as Record<string, Record<string, unknown>>)[`ch${chapter.slice(0, 2)}`];
  const found = checks?.[name];
  return typeof found === 'object' && found !== null && 'options' in found && 'letters' in found ? (found as LessonQuestion) : undefined;
}

/** A text of the kit's boxes as their HTML shows it: escaped, `backticks` as code. */
const boxHtml = (s: string) => escapeHtml(s).replace(/`([^`]+)`/g, '<code>$1</code>');
const literally = (s: string) => new RegExp(s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));

/** Wrong answers of a question: each wrong option (its box names the option and explains it), a number, a letter that is no option. */
function wrongAnswersOf(q: LessonQuestion, right: string): Array<{ expression: string; verdict: RegExp }> {
  const options = q.letters
    .filter((letter) => letter !== right)
    .map((letter) => {
      const option = q.options[letter]!;
      return { expression: `'${letter}'`, verdict: literally(`(${letter}) ${boxHtml(option.text)} — ${boxHtml(option.why)}`) };
    });
  return [
    ...options,
    { expression: '42', verdict: /You gave the number 42; this exercise wants one letter in quotes/ },
    { expression: "'z'", verdict: /&quot;z&quot; is not one of the options/ },
  ];
}

const text = (source: string[] | string) => (Array.isArray(source) ? source.join('') : source);
const codeCell = (source: string, tag: string): Cell => ({ cell_type: 'code', source, metadata: { tags: [tag] }, outputs: [], execution_count: null });

interface Probe {
  tag: string;
  exercise: string;
  expected: RegExp;
  outcome: 'wrong' | 'correct';
}

/** The learner copy (what Run All runs) followed, for each exercise in turn, by the wrong answers and the solution, each checked. */
function probedNotebook(chapter: string): { notebook: Record<string, unknown>; probes: Probe[] } {
  const learner = JSON.parse(readFileSync(join(NOTEBOOKS, `${chapter}.ipynb`), 'utf8')) as { cells: Cell[] };
  const master = JSON.parse(readFileSync(join(NOTEBOOKS, 'instructor', `${chapter}.ipynb`), 'utf8')) as { cells: Cell[] };
  const solutions = master.cells.filter((c) => ((c.metadata.tags as string[] | undefined) ?? []).includes('solution')).map((c) => text(c.source));
  const cells: Cell[] = [...learner.cells];
  const probes: Probe[] = [];
  let exerciseIndex = 0;
  learner.cells.forEach((cell, i) => {
    const previous = learner.cells[i - 1];
    if (!previous || !((previous.metadata.tags as string[] | undefined) ?? []).includes('exercise')) return;
    const variable = /^const (\w+) = YOUR_ANSWER;/m.exec(text(previous.source))?.[1];
    const check = text(cell.source);
    assert.ok(variable, `${chapter}: the placeholder cell before "${check}" declares no variable with YOUR_ANSWER`);
    const exercise = /exercises\.(\w+)\.check/.exec(check)?.[1] ?? check;
    const solution = solutions[exerciseIndex++];
    assert.ok(solution, `${chapter}: no solution for ${exercise}`);
    const q = questionOf(chapter, exercise);
    const right = q ? /= '([a-z])';/.exec(solution)?.[1] : undefined;
    if (q) assert.ok(right && q.letters.includes(right), `${chapter}: the master's answer to ${exercise} is one of its letters: ${solution}`);
    if (q && right) {
      const tag = `probe-${exercise}-upper-case`;
      cells.push(codeCell(`const ${variable} = '${right.toUpperCase()}';`, `${tag}-answer`), codeCell(check, tag));
      probes.push({ tag, exercise: `${exercise} ← the master's letter in upper case`, expected: /data-outcome="correct"/, outcome: 'correct' });
    }
    (q && right ? wrongAnswersOf(q, right) : WRONG_SHAPES[shapeOf(chapter, check)]).forEach(({ expression, verdict }, n) => {
      const tag = `probe-${exercise}-${n}`;
      cells.push(codeCell(`const ${variable} = ${expression};`, `${tag}-answer`), codeCell(check, tag));
      probes.push({ tag, exercise: `${exercise} ← ${expression}`, expected: verdict, outcome: 'wrong' });
    });
    const tag = `probe-${exercise}-solution`;
    cells.push(codeCell(solution, `${tag}-answer`), codeCell(check, tag));
    probes.push({ tag, exercise: `${exercise} ← the master's solution`, expected: /data-outcome="correct"/, outcome: 'correct' });
  });
  return { notebook: { ...learner, cells }, probes };
}

test('a placeholder line wider than a cell (90 characters) fails the notebook build', () => {
  const chapter = (comment: string) =>
    `# T\n\n\`\`\`ts solution\nconst x = 1;\n\`\`\`\n\n\`\`\`ts placeholder\n// ${comment}\nconst x = YOUR_ANSWER;\n\`\`\`\n`;
  assert.doesNotThrow(() => parseSource(chapter('a'.repeat(87)), 'ok.md'));
  assert.throws(() => parseSource(chapter('a'.repeat(88)), 'wide.md'), /wide\.md: a placeholder line is longer than 90 characters/);
});

const server = sharedNotebookServer();
const outDir = temporaryFolder('wrong-answers-');

async function run(chapter: string, notebook: Record<string, unknown>): Promise<{ cells: CellReport[]; executed: { cells: Cell[] } }> {
  // In notebooks/ itself, so that the kernel finds `pid-handson/lesson` as the learner copy does; a dot
  // name keeps it out of every listing of chapters, and it is removed afterwards.
  const source = join(NOTEBOOKS, `.wrong-answers-${chapter}-${process.pid}.ipynb`);
  const target = join(outDir, `${chapter}.ipynb`);
  writeFileSync(source, JSON.stringify(notebook));
  try {
    const report = JSON.parse(await runNotebookDriver(chapter, server(), 'run_notebook.py', [basename(source), target])) as { cells: CellReport[] };
    return { cells: report.cells, executed: JSON.parse(readFileSync(target, 'utf8')) as { cells: Cell[] } };
  } finally {
    rmSync(source, { force: true });
  }
}

const chapters = lessonChapters();

describe('Run All, then every exercise answered wrongly and then rightly, in a real kernel', { concurrency: 2 }, () => {
  for (const chapter of chapters) {
    test(`${chapter}: after Run All a wrong value or shape gets a verdict (the shape named), never a compile error; the solution is Correct`, async () => {
      const { notebook, probes } = probedNotebook(chapter);
      assert.ok(probes.length >= 5, `${chapter} has exercises to probe`);
      assert.ok(
        probes.some((p) => p.exercise.includes('upper case')),
        `${chapter} has a formative question, answered wrongly and rightly`,
      );
      const { cells, executed } = await run(chapter, notebook);
      const failures = cells.filter((c) => c.status !== 'ok' || c.error || c.stderr);
      assert.deepEqual(
        failures.map((c) => `cell ${c.index} [${c.status}] ${c.error ?? ''} ${c.stderr ?? ''} :: ${c.source.split('\n')[0]}`),
        [],
        `cells that did not really run in ${chapter}`,
      );
      const byIndex = new Map(cells.map((c) => [c.index, c]));
      for (const probe of probes) {
        const index = executed.cells.findIndex((c) => ((c.metadata.tags as string[] | undefined) ?? []).includes(probe.tag));
        const output = byIndex.get(index)?.output ?? '';
        const outcomes = [...output.matchAll(/data-outcome="(\w+)"/g)].map((m) => m[1]);
        assert.deepEqual(
          outcomes,
          [probe.outcome],
          `${chapter} ${probe.exercise}: one ${probe.outcome} box, got ${outcomes.join(', ')}: ${output.slice(0, 400)}`,
        );
        assert.match(output, probe.expected, `${chapter} ${probe.exercise}`);
        if (probe.outcome === 'wrong')
          assert.match(
            output,
            /(Stuck\?|Still stuck\?).*exercises\.\w+\.(hint\(\d*\)|solution\(\))/,
            `${chapter} ${probe.exercise}: the box says how to get a hint`,
          );
      }
    });
  }
});
