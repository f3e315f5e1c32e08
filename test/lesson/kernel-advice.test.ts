// The kernel's advice under a refused cell (lesson/kernel): which names TypeScript says it cannot find, where
// the lesson's notebooks define them, and what the trainee reads. The real-kernel side is in
// test/notebooks/restart-then-check.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { declaredNames, definitionsIn, restartAdvice, unknownNames } from '../../lesson/kernel/restart-advice.js';
import { ROOT } from '../support/paths.js';
import { temporaryFolder } from '../support/temporary-folders.js';

test('only "Cannot find name" messages without a suggestion name forgotten names', () => {
  assert.deepEqual(
    unknownNames([
      "Cannot find name 'exercises'.",
      "Cannot find name 'myPid'.",
      "Cannot find name 'exercises'.",
      "Cannot find name 'exercise'. Did you mean 'exercises'?",
      "Argument of type 'string[]' is not assignable to parameter of type 'string'.",
    ]),
    ['exercises', 'myPid'],
  );
});

test('a cell declares its imports, constants (plain and destructured), functions and classes', () => {
  const source = [
    "import { loadLessonCredentials, HandleClient as Client, ch03 as exercises } from 'pid-handson/lesson';",
    "import * as tslab from 'tslab';",
    'const cred = loadLessonCredentials();',
    'let { prefix, username: user } = cred;',
    'const [first, ...rest] = [1, 2];',
    'async function register(pid: string) {',
    '  const inner = 1;',
    '}',
    'class Box {}',
  ].join('\n');
  assert.deepEqual(
    declaredNames(source).sort(),
    ['Box', 'Client', 'cred', 'exercises', 'first', 'loadLessonCredentials', 'prefix', 'register', 'rest', 'tslab', 'user'].sort(),
  );
});

test("the lesson's notebooks: the kit and the client come from the set-up cell, answers from exercise cells, chapter 2's client from a later cell", () => {
  const definitions = definitionsIn(join(ROOT, 'notebooks'));
  assert.equal(definitions.get('exercises'), 'set-up');
  assert.equal(definitions.get('YOUR_ANSWER'), 'set-up');
  assert.equal(definitions.get('myPid'), 'exercise');
  assert.equal(definitions.get('cred'), 'set-up');
  assert.equal(definitions.get('client'), 'earlier', 'chapter 2 makes its writing client in the middle of the chapter');
});

test('the advice names each forgotten name with the cell that defines it and says what to do; a typo gets none', () => {
  const definitions = definitionsIn(join(ROOT, 'notebooks'));
  const advice = restartAdvice(['exercises', 'myPid', 'notALessonName'], definitions) ?? '';
  assert.match(advice, /does not know `exercises`, `myPid` yet/);
  assert.match(advice, /`exercises` comes from the set-up cell, the first code cell of the chapter/);
  assert.match(advice, /`myPid` comes from your answer cell \(the exercise cell above/);
  assert.match(
    advice,
    /Notebook 6: Cell → Run All Above; Notebook 7 and JupyterLab: Run → Run All Above Selected Cell; VS Code: Execute Above Cells\), then run this cell again/,
  );
  assert.doesNotMatch(advice, /notALessonName/);
  assert.equal(restartAdvice(['notALessonName'], definitions), undefined);
});

test('a folder with a broken notebook or none at all gives what it can, never an error', () => {
  const folder = temporaryFolder('kernel-advice-');
  writeFileSync(join(folder, 'broken.ipynb'), '{"cells": [');
  writeFileSync(
    join(folder, 'mine.ipynb'),
    JSON.stringify({
      cells: [
        { cell_type: 'markdown', source: 'const notCode = 1' },
        { cell_type: 'code', source: ['const setUp = 1;\n'] },
        { cell_type: 'code', source: 'const later = 2;' },
      ],
    }),
  );
  const definitions = definitionsIn(folder);
  assert.deepEqual([...definitions].sort(), [
    ['later', 'earlier'],
    ['setUp', 'set-up'],
  ]);
  assert.equal(definitionsIn(join(folder, 'missing')).size, 0);
});
