// B2HANDLE compatibility: Python's `requests` replays B2HANDLE 1.2's traffic against a real mock
// server process (B2HANDLE itself cannot be installed offline; its requests are reproduced exactly).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startMockProcess, type MockProcess } from '../support/mock-process.js';
import { ROOT } from '../support/paths.js';
import { PYTHON_REQUESTS, requireSystemPackage } from '../support/system-packages.js';

let server: MockProcess;
before(async () => {
  requireSystemPackage(PYTHON_REQUESTS);
  server = await startMockProcess();
});
after(async () => {
  await server?.stop();
});

test('the requests B2HANDLE sends (password and certificate) get the answers B2HANDLE expects', async () => {
  const run = await promisify(execFile)('/usr/bin/python3', [
    join(ROOT, 'test', 'b2handle', 'b2handle_traffic.py'),
    server.basicCredentialsFile,
    server.credentialsFile,
  ]).catch((error: { stdout?: string; stderr?: string }) => ({ stdout: error.stdout ?? '', stderr: error.stderr ?? '' }));
  assert.ok(run.stdout, `the replay printed nothing: ${run.stderr}`);
  const report = JSON.parse(run.stdout) as { ok: boolean; checks: Array<{ name: string; ok: boolean; detail: string }> };
  assert.deepEqual(
    report.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`),
    [],
  );
  assert.equal(report.checks.length, 15);
  assert.equal(report.ok, true);
});
