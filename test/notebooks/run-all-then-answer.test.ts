// Every chapter as a trainee works through it, on one tslab kernel per chapter against a real mock server
// process: Cell → Run All on the learner copy (answers still placeholders, the chapter's last cell, which
// closes the client, included), then each exercise answered as the instructor master has it and its check
// cell run. Every verdict must be Correct: nothing Run All ran may leave a later exercise unusable.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { startMockProcess, type MockProcess } from '../support/mock-process.js';
import { ROOT } from '../support/paths.js';

const execFileAsync = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const NOTEBOOKS = join(ROOT, 'notebooks');
// The environment npm start gives Jupyter (the project's own kernel), and the package link the notebooks import.
const { jupyterEnv } = createRequire(__filename)('../../deploy/local/start.cjs') as { jupyterEnv: (base: NodeJS.ProcessEnv) => NodeJS.ProcessEnv };
const { linkPackage } = createRequire(__filename)('../../deploy/local/workspace.cjs') as { linkPackage: (project: string) => boolean };
/** Chapters that switch teaching faults on get a server of their own (as in notebooks.test.ts). */
const OWN_SERVER_CHAPTERS = new Set(['07-under-the-hood']);

interface CellEntry {
  index: number;
  status: string;
  error: string | null;
  source: string;
}

interface AnswerEntry extends CellEntry {
  exercise: string;
  role: 'answer' | 'check';
  verdicts: string[];
  output: string;
}

interface Report {
  runAll: CellEntry[];
  answers: AnswerEntry[];
}

let server: MockProcess;
const outDir = mkdtempSync(join(tmpdir(), 'run-all-then-answer-'));

before(async () => {
  linkPackage(ROOT);
  server = await startMockProcess();
});

after(async () => {
  await server?.stop();
  rmSync(outDir, { recursive: true, force: true });
});

async function workThrough(chapter: string): Promise<Report> {
  const own = OWN_SERVER_CHAPTERS.has(chapter) ? await startMockProcess() : undefined;
  try {
    const { stdout } = await execFileAsync(
      PYTHON,
      [join(ROOT, 'test', 'notebooks', 'run_all_then_answer.py'), `${chapter}.ipynb`, join('instructor', `${chapter}.ipynb`), join(outDir, `${chapter}.ipynb`)],
      {
        cwd: NOTEBOOKS,
        env: { ...jupyterEnv(process.env), PID_CREDENTIALS: (own ?? server).credentialsFile },
        maxBuffer: 64 * 1024 * 1024,
        timeout: 15 * 60 * 1000,
      },
    );
    return JSON.parse(stdout) as Report;
  } finally {
    await own?.stop();
  }
}

const chapters = readdirSync(NOTEBOOKS)
  .filter((f) => /^\d\d-.*\.ipynb$/.test(f))
  .map((f) => basename(f, '.ipynb'))
  .sort();

describe('Run All, then each exercise answered: every verdict is Correct', { concurrency: 2 }, () => {
  for (const chapter of chapters) {
    test(`${chapter}: Run All on the learner copy, then the master's answers and their checks`, async () => {
      const report = await workThrough(chapter);
      const broken = report.runAll.filter((c) => c.status !== 'ok' || c.error);
      assert.deepEqual(
        broken.map((c) => `cell ${c.index} [${c.status}] ${c.error ?? ''} :: ${c.source.split('\n')[0]}`),
        [],
        'Run All on the learner copy',
      );
      const checks = report.answers.filter((a) => a.role === 'check');
      assert.ok(checks.length > 0, `${chapter} has exercises`);
      const notCorrect = report.answers.filter((a) => a.status !== 'ok' || a.error || (a.role === 'check' && a.verdicts.join() !== 'correct'));
      assert.deepEqual(
        notCorrect.map(
          (a) => `${a.exercise} ${a.role} [${a.status}] verdicts=${a.verdicts.join(',')} ${a.error ?? ''} ${a.output.replace(/<[^>]+>/g, ' ').slice(-600)}`,
        ),
        [],
        `answers after Run All in ${chapter}`,
      );
    });
  }
});
