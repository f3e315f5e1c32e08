// Every `pid` command against a real `pid-mock serve` process: what it prints for a person, what --json gives a script, and where credentials come from.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { HandleClient, PIDClientCredentials, type RegisterOptions } from '../../src/index.js';
import { startMockProcess, type MockProcess } from '../support/mock-process.js';
import { WARMUP_HANDLE } from '../../mock-server/fixtures/seed-records.js';
import { assertFailure, assertSuccess, runPid, scratchDir } from './run-pid.js';

const prefix = '21.T12995';
let server: MockProcess;
let pid: (args: string[]) => ReturnType<typeof runPid>;
// Fixtures are made and checked in-process, so each test spawns `pid` only for the command it is about.
let client: HandleClient;

before(async () => {
  server = await startMockProcess();
  pid = (args) => runPid(args, { credentials: server.credentialsFile });
  client = await HandleClient.withCredentials(PIDClientCredentials.loadFromJSON(server.credentialsFile));
});

after(async () => {
  await client?.close();
  await server?.stop();
});

function createdPid(location = 'http://example.org/data.csv', options: Omit<RegisterOptions, 'overwrite'> = {}): Promise<string> {
  return client.generateAndRegisterHandle(prefix, location, options);
}

async function valueOfType(handle: string, type: string): Promise<unknown> {
  return client.getValueFromHandle(handle, type);
}

describe('help', { concurrency: 4 }, () => {
  for (const command of ['create', 'read', 'modify', 'delete', 'search', 'relation', 'bulk', 'resolve']) {
    test(`pid ${command} --help shows its usage and examples on stdout and exits 0`, async () => {
      const run = await runPid([command, '--help']);
      assertSuccess(run);
      assert.match(run.stdout, new RegExp(`^Usage: pid ${command} `));
      assert.match(run.stdout, /Examples?:\n {2}pid /);
    });
  }

  test('pid --help lists the commands and the exit codes', async () => {
    const run = await runPid(['--help']);
    assertSuccess(run);
    for (const command of ['create', 'read', 'modify', 'delete', 'search', 'relation', 'bulk', 'resolve'])
      assert.match(run.stdout, new RegExp(`\n {2}${command} `));
    assert.match(run.stdout, /Exit codes:\n {2}0 {2}success\n {2}1 {2}not found/);
  });
});

