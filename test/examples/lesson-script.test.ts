// The lesson script (examples/lesson.mjs) runs end to end against a real mock server process.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startMockProcess, type MockProcess } from '../support/mock-process.js';
import { ROOT } from '../support/paths.js';
import { B2SAFE_IRODS_PID_COUNT } from '../../mock-server/fixtures/seed-records.js';

let server: MockProcess;
before(async () => {
  server = await startMockProcess();
});
after(async () => {
  await server?.stop();
});

test('examples/lesson.mjs registers, modifies, links, searches and resolves as the lesson describes', async () => {
  const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(ROOT, 'examples', 'lesson.mjs'), server.credentialsFile], { cwd: ROOT });
  assert.equal(stderr, '');
  assert.match(stdout, /11304\/cf8956a2-39d3-11e5-8a18-f31aa6f4d448: HTTP 302 → http:\/\/127\.0\.0\.1:\d+\/files\/landing\//);
  const pid = /registered (21\.T12995\/[0-9a-f-]{36})/.exec(stdout)?.[1];
  assert.ok(pid, 'a v4 PID was registered');
  assert.match(stdout, /registering it again: HandleAlreadyExistsError/);
  assert.match(stdout, /CHECKSUM [0-9a-f]{32}\n/);
  assert.match(stdout, /resolver now: HTTP 302 → file:\/\/\/data\/surveys\.csv/);
  assert.match(stdout, new RegExp(`REPLICA of ${pid!.replace('.', '\\.')} = 21\\.T12995/`));
  assert.match(stdout, /10320\/LOC of .* empty\? false/);
  assert.match(stdout, /: 2 PIDs\n/);
  assert.match(stdout, new RegExp(`URL=irods:\\* → ${B2SAFE_IRODS_PID_COUNT} B2SAFE PIDs`));
  assert.match(stdout, /lesson complete/);
});

test('examples/lesson.mjs without credentials says how to get them and exits 1', async () => {
  await assert.rejects(
    promisify(execFile)(process.execPath, [join(ROOT, 'examples', 'lesson.mjs')], { cwd: '/', env: { ...process.env, PID_CREDENTIALS: '' } }),
    (error: { code: number; stderr: string }) => {
      assert.equal(error.code, 1);
      assert.match(error.stderr, /CredentialsFormatError: no credentials found.*hint: start the lesson with `npm start`/);
      return true;
    },
  );
});
