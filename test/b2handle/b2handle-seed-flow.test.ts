// The seed lesson's whole B2HANDLE flow from a working folder that is not the credentials folder, with a
// client certificate and with a password: what a trainee following the seed from their home folder runs.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { promisify } from 'node:util';
import { startMockProcess, type MockProcess } from '../support/mock-process.js';
import { ROOT } from '../support/paths.js';
import { PYTHON_REQUESTS, requireSystemPackage } from '../support/system-packages.js';
import { removeTemporaryFolder, temporaryFolder } from '../support/temporary-folders.js';
import { clientPath } from '../../mock-server/data-folder/credentials.js';

let server: MockProcess;
let workDir: string;
before(async () => {
  requireSystemPackage(PYTHON_REQUESTS);
  server = await startMockProcess();
  workDir = temporaryFolder('trainee-home-');
});
after(async () => {
  await server?.stop();
  removeTemporaryFolder(workDir);
});

async function replay(credentialsFile: string): Promise<Array<{ name: string; ok: boolean; detail: string }>> {
  const run = await promisify(execFile)('/usr/bin/python3', [join(ROOT, 'test', 'b2handle', 'b2handle_seed_flow.py'), credentialsFile], { cwd: workDir }).catch(
    (error: { stdout?: string; stderr?: string }) => ({ stdout: error.stdout ?? '', stderr: error.stderr ?? '' }),
  );
  assert.ok(run.stdout, `the replay printed nothing: ${run.stderr}`);
  return (JSON.parse(run.stdout) as { checks: Array<{ name: string; ok: boolean; detail: string }> }).checks;
}

test('cred_file.json names its key, certificate and CA by absolute paths that exist', () => {
  const cred = JSON.parse(readFileSync(server.credentialsFile, 'utf8')) as Record<string, string>;
  for (const key of ['private_key', 'certificate_only', 'HTTPS_verify']) {
    assert.ok(isAbsolute(cred[key]!), `${key} = ${cred[key]}`);
    assert.ok(readFileSync(cred[key]!).length > 0);
  }
});

test('the paths can be written for the folder where another container mounts the credentials', () => {
  const dir = dirname(server.credentialsFile);
  assert.equal(clientPath(join(dir, 'USER01_privkey.pem'), dir, '/home/jovyan/credentials'), '/home/jovyan/credentials/USER01_privkey.pem');
  assert.equal(clientPath(join(dir, 'USER01_privkey.pem'), dir, undefined), join(dir, 'USER01_privkey.pem'));
  assert.throws(() => clientPath(join(dir, 'x.pem'), dir, 'relative/dir'), /must be an absolute path/);
});

for (const [label, file] of [
  ['client certificate', () => server.credentialsFile],
  ['password', () => server.basicCredentialsFile],
] as const) {
  test(`the seed lesson flow with B2HANDLE's requests works from another folder (${label})`, async () => {
    const checks = await replay(file());
    assert.deepEqual(
      checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`),
      [],
    );
    assert.ok(checks.length >= 12, `only ${checks.length} checks ran`);
  });
}
