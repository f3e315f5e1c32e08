// Chapter 0, the TypeScript opening: its exercise's check names the slips a Python reader makes (quotes
// instead of backticks, the redirecting address, a missing slash) with the real credentials of a real mock
// server process; its question explains the misreadings of a type error; and the type errors the chapter
// shows as text (a cell that provokes one cannot run in the notebook) are what a real tslab kernel prints for
// those very lines, so a wrong column or a changed message fails here instead of misleading a trainee.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ch00 } from '../../lesson/index.js';
import { lessonUrls, loadLessonCredentials } from '../../lesson/kit/lesson.js';
import { setDisplay } from '../../lesson/kit/notebook.js';
import { startMockProcess, type MockProcess } from '../support/mock-process.js';
import type { CellReport } from '../support/notebook-runs.js';
import { ROOT } from '../support/paths.js';
import { temporaryFolder } from '../support/temporary-folders.js';

const execFileAsync = promisify(execFile);
const { jupyterEnv } = createRequire(__filename)('../../deploy/local/start.cjs') as { jupyterEnv: (base: NodeJS.ProcessEnv) => NodeJS.ProcessEnv };
const { linkPackage } = createRequire(__filename)('../../deploy/local/workspace.cjs') as { linkPackage: (project: string) => boolean };
const CHAPTER = readFileSync(join(ROOT, 'lesson', '00-typescript', 'chapter.md'), 'utf8');
const HANDLE = '11304/cf8956a2-39d3-11e5-8a18-f31aa6f4d448';

let server: MockProcess;
const previousCredentials = process.env.PID_CREDENTIALS;

before(async () => {
  server = await startMockProcess();
  process.env.PID_CREDENTIALS = server.credentialsFile;
});

after(async () => {
  setDisplay(null);
  if (previousCredentials === undefined) delete process.env.PID_CREDENTIALS;
  else process.env.PID_CREDENTIALS = previousCredentials;
  await server?.stop();
});

/** The verdict boxes a check shows, as their text. */
async function verdicts(check: () => Promise<unknown>): Promise<string[]> {
  const shown: string[] = [];
  setDisplay(({ text }) => shown.push(text));
  try {
    await check();
  } finally {
    setDisplay(null);
  }
  return shown;
}

describe('Exercise 0.1: the record page, with a template string', () => {
  test('the right address is Correct; each slip gets its own advice', async () => {
    const { resolver } = lessonUrls(loadLessonCredentials());
    const cases: Array<[string, RegExp]> = [
      [`${resolver}/${HANDLE}?noredirect`, /^✓ Correct/],
      // What `'${urls.resolver}/${handle}?noredirect'` in quotes gives: the braces as they were written.
      ['${urls.resolver}/${handle}?noredirect', /quotes do not fill values in\. Put backticks/],
      [`${resolver}/${HANDLE}`, /the address that redirects: add `\?noredirect`/],
      [`${resolver}${HANDLE}?noredirect`, /a `\/` is missing between the resolver and the PID/],
      ['https://hdl.handle.net/11304/cf8956a2?noredirect', /is not the record page: it is the resolver's address \(urls\.resolver\)/],
    ];
    for (const [answer, expected] of cases) {
      const [box, ...more] = await verdicts(() => ch00.recordPage.check(answer));
      assert.equal(more.length, 0, `one box for ${answer}`);
      assert.match(box ?? '', expected, answer);
      if (!expected.source.includes('Correct')) assert.match(box ?? '', /exercises\.recordPage\.hint\(\)/, 'a wrong answer says how to get a hint');
    }
  });

  test('a whole record is a wrong shape, answered with how to build the text', async () => {
    const [box] = await verdicts(() => ch00.recordPage.check({ responseCode: 1, handle: HANDLE, values: [] }));
    assert.match(box ?? '', /You gave a whole record \(the JSON of 11304\/cf8956a2/);
    assert.match(box ?? '', /template string/);
  });
});

describe('Question 0: reading a type error', () => {
  test('b is right; each other option explains the misreading', async () => {
    assert.match((await verdicts(() => ch00.typeErrorReading.check('b')))[0] ?? '', /^✓ Correct/);
    assert.match((await verdicts(() => ch00.typeErrorReading.check('a')))[0] ?? '', /found before the cell runs: nothing ran/);
    assert.match((await verdicts(() => ch00.typeErrorReading.check('c')))[0] ?? '', /only when the cell runs/);
    assert.match((await verdicts(() => ch00.typeErrorReading.check('d')))[0] ?? '', /`2:21` is line 2, column 21/);
  });
});

/** The plain (not `ts`) code blocks of the chapter's Markdown: the cells and messages it shows as text. */
function plainBlocks(markdown: string): string[] {
  const blocks: string[] = [];
  let open: { plain: boolean; lines: string[] } | null = null;
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('```')) open?.lines.push(line);
    else if (open === null) open = { plain: line === '```', lines: [] };
    else {
      if (open.plain) blocks.push(open.lines.join('\n'));
      open = null;
    }
  }
  return blocks;
}

