// The lesson's runPid runs `pid` in a warm worker thread of the kernel instead of a new process per cell.
// What a trainee sees must not change: every command here runs both ways against the same real server
// (bin/pid.cjs as its own process, and runPid in this process) and must print the same stdout and stderr
// and end with the same exit status.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WARMUP_HANDLE } from '../../mock-server/fixtures/seed-records.js';
import { runPid as runPidProcess, scratchDir, variantOfCredentials } from '../cli/run-pid.js';
import { startMockProcess, type MockProcess } from '../support/mock-process.js';
import { assertBuilt, ROOT } from '../support/paths.js';

interface KitRun {
  status: number;
  stdout: string;
  stderr: string;
}

const prefix = '21.T12995';
let server: MockProcess;
let runPidInProcess: (args: string[], options?: { quiet?: boolean }) => KitRun;

before(async () => {
  assertBuilt();
  server = await startMockProcess();
  process.env.PID_CREDENTIALS = server.credentialsFile;
  ({ runPid: runPidInProcess } = require(join(ROOT, 'dist', 'lesson', 'index.js')) as { runPid: typeof runPidInProcess });
});

after(async () => {
  delete process.env.PID_CREDENTIALS;
  await server?.stop();
});

/** Runs the command both ways; `name` is replaced in each run's arguments and output by a handle of its own, so writes do not meet. */
async function bothWays(args: string[], name?: string): Promise<{ process: KitRun; inProcess: KitRun }> {
  const own = (suffix: string) => (text: string) => (name ? text.replaceAll(name, `${name}-${suffix}`) : text);
  const asProcess = await runPidProcess(args.map(own('process')), { credentials: process.env.PID_CREDENTIALS ?? '' });
  const inProcess = runPidInProcess(args.map(own('kernel')), { quiet: true });
  const back = (suffix: string, text: string) => (name ? text.replaceAll(`${name}-${suffix}`, name) : text);
  return {
    process: { status: asProcess.code ?? -1, stdout: back('process', asProcess.stdout), stderr: back('process', asProcess.stderr) },
    inProcess: { status: inProcess.status, stdout: back('kernel', inProcess.stdout), stderr: back('kernel', inProcess.stderr) },
  };
}

async function assertSame(args: string[], name?: string): Promise<KitRun> {
  const { process: expected, inProcess } = await bothWays(args, name);
  assert.deepEqual(inProcess, expected, `pid ${args.join(' ')}`);
  return inProcess;
}

describe('runPid prints what the pid command prints in a terminal', () => {
  test('help, usage errors and malformed handles', async () => {
    assert.equal((await assertSame(['--help'])).status, 0);
    await assertSame(['read', '--help']);
    assert.equal((await assertSame(['frobnicate'])).status, 2);
    assert.equal((await assertSame(['read'])).status, 2);
    assert.equal((await assertSame(['read', 'no-slash-here'])).status, 2);
    assert.equal((await assertSame(['create', 'http://example.org/x', '--extratype', 'NOEQUALS'])).status, 2);
  });

  test('reads: a record, one key, --json, and a handle that does not exist', async () => {
    assert.equal((await assertSame(['read', WARMUP_HANDLE])).status, 0);
    await assertSame(['read', WARMUP_HANDLE, '--key', 'URL']);
    await assertSame(['read', WARMUP_HANDLE, '--json']);
    assert.equal((await assertSame(['read', `${prefix}/no-such-handle-anywhere`])).status, 1);
    await assertSame(['resolve', WARMUP_HANDLE]);
  });

  test('writes: create, the same name again (already exists), modify, relation, delete', async () => {
    const handle = `${prefix}/in-process-check`;
    const child = `${prefix}/in-process-child`;
    assert.equal((await assertSame(['create', 'http://example.org/a.csv', '--handle', handle, '--checksum', 'abc', '--json'], handle)).status, 0);
    assert.equal((await assertSame(['create', 'http://example.org/a.csv', '--handle', handle], handle)).status, 4);
    await assertSame(['modify', handle, 'URL', 'http://example.org/b.csv', '--json'], handle);
    await assertSame(['read', handle, '--key', 'URL'], handle);
    await assertSame(['create', 'http://example.org/c.csv', '--handle', child], child);
    await assertSame(['relation', handle, child, '--json'], handle);
    await assertSame(['delete', handle, '--json'], handle);
    assert.equal((await assertSame(['read', handle], handle)).status, 1);
  });

  test('a bulk file, with its result file', async () => {
    const folder = scratchDir(server.dataDir);
    const results = { process: join(folder, 'process.result'), kernel: join(folder, 'kernel.result') };
    const input = join(folder, 'operations.txt');
    writeFileSync(input, `SEARCH URL=http://example.org/nothing-matches-this\nREAD ${WARMUP_HANDLE}\n`);
    const asProcess = await runPidProcess(['bulk', '--input', input, '--result', results.process], { credentials: server.credentialsFile });
    const inProcess = runPidInProcess(['bulk', '--input', input, '--result', results.kernel], { quiet: true });
    // The summary line states how long the run took, which two runs need not share.
    const same = (text: string, result: string) => text.replaceAll(result, 'R').replace(/ERROR, \d+\.\d s;/, 'ERROR, N s;');
    assert.deepEqual(
      { status: inProcess.status, stdout: same(inProcess.stdout, results.kernel), stderr: same(inProcess.stderr, results.kernel) },
      { status: asProcess.code, stdout: same(asProcess.stdout, results.process), stderr: same(asProcess.stderr, results.process) },
    );
    assert.match(inProcess.stderr, /^pid bulk: 2 operations, 1 OK, 1 ERROR, N s;|^pid bulk: 2 operations, 1 OK, 1 ERROR, \d+\.\d s;/);
    assert.equal(readFileSync(results.kernel, 'utf8'), readFileSync(results.process, 'utf8'));
  });

  test('the environment of each call counts, as for a new process: a credentials file changed in a cell is used', async () => {
    const wrongPassword = variantOfCredentials(server.credentialsFile, 'in-process-wrong.json', {
      password: 'not-the-password',
      private_key: undefined,
      certificate_only: undefined,
    });
    const before = process.env.PID_CREDENTIALS;
    process.env.PID_CREDENTIALS = wrongPassword;
    try {
      const run = await assertSame(['create', 'http://example.org/x.csv', '--handle', `${prefix}/in-process-denied`], `${prefix}/in-process-denied`);
      assert.notEqual(run.status, 0, run.stderr);
      process.env.PID_CREDENTIALS = join(server.dataDir, 'there-is-no-such-file.json');
      assert.equal((await assertSame(['read', WARMUP_HANDLE])).status, 3);
    } finally {
      process.env.PID_CREDENTIALS = before;
    }
    assert.equal((await assertSame(['read', WARMUP_HANDLE, '--key', 'URL'])).status, 0, 'back to the right credentials');
  });

  test('the cell shows the session as a terminal would, and the command writes nothing else to the kernel', async () => {
    const shown: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => {
      shown.push(String(chunk));
      return true;
    }) as typeof process.stdout.write;
    try {
      runPidInProcess(['read', `${prefix}/no-such-handle-anywhere`]);
    } finally {
      process.stdout.write = write;
    }
    const text = shown.join('');
    assert.match(text, new RegExp(`^\\$ pid read ${prefix}/no-such-handle-anywhere\\n\\[stderr\\] pid: .+\\n\\[exit code 1\\]\\n$`));
  });
});