describe('create', { concurrency: 4 }, () => {
  test('without --handle it prints a new handle with a UUID v4 suffix under the credentials prefix, and nothing else', async () => {
    const run = await pid(['create', 'http://example.org/surveys.csv']);
    assertSuccess(run);
    assert.match(run.stdout, /^21\.T12995\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\n$/);
  });

  test('--json prints an object with the new handle, and the checksum, extra types and locations are stored', async () => {
    const run = await pid([
      'create',
      'http://example.org/a.csv',
      '--json',
      '--checksum',
      'abc123',
      '--extratype',
      'TYPE=file',
      '--extratype',
      'NOTE=a=b',
      '--loc10320',
      'http://mirror1.example.org/a.csv',
      '--loc10320',
      'http://mirror2.example.org/a.csv',
    ]);
    assertSuccess(run);
    const created = JSON.parse(run.stdout) as { handle: string; location: string };
    assert.match(created.handle, /^21\.T12995\//);
    assert.equal(created.location, 'http://example.org/a.csv');
    const byType = (await client.retrieveHandleRecord(created.handle))!;
    assert.equal(byType.URL, 'http://example.org/a.csv');
    assert.equal(byType.CHECKSUM, 'abc123');
    assert.equal(byType.TYPE, 'file');
    assert.equal(byType.NOTE, 'a=b', 'only the first = separates key and value');
    assert.match(byType['10320/LOC']!, /mirror1.*mirror2/);
  });

  test('--handle registers exactly that name', async () => {
    const run = await pid(['create', 'http://example.org/named.csv', '--handle', `${prefix}/named-by-me`]);
    assertSuccess(run);
    assert.equal(run.stdout, `${prefix}/named-by-me\n`);
    assert.equal(await valueOfType(`${prefix}/named-by-me`, 'URL'), 'http://example.org/named.csv');
  });
});

describe('read', { concurrency: 4 }, () => {
  test('shows the record as a readable table with the resolver links', async () => {
    const run = await pid(['read', WARMUP_HANDLE]);
    assertSuccess(run);
    assert.match(run.stdout, new RegExp(`^Handle ${WARMUP_HANDLE}\n`));
    assert.match(run.stdout, /index\s+type\s+value/);
    assert.match(run.stdout, /\n\s+1\s+URL\s+http:\/\/127\.0\.0\.1:\d+\/files\/landing\//);
    assert.match(run.stdout, /HS_ADMIN/);
  });

  test('--key prints just the value, so $(pid read … --key URL) works in a script', async () => {
    const handle = await createdPid('http://example.org/key.csv', { checksum: 'deadbeef' });
    const run = await pid(['read', handle, '--key', 'CHECKSUM']);
    assertSuccess(run);
    assert.equal(run.stdout, 'deadbeef\n');
  });

  test('--key HS_ADMIN prints the structured value as JSON', async () => {
    const run = await pid(['read', WARMUP_HANDLE, '--key', 'HS_ADMIN']);
    assertSuccess(run);
    assert.deepEqual(JSON.parse(run.stdout), { handle: '0.NA/11304', index: 200, permissions: '011111110011' });
  });

  test('--json prints the record JSON of the server, and with --key an object', async () => {
    const record = JSON.parse((await pid(['read', WARMUP_HANDLE, '--json'])).stdout) as { responseCode: number; handle: string; values: unknown[] };
    assert.equal(record.responseCode, 1);
    assert.equal(record.handle, WARMUP_HANDLE);
    assert.ok(record.values.length >= 2);
    const value = JSON.parse((await pid(['read', WARMUP_HANDLE, '--key', 'URL', '--json'])).stdout) as Record<string, string>;
    assert.equal(value.handle, WARMUP_HANDLE);
    assert.equal(value.key, 'URL');
    assert.match(value.value!, /\/files\/landing\//);
  });
});

describe('modify and delete', { concurrency: 4 }, () => {
  test('modify replaces a value and adds a missing one, printing nothing', async () => {
    const handle = await createdPid();
    const replaced = await pid(['modify', handle, 'URL', 'file:///home/trainee/data.csv']);
    assertSuccess(replaced);
    assert.equal(replaced.stdout, '');
    assertSuccess(await pid(['modify', handle, 'REPLICA', `${prefix}/other`]));
    assert.equal(await valueOfType(handle, 'URL'), 'file:///home/trainee/data.csv');
    assert.equal(await valueOfType(handle, 'REPLICA'), `${prefix}/other`);
  });

  test('modify --json echoes what was set', async () => {
    const handle = await createdPid();
    const run = await pid(['modify', handle, 'TYPE', 'file', '--json']);
    assertSuccess(run);
    assert.deepEqual(JSON.parse(run.stdout), { handle, key: 'TYPE', value: 'file' });
    assert.equal(await valueOfType(handle, 'TYPE'), 'file');
  });

  test('delete --key removes every value of that type and keeps the handle', async () => {
    const handle = await createdPid('http://example.org/d.csv', { checksum: 'c1', extraValues: { TYPE: 'file' } });
    const run = await pid(['delete', handle, '--key', 'CHECKSUM', '--key', 'TYPE', '--json']);
    assertSuccess(run);
    assert.deepEqual(JSON.parse(run.stdout), { handle, deleted: 'values', keys: ['CHECKSUM', 'TYPE'] });
    assert.equal(await valueOfType(handle, 'CHECKSUM'), null);
    assert.equal(await valueOfType(handle, 'TYPE'), null);
    assert.equal(await valueOfType(handle, 'URL'), 'http://example.org/d.csv');
  });

  test('delete without --key removes the whole handle, printing nothing', async () => {
    const handle = await createdPid();
    const run = await pid(['delete', handle]);
    assertSuccess(run);
    assert.equal(run.stdout, '');
    assert.equal(await client.retrieveHandleRecordJson(handle), null);
  });
});

describe('search', { concurrency: 4 }, () => {
  test('finds handles by a wildcard value, one per line', async () => {
    const run = await pid(['search', 'URL', 'irods:*']);
    assertSuccess(run);
    const handles = run.stdout.trim().split('\n');
    assert.ok(handles.length > 10);
    for (const handle of handles) assert.match(handle, /^21\.T12995\//i);
  });

  test('any key can be searched, not only URL and CHECKSUM, and --json gives an array', async () => {
    const handle = await createdPid('http://example.org/s.csv', { extraValues: { PROJECT: 'cli-search-test' } });
    const run = await pid(['search', 'PROJECT', 'cli-search-*', '--json']);
    assertSuccess(run);
    const handles = JSON.parse(run.stdout) as string[];
    assert.deepEqual(
      handles.map((h) => h.toUpperCase()),
      [handle.toUpperCase()],
    );
  });

  test('--prefix keeps only handles under that prefix', async () => {
    const run = await pid(['search', 'EUDAT/FIXED_CONTENT', 'True', '--prefix', '11304', '--json']);
    assertSuccess(run);
    assert.deepEqual(
      (JSON.parse(run.stdout) as string[]).map((h) => h.toUpperCase()),
      [WARMUP_HANDLE.toUpperCase()],
    );
  });
});

describe('relation', { concurrency: 4 }, () => {
  test("adds the child's resolver URL to the parent's 10320/LOC, and --json says what was written", async () => {
    const parent = await createdPid('http://example.org/collection');
    const child = await createdPid('http://example.org/member.csv');
    const run = await pid(['relation', parent, child, '--json']);
    assertSuccess(run);
    const expected = `${server.httpUrl}/${child}`;
    assert.deepEqual(JSON.parse(run.stdout), { parent, child, location: expected });
    assert.match(String(await valueOfType(parent, '10320/LOC')), new RegExp(`href="${expected}"`));
  });

  test('--bare stores the child PID itself and --resolver another resolver base', async () => {
    const parent = await createdPid();
    const child = await createdPid();
    assertSuccess(await pid(['relation', parent, child, '--bare']));
    assertSuccess(await pid(['relation', parent, child, '--resolver', 'https://hdl.handle.net']));
    const loc = String(await valueOfType(parent, '10320/LOC'));
    assert.match(loc, new RegExp(`href="${child}"`));
    assert.match(loc, new RegExp(`href="https://hdl.handle.net/${child}"`));
  });
});

describe('resolve', { concurrency: 4 }, () => {
  test('prints the status and the redirect target of the warm-up handle', async () => {
    const run = await pid(['resolve', WARMUP_HANDLE]);
    assertSuccess(run);
    assert.match(run.stdout, new RegExp(`^302 http://127\\.0\\.0\\.1:${server.port}/files/landing/${WARMUP_HANDLE}\n$`));
  });

  test('--json gives handle, resolver URL, status and location; --resolver needs no credentials', async () => {
    const handle = await createdPid('http://example.org/resolved.csv');
    const run = await runPid(['resolve', handle, '--json', '--resolver', server.httpUrl]);
    assertSuccess(run);
    assert.deepEqual(JSON.parse(run.stdout), { handle, resolver: `${server.httpUrl}/${handle}`, status: 302, location: 'http://example.org/resolved.csv' });
  });

  test('a record without a URL is shown, not redirected: status 200 and no location', async () => {
    const handle = await createdPid();
    await client.deleteHandleValue(handle, 'URL');
    const run = await pid(['resolve', handle, '--json']);
    assertSuccess(run);
    assert.equal((JSON.parse(run.stdout) as { status: number; location: unknown }).location, null);
    assert.equal((await pid(['resolve', handle])).stdout, '200\n');
  });
});

describe('where the credentials come from', { concurrency: 4 }, () => {
  test('--credentials wins over PID_CREDENTIALS', async () => {
    const run = await runPid(['--credentials', server.credentialsFile, 'read', WARMUP_HANDLE, '--key', 'URL'], { credentials: '/nonexistent/cred.json' });
    assertSuccess(run);
  });

  test('--credentials may also follow the command', async () => {
    assertSuccess(await runPid(['read', WARMUP_HANDLE, '--key', 'URL', '--credentials', server.credentialsFile]));
  });

  test('PID_CREDENTIALS wins over the default data folder', async () => {
    const cwd = scratchDir(server.dataDir);
    symlinkSync(server.dataDir, join(cwd, 'data'));
    assertFailure(await runPid(['read', WARMUP_HANDLE], { cwd, credentials: '/nonexistent/cred.json' }), 3, /nonexistent/);
  });

  test('without either, ./data/credentials/cred_file.json of the current folder is used', async () => {
    const cwd = scratchDir(server.dataDir);
    symlinkSync(server.dataDir, join(cwd, 'data'));
    assertSuccess(await runPid(['read', WARMUP_HANDLE, '--key', 'URL'], { cwd }));
  });

  test('without any credentials the error names all three ways to give them', async () => {
    assertFailure(await runPid(['read', WARMUP_HANDLE], { cwd: scratchDir(server.dataDir) }), 3, /--credentials FILE, set PID_CREDENTIALS/);
  });

  test('the password credentials work as well as the certificate ones', async () => {
    const run = await runPid(['create', 'http://example.org/by-password', '--json'], { credentials: server.basicCredentialsFile });
    assertSuccess(run);
    assert.match((JSON.parse(run.stdout) as { handle: string }).handle, /^21\.T12995\//);
  });
});
