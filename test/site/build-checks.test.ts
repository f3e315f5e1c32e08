// `npm run site` refuses what it must not do before it executes anything (replacing a folder that is not a
// site it built, an option it does not know, a parallelism that is not a whole number), and its executor
// stops the build at a cell that fails instead of publishing the error as a lesson page.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { jupyterEnv, PYTHON } from '../support/notebook-runs.js';
import { join } from 'node:path';
import { ROOT } from '../support/paths.js';
import { temporaryFolder } from '../support/temporary-folders.js';

function build(args: string[], env: NodeJS.ProcessEnv = {}) {
  const run = spawnSync(process.execPath, [join(ROOT, 'deploy', 'site', 'build.cjs'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 30_000,
  });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

test('a folder that is not an earlier site is left alone, and nothing is executed', () => {
  const folder = temporaryFolder('pid-site-not-a-site-');
  writeFileSync(join(folder, 'notes.txt'), 'mine');
  const run = build(['--out', folder]);
  assert.equal(run.status, 1);
  assert.match(run.stderr, /✗ .* exists and is not a site built here\n {2}→ choose another folder with --out, or remove it yourself/);
  assert.doesNotMatch(run.stdout, /executing/);
  assert.ok(existsSync(join(folder, 'notes.txt')));
});

test('a file named as the output folder is refused', () => {
  const file = join(temporaryFolder('pid-site-file-'), 'site.html');
  writeFileSync(file, '<p>mine</p>');
  const run = build(['--out', file]);
  assert.equal(run.status, 1);
  assert.match(run.stderr, /exists and is not a folder/);
});

test('an unknown option and a bad SITE_PARALLEL are named, with the usage', () => {
  const unknown = build(['--outdir', '/tmp/x']);
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /unknown option: --outdir\n {2}→ usage: npm run site \[-- --out DIR\]/);
  const parallel = build([], { SITE_PARALLEL: 'two' });
  assert.equal(parallel.status, 1);
  assert.match(parallel.stderr, /SITE_PARALLEL must be a whole number from 1, not two/);
});

const execFileAsync = promisify(execFile);

/** A one-cell TypeScript notebook, as the lesson's notebooks are (tslab kernel). */
function notebookWith(folder: string, source: string): string {
  const file = join(folder, 'probe.ipynb');
  const notebook = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } },
    cells: [{ cell_type: 'code', id: 'probe', metadata: {}, execution_count: null, outputs: [], source }],
  };
  writeFileSync(file, JSON.stringify(notebook));
  return file;
}

async function execute(source: string) {
  const folder = temporaryFolder('pid-site-execute-');
  const target = join(folder, 'executed.ipynb');
  try {
    await execFileAsync(PYTHON, [join(ROOT, 'deploy', 'site', 'execute.py'), notebookWith(folder, source), target, '127.0.0.1:4711', '/tmp/pid-site-data'], {
      env: jupyterEnv(process.env),
      timeout: 120_000,
    });
    return {
      ok: true,
      stderr: '',
      executed: JSON.parse(readFileSync(target, 'utf8')) as { metadata: Record<string, unknown>; cells: { outputs: { text?: string | string[] }[] }[] },
    };
  } catch (error) {
    return { ok: false, stderr: (error as { stderr: string }).stderr, executed: undefined, target };
  }
}

test("the executor keeps a cell's real output and the server it ran against, and refuses a cell that throws", { timeout: 240_000 }, async () => {
  const good = await execute("console.log('resolved', 6 * 7);");
  assert.ok(good.ok, good.stderr);
  // nbformat stores multi-line text as a list of lines.
  assert.equal([good.executed!.cells[0]!.outputs[0]!.text ?? ''].flat().join(''), 'resolved 42\n');
  assert.deepEqual(good.executed!.metadata.pid_handson_site, { server: '127.0.0.1:4711', data: '/tmp/pid-site-data' });

  const bad = await execute("throw new Error('the record is gone');");
  assert.equal(bad.ok, false);
  assert.match(bad.stderr, /probe\.ipynb: cells did not run cleanly:\n {2}cell 0 \[error\][\s\S]*Error: the record is gone/);
  assert.equal(existsSync(bad.target!), false, 'nothing is written for the converter');
});
