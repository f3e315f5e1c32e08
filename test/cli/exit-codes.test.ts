// Every documented exit code of `pid` (1 not found, 2 usage, 3 not allowed, 4 anything else), each with one stderr line carrying a hint and no stack trace.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { startMockProcess, type MockProcess } from '../support/mock-process.js';
import { WARMUP_HANDLE } from '../../mock-server/fixtures/seed-records.js';
import { assertFailure, assertSuccess, runPid, scratchDir, variantOfCredentials } from './run-pid.js';

const prefix = '21.T12995';
let server: MockProcess;
let pid: (args: string[]) => ReturnType<typeof runPid>;

before(async () => {
  server = await startMockProcess();
  pid = (args) => runPid(args, { credentials: server.credentialsFile });
});

after(async () => {
  await server?.stop();
});

/** A port nothing listens on: taken from the system, then released. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe('exit 1: not found', { concurrency: 4 }, () => {
  test('read of a handle that does not exist', async () => {
    assertFailure(await pid(['read', `${prefix}/does-not-exist`]), 1, /HandleNotFoundError: .*does-not-exist/);
  });

  test('read --key of a type the record does not have, with nothing on stdout', async () => {
    const run = await pid(['read', WARMUP_HANDLE, '--key', 'NO_SUCH_TYPE']);
    assertFailure(run, 1, /no value of type NO_SUCH_TYPE/);
    assert.equal(run.stdout, '');
  });

  test('modify, delete and relation of a missing handle', async () => {
    assertFailure(await pid(['modify', `${prefix}/does-not-exist`, 'URL', 'http://x']), 1);
    assertFailure(await pid(['delete', `${prefix}/does-not-exist`]), 1);
    assertFailure(await pid(['relation', WARMUP_HANDLE, `${prefix}/no-such-child`]), 1, /child/);
  });

  test('search without a match, which still prints [] with --json', async () => {
    assertFailure(await pid(['search', 'URL', 'nothing-matches-this-*']), 1);
    const run = await pid(['search', 'URL', 'nothing-matches-this-*', '--json']);
    assert.equal(run.code, 1);
    assert.deepEqual(JSON.parse(run.stdout), []);
  });

  test('resolve of a handle the resolver does not know', async () => {
    assertFailure(await pid(['resolve', `${prefix}/does-not-exist`]), 1);
  });
});

describe('exit 2: usage', { concurrency: 4 }, () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['no command', [], /a command is needed: create, read/],
    ['help for an unknown command', ['help', 'frobnicate'], /a command is needed/],
    ['an unknown command', ['frobnicate'], /unknown command 'frobnicate'/],
    ['a misspelt command, with a suggestion', ['raed', WARMUP_HANDLE], /Did you mean read\?/],
    ['a missing argument', ['modify', WARMUP_HANDLE, 'URL'], /missing required argument 'value'.*pid modify --help/],
    ['an unknown option', ['read', WARMUP_HANDLE, '--bogus'], /unknown option '--bogus'/],
    ['too many arguments', ['read', WARMUP_HANDLE, 'URL'], /too many arguments/],
    ['a handle without a slash', ['read', 'nonsense'], /HandleSyntaxError: "nonsense" has no slash/],
    ['an --extratype without =', ['create', 'http://example.org/x', '--extratype', 'TYPE'], /--extratype "TYPE" is not KEY=VALUE/],
    ['changing HS_ADMIN', ['modify', WARMUP_HANDLE, 'HS_ADMIN', 'x'], /IllegalOperationError/],
    ['bulk without --input', ['bulk', '--result', 'r.txt'], /required option '--input <file>'/],
    [
      'bulk with a bad --concurrency',
      ['bulk', '--input', 'i.txt', '--result', 'r.txt', '--concurrency', '0'],
      /--concurrency must be a whole number from 1 to 64/,
    ],
    ['bulk with an input file that does not exist', ['bulk', '--input', '/nonexistent/ops.txt', '--result', 'r.txt'], /cannot read the bulk input/],
    ['a --resolver that is not a URL', ['resolve', WARMUP_HANDLE, '--resolver', 'hdl.handle.net'], /not an http\(s\) URL/],
  ];
  test('a malformed handle is reported before the credentials are even looked for', async () => {
    assertFailure(await runPid(['modify', 'nonsense', 'URL', 'http://x'], { cwd: scratchDir(server.dataDir) }), 2, /HandleSyntaxError/);
  });

  for (const [what, args, message] of cases) {
    test(`${what} exits 2 with one line on stderr`, async () => {
      const run = await pid(args);
      assertFailure(run, 2, message);
      assert.equal(run.stdout, '', 'no help text dumped on stdout');
    });
  }
});

describe('exit 3: authentication and permission', { concurrency: 4 }, () => {
  test('a password file with a wrong password cannot modify', async () => {
    const created = await runPid(['create', 'http://example.org/mine'], { credentials: server.basicCredentialsFile });
    assertSuccess(created);
    const wrong = variantOfCredentials(server.basicCredentialsFile, 'cred_wrong_password.json', { password: 'not-the-password' });
    assertFailure(await runPid(['modify', created.stdout.trim(), 'URL', 'http://example.org/x'], { credentials: wrong }), 3, /HandleAuthenticationError/);
  });

  test("modifying the warm-up handle, which belongs to another prefix's admin", async () => {
    assertFailure(await pid(['modify', WARMUP_HANDLE, 'URL', 'http://example.org/hijacked']), 3, /HandlePermissionError/);
    assertFailure(await pid(['delete', WARMUP_HANDLE]), 3);
  });

  test('search with a wrong reverse look-up password', async () => {
    const wrong = variantOfCredentials(server.credentialsFile, 'cred_wrong_search.json', { reverselookup_password: 'nope' });
    assertFailure(await runPid(['search', 'URL', '*'], { credentials: wrong }), 3, /ReverseLookupError: .*Authentication failed/);
  });

  test('a credentials file that is not JSON', async () => {
    const broken = variantOfCredentials(server.credentialsFile, 'cred_broken.json', {});
    writeFileSync(broken, '{"handle_server_url": ');
    assertFailure(await runPid(['read', WARMUP_HANDLE], { credentials: broken }), 3, /CredentialsFormatError/);
  });
});

describe('exit 4: server and everything else', { concurrency: 4 }, () => {
  test('a server that is down (a closed port)', async () => {
    const down = variantOfCredentials(server.credentialsFile, 'cred_down.json', { handle_server_url: `https://127.0.0.1:${await closedPort()}` });
    assertFailure(await runPid(['read', WARMUP_HANDLE], { credentials: down }), 4, /connection refused.*\(hint: is the Handle server running/);
    assertFailure(await runPid(['resolve', WARMUP_HANDLE], { credentials: down }), 4, /connection refused/);
  });

  test('a password client whose server is down fails the same way', async () => {
    const down = variantOfCredentials(server.basicCredentialsFile, 'cred_basic_down.json', { handle_server_url: `https://127.0.0.1:${await closedPort()}` });
    assertFailure(await runPid(['create', 'http://example.org/x'], { credentials: down }), 4);
  });

  test('creating a handle that already exists', async () => {
    assertSuccess(await pid(['create', 'http://example.org/once', '--handle', `${prefix}/exists-already`]));
    assertFailure(await pid(['create', 'http://example.org/twice', '--handle', `${prefix}/exists-already`]), 4, /HandleAlreadyExistsError/);
  });
});
