// The trainee's workspace (deploy/local/workspace.cjs) on real folders: seeded from the learner copies, the
// trainee's edits never overwritten, untouched chapters following the lesson, new and deleted chapters
// copied in, and the package (`pid-handson/lesson`) found from wherever the workspace is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT } from '../support/paths.js';
import { temporaryFolder } from '../support/temporary-folders.js';

const { prepareWorkspace } = createRequire(__filename)('../../deploy/local/workspace.cjs') as {
  prepareWorkspace: (lesson: string, workspace: string) => string[];
};

/** What a notebook in `folder` gets for `require('pid-handson/lesson')`. */
function kitFrom(folder: string): string {
  return realpathSync(createRequire(join(folder, 'notebook.js')).resolve('pid-handson/lesson'));
}

function notebookText(title: string): string {
  return `${JSON.stringify({ cells: [{ cell_type: 'markdown', metadata: {}, source: [`# ${title}\n`, 'text'] }], metadata: {}, nbformat: 4, nbformat_minor: 5 }, null, 1)}\n`;
}

/** A project like the repository: package.json, notebooks/ with two chapters and the masters, dist/. */
function project(): { root: string; lesson: string } {
  const root = temporaryFolder('workspace-project-');
  const lesson = join(root, 'notebooks');
  mkdirSync(join(lesson, 'instructor'), { recursive: true });
  mkdirSync(join(root, 'node_modules'));
  writeFileSync(join(lesson, '01-first.ipynb'), notebookText('The first chapter'));
  writeFileSync(join(lesson, '02-second.ipynb'), notebookText('The second chapter'));
  writeFileSync(join(lesson, 'instructor', '01-first.ipynb'), notebookText('The first chapter, with solutions'));
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'pid-handson', exports: { './lesson': './dist/lesson/index.js' } }));
  mkdirSync(join(root, 'dist', 'lesson'), { recursive: true });
  writeFileSync(join(root, 'dist', 'lesson', 'index.js'), 'exports.kit = true;\n');
  return { root, lesson };
}

test('a new workspace holds the learner copies and a contents page, never the masters nor a helper file', () => {
  const { root, lesson } = project();
  const workspace = join(root, 'workspace');
  const changes = prepareWorkspace(lesson, workspace);
  assert.deepEqual(changes, ['added 01-first.ipynb', 'added 02-second.ipynb', 'added README.md']);
  assert.deepEqual(
    readdirSync(workspace)
      .filter((f) => !f.startsWith('.'))
      .sort(),
    ['01-first.ipynb', '02-second.ipynb', 'README.md'],
  );
  assert.equal(readFileSync(join(workspace, '01-first.ipynb'), 'utf8'), notebookText('The first chapter'));
  const readme = readFileSync(join(workspace, 'README.md'), 'utf8');
  assert.match(readme, /1\. \[The first chapter\]\(01-first\.ipynb\)\n2\. \[The second chapter\]\(02-second\.ipynb\)/);
  assert.doesNotMatch(readme, /instructor/);
  assert.equal(kitFrom(workspace), realpathSync(join(root, 'dist', 'lesson', 'index.js')), 'the lesson kit is found by the package name');
  assert.ok(!existsSync(join(workspace, 'node_modules')), 'inside the project, packages are found by walking up');
  assert.deepEqual(prepareWorkspace(lesson, workspace), [], 'a second start changes nothing');
});

test('edits are kept, untouched chapters follow the lesson, changed chapters are offered next to the edited copy once', () => {
  const { root, lesson } = project();
  const workspace = join(root, 'workspace');
  prepareWorkspace(lesson, workspace);
  const mine = `${notebookText('The first chapter').trimEnd()} `;
  writeFileSync(join(workspace, '01-first.ipynb'), mine);
  writeFileSync(join(lesson, '01-first.ipynb'), notebookText('The first chapter, revised'));
  writeFileSync(join(lesson, '02-second.ipynb'), notebookText('The second chapter, revised'));
  writeFileSync(join(lesson, '03-third.ipynb'), notebookText('The third chapter'));

  const changes = prepareWorkspace(lesson, workspace);
  assert.deepEqual(changes.sort(), [
    '01-first.ipynb changed in the lesson: your copy is kept, the new version is 01-first.updated.ipynb',
    'added 03-third.ipynb',
    'updated 02-second.ipynb (you had not changed it)',
    'updated README.md (you had not changed it)',
  ]);
  assert.equal(readFileSync(join(workspace, '01-first.ipynb'), 'utf8'), mine, "the trainee's edit is never overwritten");
  assert.equal(readFileSync(join(workspace, '01-first.updated.ipynb'), 'utf8'), notebookText('The first chapter, revised'));
  assert.equal(readFileSync(join(workspace, '02-second.ipynb'), 'utf8'), notebookText('The second chapter, revised'));

  rmSync(join(workspace, '01-first.updated.ipynb'));
  assert.deepEqual(prepareWorkspace(lesson, workspace), [], 'the same new version is not offered again');
  rmSync(join(workspace, '01-first.ipynb'));
  assert.deepEqual(prepareWorkspace(lesson, workspace), ['added 01-first.ipynb'], 'deleting a chapter gets the fresh copy');
  assert.equal(readFileSync(join(workspace, '01-first.ipynb'), 'utf8'), notebookText('The first chapter, revised'));
});

test('a workspace outside the project reaches its built package and node_modules', () => {
  const { root, lesson } = project();
  const workspace = join(temporaryFolder('elsewhere-'), 'my lesson');
  prepareWorkspace(lesson, workspace);
  assert.equal(kitFrom(workspace), realpathSync(join(root, 'dist', 'lesson', 'index.js')));
  assert.ok(lstatSync(join(workspace, 'node_modules')).isSymbolicLink());
  assert.equal(realpathSync(join(workspace, 'node_modules')), realpathSync(join(root, 'node_modules')));
});

test("the repository's own learner copies seed a workspace from which pid-handson/lesson is the built kit", () => {
  const workspace = join(temporaryFolder('repo-workspace-'), 'ws');
  prepareWorkspace(join(ROOT, 'notebooks'), workspace);
  const chapters = readdirSync(join(ROOT, 'notebooks')).filter((f) => /^\d\d-.*\.ipynb$/.test(f));
  for (const chapter of chapters) assert.equal(readFileSync(join(workspace, chapter), 'utf8'), readFileSync(join(ROOT, 'notebooks', chapter), 'utf8'));
  assert.equal(kitFrom(workspace), realpathSync(join(ROOT, 'dist', 'lesson', 'index.js')));
  assert.deepEqual(
    readdirSync(workspace)
      .filter((f) => !f.startsWith('.'))
      .sort(),
    [...chapters, 'README.md', 'node_modules'].sort(),
  );
});

test('the import shim an older start wrote into a workspace is removed; a file of the trainee with that name is kept', () => {
  const { root, lesson } = project();
  const workspace = join(root, 'workspace');
  mkdirSync(workspace);
  writeFileSync(
    join(workspace, 'pid.ts'),
    "// Written by bin/workspace.cjs (npm start) from the lesson's pid.ts: the one import of the lesson notebooks.\nexport * from '../dist/src/index';\n",
  );
  prepareWorkspace(lesson, workspace);
  assert.ok(!existsSync(join(workspace, 'pid.ts')));
  writeFileSync(join(workspace, 'pid.ts'), 'export const mine = 1;\n');
  prepareWorkspace(lesson, workspace);
  assert.equal(readFileSync(join(workspace, 'pid.ts'), 'utf8'), 'export const mine = 1;\n');
});
