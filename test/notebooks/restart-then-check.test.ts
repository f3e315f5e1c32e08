// Kernel → Restart in the middle of every chapter, as trainees do it, on a real tslab kernel against a real mock
// server process: the chapter is run down to its first check cell, the kernel restarted, the check cell run
// alone (tslab's "Cannot find name" error, followed by the lesson kernel's advice naming the set-up cell), then the
// advice followed (Cell → Run All Above), the master's answer put in and the check run again: Correct.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { lessonChapters, runNotebookDriver, sharedNotebookServer } from '../support/notebook-runs.js';

interface Step {
  step: string;
  status: string;
  error: string | null;
  verdicts: string[];
}

const server = sharedNotebookServer();

describe('a kernel restart in the middle of a chapter', { concurrency: 2 }, () => {
  for (const chapter of lessonChapters()) {
    test(`${chapter}: after the restart the check cell fails on a forgotten name; Run All Above and the answer make it Correct`, async () => {
      const stdout = await runNotebookDriver(chapter, server(), 'restart_then_check.py', [`${chapter}.ipynb`, join('instructor', `${chapter}.ipynb`)], {
        timeoutMs: 10 * 60 * 1000,
      });
      const steps = (JSON.parse(stdout) as { steps: Step[] }).steps;
      const of = (name: string) => steps.filter((s) => s.step === name);
      for (const s of [...of('before the restart'), ...of('Run All Above')]) assert.equal(s.status, 'ok', `${s.step}: ${JSON.stringify(s)}`);
      const [afterRestart] = of('the check cell right after the restart');
      assert.notEqual(afterRestart?.status, 'ok', 'the kernel forgot the earlier cells');
      assert.match(afterRestart?.error ?? '', /Cannot find name/);
      // The kernel (lesson/kernel/launch.ts) says under the compiler's message what happened and what to run.
      assert.match(afterRestart?.error ?? '', /The kernel does not know [^\n]*`exercises`/);
      assert.match(afterRestart?.error ?? '', /`exercises`[^\n]* from the set-up cell, the first code cell of the chapter/);
      assert.match(
        afterRestart?.error ?? '',
        /Cell → Run All Above; Notebook 7 and JupyterLab: Run → Run All Above Selected Cell; VS Code: Execute Above Cells\), then run this cell again/,
      );
      assert.equal(of("the master's answer")[0]?.status, 'ok');
      assert.deepEqual(of('the check cell again')[0]?.verdicts, ['correct']);
    });
  }
});
