// What the lesson shows inside a notebook — every kind of verdict box (not attempted, wrong, error,
// correct, hint, solution), a question's box and a record table — loaded in Chromium as a page and checked
// by axe-core: colour contrast above all, since each box carries its own inline colours and the notebook's
// theme cannot correct them.
import { after, before, test } from 'node:test';
import { assertAccessible } from '../support/accessibility.js';
import { launchBrowser, type TestBrowser } from '../support/browser.js';
import { YOUR_ANSWER, exercise, question, setDisplay, showRecord } from '../../lesson/kit/notebook.js';

let browser: TestBrowser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  setDisplay(null);
  await browser?.close();
});

test('every verdict box, a question and a record table pass axe-core, contrast included', async () => {
  const shown: string[] = [];
  setDisplay(({ html }) => shown.push(html));
  const task = exercise<string>({
    id: '3.1',
    title: 'Register the CSV under a new PID',
    check: (pid) => {
      if (pid === 'throws') throw new Error('the server is not reachable');
      return pid.startsWith('21.T12995/') || 'A PID starts with your prefix and a slash: `21.T12995/`';
    },
    hint: ['Join the prefix and the suffix with "/".', 'Use `randomUUID()` for the suffix.'],
    solution: 'const myPid = `${cred.prefix}/${randomUUID()}`;',
    answer: { type: 'string', what: 'one PID', fromObject: 'take its `.handle`' },
  });
  await task.check(YOUR_ANSWER);
  await task.check('10.1234/abc');
  await task.check('throws');
  await task.check('21.T12995/abc');
  await task.check(['21.T12995/a', '21.T12995/b']);
  task.hint();
  task.solution();
  const q = question({
    id: 'Q3',
    title: 'What does a resolver answer?',
    options: { a: { text: 'the file', why: 'A resolver holds no data.' }, b: { text: 'a redirect', why: 'It turns a name into a location.' } },
    answer: 'b',
  });
  await q.check('a');
  await q.check('b');
  showRecord({
    responseCode: 1,
    handle: '21.T12995/abc',
    values: [
      { index: 1, type: 'URL', data: { format: 'string', value: 'https://example.org/surveys.csv' }, ttl: 86400, timestamp: '2026-12-07T10:00:00Z' },
      { index: 2, type: 'CHECKSUM', data: { format: 'string', value: 'md5:0123456789abcdef' }, ttl: 86400, timestamp: '2026-12-07T10:00:00Z' },
    ],
  });
  const kinds = shown.map((html) => /data-outcome="(\w+)"/.exec(html)?.[1] ?? 'other');
  for (const kind of ['unattempted', 'wrong', 'error', 'correct', 'hint', 'solution']) {
    if (!kinds.includes(kind)) throw new Error(`no ${kind} box among ${kinds.join(', ')}`);
  }
  const page = await browser.context.newPage();
  await page.setContent(
    `<!doctype html><html lang="en"><head><title>Lesson outputs</title></head><body><main><h1>Lesson outputs</h1>${shown.join('\n')}</main></body></html>`,
  );
  await assertAccessible(page, 'the lesson kit outputs');
  await page.close();
});
