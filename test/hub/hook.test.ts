// Runs the JupyterHub hook's Python unit tests (test/hub/test_pid_handson_hub.py: a real pid-mock process,
// JupyterHub's own spawner, real files) as part of `npm run test:unit`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ROOT } from '../support/paths.js';
import { JUPYTERHUB_PYTHON, requireSystemPackage } from '../support/system-packages.js';

test('the hook module passes its unit tests (python3 -m unittest)', () => {
  requireSystemPackage(JUPYTERHUB_PYTHON);
  const run = spawnSync('/usr/bin/python3', ['-m', 'unittest', 'discover', '-v', '-s', 'test/hub', '-p', 'test_*.py'], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 180_000,
  });
  const report = `${run.stdout}\n${run.stderr}`;
  assert.equal(run.status, 0, report);
  assert.match(run.stderr, /Ran (\d+) tests/);
  assert.match(run.stderr, /\nOK\n/);
  assert.doesNotMatch(run.stderr, /skipped/);
});