describe('the type errors chapter 0 shows as text', () => {
  test('are what tslab prints for those lines', { timeout: 300_000 }, async () => {
    const blocks = plainBlocks(CHAPTER);
    // The demonstration: a cell, then the message it gives.
    const [cell, message] = blocks;
    assert.ok(cell?.includes('retrieveHandleRecordJson') && message?.startsWith('2:'), `the chapter shows a cell and its message: ${blocks.join(' | ')}`);
    // Question 0: the cell in a block, its message in the question's text.
    const questionCell = blocks.find((b) => b.startsWith('const pending'));
    const questionMessage = /and gets `(\d+:\d+ - [^`]+)`/.exec(CHAPTER)?.[1];
    assert.ok(questionCell && questionMessage, 'Question 0 shows a cell and its message');

    const setUp = [
      "import { loadLessonCredentials, lessonUrls, HandleClient } from 'pid-handson/lesson';",
      'const cred = loadLessonCredentials();',
      'const urls = lessonUrls(cred);',
      `const handle = '${HANDLE}';`,
      'const reader = HandleClient.forReadAccess(urls.server, { httpsVerify: cred.config.HTTPS_verify });',
    ].join('\n');
    linkPackage(ROOT);
    const folder = temporaryFolder('typescript-opening-');
    const shown: string[] = [];
    try {
      // One notebook per provoked error: tslab answers the cells queued after a failing one with 'abort'.
      for (const [n, source] of [cell!, questionCell!].entries()) {
        const name = `.typescript-opening-${process.pid}-${n}.ipynb`;
        const notebook = {
          cells: [setUp, source].map((text) => ({
            cell_type: 'code',
            source: text,
            metadata: {},
            outputs: [],
            execution_count: null,
            id: `c${n}${text.length}`,
          })),
          metadata: { kernelspec: { display_name: 'TypeScript', language: 'typescript', name: 'tslab' } },
          nbformat: 4,
          nbformat_minor: 5,
        };
        writeFileSync(join(ROOT, 'notebooks', name), JSON.stringify(notebook));
        try {
          const { stdout } = await execFileAsync('/usr/bin/python3', [join(ROOT, 'test', 'notebooks', 'run_notebook.py'), name, join(folder, name)], {
            cwd: join(ROOT, 'notebooks'),
            env: { ...jupyterEnv(process.env), PID_CREDENTIALS: server.credentialsFile },
            maxBuffer: 16 * 1024 * 1024,
            timeout: 240_000,
          });
          const cells = (JSON.parse(stdout) as { cells: CellReport[] }).cells;
          assert.equal(cells[0]?.status, 'ok', `the set-up runs: ${JSON.stringify(cells[0])}`);
          assert.equal(cells[1]?.status, 'error', 'the provoked cell is refused');
          shown.push((cells[1]?.stderr ?? '').trim());
        } finally {
          rmSync(join(ROOT, 'notebooks', name), { force: true });
        }
      }
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
    assert.deepEqual(shown, [message, questionMessage]);
  });
});
