// `npm start` end to end on a machine that has everything: it starts the mock server and Jupyter on the
// trainee's workspace (learner notebooks only, TypeScript the default kernel, from the project's own
// Jupyter data folder), its output is quiet, a second start keeps the trainee's edits, and
// `--instructor` opens the masters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, rmSync, existsSync, readdirSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { startLesson, temporaryLessonFolders } from '../support/lesson-process.js';
import { startMockProcess } from '../support/mock-process.js';
import { ROOT } from '../support/paths.js';
import { freePort } from '../support/processes.js';

test('npm start serves the mock server and opens Jupyter on the trainee workspace with the TypeScript kernel', { timeout: 180_000 }, async () => {
  const folders = temporaryLessonFolders();
  const env = {
    PID_MOCK_PORT: String(await freePort()),
    PID_MOCK_DATA: folders.data,
    PID_WORKSPACE: folders.workspace,
    JUPYTER_PORT: String(await freePort()),
  };
  const lesson = await startLesson(env);
  try {
    const url = new URL(await lesson.url);
    const api = lesson.api(url);
    const specs = (await api('/api/kernelspecs')) as { default: string; kernelspecs: Record<string, unknown> };
    assert.ok('tslab' in specs.kernelspecs, 'the TypeScript kernel is offered');
    assert.equal(specs.default, 'tslab', 'new notebooks are TypeScript');
    const local = join(ROOT, '.jupyter', 'share', 'jupyter', 'kernels');
    assert.deepEqual(readdirSync(local), ['tslab'], 'the project registers only the TypeScript kernel, in its own data folder');
    assert.deepEqual(
      JSON.parse(readFileSync(join(local, 'tslab', 'kernel.json'), 'utf8')).argv,
      [
        process.execPath,
        '--snapshot-blob',
        join(local, 'tslab', 'typescript.blob'),
        join(ROOT, 'dist', 'lesson', 'kernel', 'launch.js'),
        '--config-path',
        '{connection_file}',
      ],
      "the kernel is this package's tslab, started by this Node through the lesson's launcher, from its start-up snapshot",
    );

    const listed = ((await api('/api/contents')) as { content: Array<{ name: string }> }).content.map((f) => f.name).sort();
    const chapters = readdirSync(join(ROOT, 'notebooks')).filter((f) => /^\d\d-.*\.ipynb$/.test(f));
    assert.deepEqual(listed, ['README.md', ...chapters].sort(), 'the file list is the lesson: learner notebooks and their contents page');
    assert.equal(
      realpathSync(createRequire(join(folders.workspace, 'notebook.js')).resolve('pid-handson/lesson')),
      realpathSync(join(ROOT, 'dist', 'lesson', 'index.js')),
      "the workspace's notebooks find the lesson kit by the package name",
    );

    const health = await fetch(`http://127.0.0.1:${env.PID_MOCK_PORT}/_admin/health`);
    assert.equal(health.status, 200);
    const output = lesson.output();
    for (const step of [
      'npm dependencies: installed',
      'Jupyter: found',
      'TypeScript kernel: registered',
      'starting the mock Handle server',
      'added 01-warming-up.ipynb',
      'opening Jupyter on the workspace',
      'the lesson is ready',
    ]) {
      assert.ok(output.includes(step), `npm start says "${step}":\n${output}`);
    }
    assert.ok(output.indexOf('pid-mock serving prefix') < output.indexOf('opening Jupyter'), 'the mock server banner comes first');
    assert.deepEqual(
      [...output.matchAll(/^▸ \[(\d)\/(\d)\] /gm)].map((m) => `${m[1]}/${m[2]}`),
      ['1/7', '2/7', '3/7', '4/7', '5/7', '6/7', '7/7'],
      'every step is numbered, k of 7',
    );
    assert.doesNotMatch(output, /"level":|frozen modules|\[I \d/, 'no raw JSON log lines, debugger warnings or Jupyter info lines');
    assert.match(readFileSync(join(folders.data, 'pid-mock.log'), 'utf8'), /"msg":"Server listening/, 'the request log goes to the data folder');
  } finally {
    await lesson.stop();
  }
  assert.match(lesson.output(), /\n■ SIGTERM: stopped Jupyter and the mock Handle server; your work is in .*\.\n$/, 'the stop says what it stopped');

  // The trainee edits chapter 1 and deletes chapter 2: the edit survives, chapter 2 comes back fresh.
  const first = join(folders.workspace, '01-warming-up.ipynb');
  const edited = readFileSync(first, 'utf8').replace(
    '"cells": [',
    '"cells": [{"cell_type":"markdown","id":"trainee-note","metadata":{},"source":["my own note"]},',
  );
  writeFileSync(first, edited);
  rmSync(join(folders.workspace, '02-connecting.ipynb'));
  const again = await startLesson({ ...env, JUPYTER_PORT: String(await freePort()) });
  try {
    await again.url;
    assert.match(again.output(), /starting the mock Handle server/, 'the second start reuses the data folder');
    assert.doesNotMatch(again.output(), /installing|registering|building/, 'nothing is installed, built or registered again');
    assert.match(again.output(), /added 02-connecting\.ipynb/);
    assert.doesNotMatch(again.output(), /01-warming-up/, 'the edited chapter is left alone');
    assert.equal(readFileSync(first, 'utf8'), edited, "the trainee's edit is kept");
  } finally {
    await again.stop();
  }

  const instructor = await startLesson({ ...env, JUPYTER_PORT: String(await freePort()) }, ['--instructor']);
  try {
    const url = new URL(await instructor.url);
    const masters = ((await instructor.api(url)('/api/contents/instructor')) as { content: Array<{ name: string }> }).content.map((f) => f.name);
    assert.ok(masters.includes('01-warming-up.ipynb'), 'the masters are served');
    const home = await fetch(`${url.origin}/?token=${url.searchParams.get('token')}`, { redirect: 'manual' });
    assert.match(home.headers.get('location') ?? '', /\/tree\/instructor/, 'and opened first');
    assert.equal(url.pathname, '/tree/instructor', 'the printed address is the masters folder itself');
    const listing = await fetch(url);
    assert.equal(listing.status, 200, 'which opens with the printed token');
  } finally {
    await instructor.stop();
  }
});

test('a trainee with a class bundle: PID_CREDENTIALS=… npm start uses those credentials and starts no mock server', { timeout: 180_000 }, async () => {
  const folders = temporaryLessonFolders();
  const server = await startMockProcess();
  const env = {
    PID_MOCK_PORT: String(await freePort()),
    PID_MOCK_DATA: folders.data,
    PID_WORKSPACE: folders.workspace,
    JUPYTER_PORT: String(await freePort()),
  };
  const lesson = await startLesson({ ...env, PID_CREDENTIALS: server.credentialsFile });
  try {
    await lesson.url;
    assert.match(lesson.output(), /using your credentials .*cred_file\.json \(PID_CREDENTIALS\)/);
    assert.doesNotMatch(lesson.output(), /starting the mock Handle server/);
    await assert.rejects(fetch(`http://127.0.0.1:${env.PID_MOCK_PORT}/_admin/health`), 'nothing serves on the local mock port');
    assert.ok(!existsSync(join(folders.data, 'credentials')), 'no local data folder was provisioned');
  } finally {
    await lesson.stop();
    await server.stop();
  }
});

test('PID_CREDENTIALS naming a missing file: npm start says so and exits 1', { timeout: 60_000 }, async () => {
  const folders = temporaryLessonFolders();
  const missing = join(folders.data, 'nowhere', 'cred_file.json');
  const run = spawnSync(process.execPath, ['deploy/local/start.cjs'], {
    cwd: ROOT,
    env: { ...process.env, PID_CREDENTIALS: missing, PID_WORKSPACE: folders.workspace },
    encoding: 'utf8',
    timeout: 50_000,
  });
  assert.equal(run.status, 1);
  assert.match(run.stderr, new RegExp(`PID_CREDENTIALS names ${missing.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}, which does not exist`));
});
