// Kernel → Restart in the middle of a chapter, as trainees do it, on a real tslab kernel against a real mock
// server process: the chapter is run down to its first check cell, the kernel restarted, the check cell run
// alone (tslab's "Cannot find name" error, which is why every chapter says what to do at its top), then the
// advice followed (Cell → Run All Above), the master's answer put in and the check run again: Correct.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startMockProcess, type MockProcess } from '../support/mock-process.js';
import { ROOT } from '../support/paths.js';

const execFileAsync = promisify(execFile);
const NOTEBOOKS = join(ROOT, 'notebooks');
const { jupyterEnv } = createRequire(__filename)('../../deploy/local/start.cjs') as { jupyterEnv: (base: NodeJS.ProcessEnv) => NodeJS.ProcessEnv };
const { linkPackage } = createRequire(__filename)('../../deploy/local/workspace.cjs') as { linkPackage: (project: string) => boolean };

interface Step {
  step: string;
  status: string;
  error: string | null;
  verdicts: string[];
}

let server: MockProcess;

before(async () => {
  linkPackage(ROOT);
  server = await startMockProcess();
});

after(async () => {
  await server?.stop();
});

describe('a kernel restart in the middle of a chapter', () => {
  for (const chapter of ['00-typescript', '01-warming-up', '03-registering-a-file', '05-linking']) {
    test(`${chapter}: after the restart the check cell fails on a forgotten name; Run All Above and the answer make it Correct`, async () => {
      const { stdout } = await execFileAsync(
        '/usr/bin/python3',
        [join(ROOT, 'test', 'notebooks', 'restart_then_check.py'), `${chapter}.ipynb`, join('instructor', `${chapter}.ipynb`)],
        { cwd: NOTEBOOKS, env: { ...jupyterEnv(process.env), PID_CREDENTIALS: server.credentialsFile }, maxBuffer: 16 * 1024 * 1024, timeout: 10 * 60 * 1000 },
      );
      const steps = (JSON.parse(stdout) as { steps: Step[] }).steps;
      const of = (name: string) => steps.filter((s) => s.step === name);
      for (const s of [...of('before the restart'), ...of('Run All Above')]) assert.equal(s.status, 'ok', `${s.step}: ${JSON.stringify(s)}`);
      const [afterRestart] = of('the check cell right after the restart');
      assert.notEqual(afterRestart?.status, 'ok', 'the kernel forgot the earlier cells');
      assert.match(afterRestart?.error ?? '', /Cannot find name/);
      assert.equal(of("the master's answer")[0]?.status, 'ok');
      assert.deepEqual(of('the check cell again')[0]?.verdicts, ['correct']);
    });
  }
});
