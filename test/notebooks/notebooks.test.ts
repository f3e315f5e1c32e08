// Executes every lesson notebook (learner copies and instructor masters) headless on the tslab kernel
// against a real mock server process, and checks that every code cell really ran (execute_reply "ok",
// no error, no stderr), that exercises report what they should, and the key outputs of each chapter. Each
// instructor master runs on a fresh server, as the first chapter a trainee opens (chapters out of order).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import { startMockProcess } from '../support/mock-process.js';
import { type CellReport, jupyterEnv, PYTHON, runNotebookDriver, sharedNotebookServer } from '../support/notebook-runs.js';
import { ROOT } from '../support/paths.js';
import { temporaryFolder } from '../support/temporary-folders.js';
import { chapterExpectations } from './expectations.js';

const execFileAsync = promisify(execFile);

interface NotebookReport {
  notebook: string;
  ok: boolean;
  cells: CellReport[];
}

function notebookFiles(): string[] {
  const dir = join(ROOT, 'notebooks');
  const learner = readdirSync(dir)
    .filter((f) => /^\d\d-.*\.ipynb$/.test(f))
    .map((f) => join(dir, f));
  const instructor = readdirSync(join(dir, 'instructor'))
    .filter((f) => /^\d\d-.*\.ipynb$/.test(f))
    .map((f) => join(dir, 'instructor', f));
  return [...learner, ...instructor].sort();
}

const server = sharedNotebookServer();
const outDir = temporaryFolder('executed-notebooks-');

async function execute(notebook: string): Promise<NotebookReport> {
  // Trainees open chapters out of order: each master runs on a server no other notebook has touched, as
  // if it were the first chapter opened, so no chapter may rely on another having run before it.
  const fresh = notebook.includes('/instructor/') ? await startMockProcess() : undefined;
  try {
    const stdout = await runNotebookDriver(
      basename(notebook, '.ipynb'),
      fresh ?? server(),
      'run_notebook.py',
      [basename(notebook), join(outDir, `${basename(dirname(notebook))}-${basename(notebook)}`)],
      { cwd: dirname(notebook) },
    );
    return JSON.parse(stdout) as NotebookReport;
  } finally {
    await fresh?.stop();
  }
}

test('the committed notebooks are exactly what their sources generate', async () => {
  await execFileAsync(process.execPath, ['--import', 'tsx', join(ROOT, 'lesson', 'tools', 'build.ts'), '--check'], { cwd: ROOT });
});

test("the notebooks run on the project's own TypeScript kernel (registered by npm start --prepare-only), not a system-wide one", () => {
  const where = execFileSync(PYTHON, ['-c', 'from jupyter_client.kernelspec import KernelSpecManager as M; print(M().get_kernel_spec("tslab").resource_dir)'], {
    env: jupyterEnv(process.env),
    encoding: 'utf8',
  }).trim();
  assert.ok(!relative(join(ROOT, '.jupyter'), where).startsWith('..'), `tslab comes from ${where}: run node deploy/local/start.cjs --prepare-only`);
});

test('there is a learner copy and an instructor master for every chapter', () => {
  const files = notebookFiles();
  assert.ok(files.length >= 2);
  const learner = files.filter((f) => !f.includes('/instructor/')).map((f) => basename(f));
  const masters = files.filter((f) => f.includes('/instructor/')).map((f) => basename(f));
  assert.deepEqual(learner, masters);
});

describe('every notebook runs cell by cell against the mock server', { concurrency: 2 }, () => {
  for (const notebook of notebookFiles()) {
    const isMaster = notebook.includes('/instructor/');
    const chapter = basename(notebook, '.ipynb');
    const label = `${isMaster ? 'instructor/' : ''}${basename(notebook)}`;
    test(`${label}: every code cell replies ok, with no error and no stderr, and its key outputs appear`, async () => {
      const report = await execute(notebook);
      const failures = report.cells.filter((c) => c.status !== 'ok' || c.error || c.stderr);
      assert.deepEqual(
        failures.map((c) => `cell ${c.index} [${c.status}] ${c.error ?? ''} ${c.stderr ?? ''} :: ${c.source.split('\n')[0]}`),
        [],
        `cells that did not really run in ${label}`,
      );
      // tslab prints a cell's last value: a check cell shows its verdict box and nothing else.
      const strayVerdicts = report.cells.filter((c) => /\.check\(/.test(c.source) && /^(unattempted|wrong|error|correct)$/m.test(c.stdout));
      assert.deepEqual(
        strayVerdicts.map((c) => `cell ${c.index}: ${c.source.split('\n')[0]}`),
        [],
        `check cells that print a bare verdict line in ${label}`,
      );
      const outputs = report.cells.map((c) => c.output).join('\n');
      const verdicts = [...outputs.matchAll(/data-outcome="(\w+)"/g)].map((m) => m[1]);
      assert.ok(!verdicts.includes('error'), `an exercise check reported an error in ${label}`);
      if (isMaster)
        assert.ok(
          verdicts.every((v) => v === 'correct' || v === 'hint' || v === 'solution'),
          `the master's solutions are all correct: ${verdicts.join(', ')}`,
        );
      else
        assert.ok(
          verdicts.every((v) => v === 'unattempted' || v === 'hint' || v === 'solution'),
          `an untouched learner copy reports "not attempted yet": ${verdicts.join(', ')}`,
        );
      for (const expected of chapterExpectations[chapter] ?? []) {
        assert.match(outputs, expected, `${label} shows ${expected}`);
      }
    });
  }
});
