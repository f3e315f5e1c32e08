// Issue 21, finding 8: `pid-mock state reset` and `state import` from the CLI, next to a running server
// or killed half way. (1) Pollers read an identity handle, the prefix handle and a seed from a running
// `pid-mock serve` while the CLI resets and imports for ~10 s: none is ever missing (the CLI reset used
// to empty the store in one transaction and seed it in others). (2) A CLI reset is SIGKILLed at several
// points, from "right after its first commit" to "about when it ends": the next `pid-mock serve`
// finds the records either all as before or all reset, and a trainee can create handles. (3) A CLI
// import is SIGKILLed right after its commit: the next start writes the self-study trainee's key files
// the import had not written yet.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { request } from 'undici';
import { runCliOutcome, spawnServer, type ServerProcess } from '../support/mock-process.js';
import { PREFIX, WARMUP_HANDLE } from '../support/mock-server.js';
import { PID_MOCK_BIN, ROOT } from '../support/paths.js';
import { removeTemporaryFolder, temporaryFolder } from '../support/temporary-folders.js';

// biome-ignore lint/suspicious/noExplicitAny: the tests walk parsed state files field by field, as JSON
type Json = Record<string, any>;

/** How long the pollers read while the CLI resets and imports. */
const POLL_MS = 10_000;
/** Handles created before a kill, so that "before the reset" and "after it" differ. */
const EXTRA_HANDLES = 120;

let work: string;
before(() => {
  work = temporaryFolder('pid-mock-atomic-reset-');
});
after(() => removeTemporaryFolder(work));

const cli = (...args: string[]) => runCliOutcome(args);

async function get(server: ServerProcess, handle: string): Promise<number> {
  const response = await request(`${server.httpsUrl}/api/handles/${handle}`, { dispatcher: server.agent });
  await response.body.text();
  return response.statusCode;
}

async function create(server: ServerProcess, name: string): Promise<number> {
  const response = await request(`${server.httpsUrl}/api/handles/${PREFIX}/${name}?overwrite=false`, {
    method: 'PUT',
    headers: { authorization: server.traineeAuthorization, 'content-type': 'application/json' },
    body: JSON.stringify({ values: [{ index: 1, type: 'URL', data: `https://example.org/${name}` }] }),
    dispatcher: server.agent,
  });
  await response.body.text();
  return response.statusCode;
}

async function exportedHandles(server: ServerProcess): Promise<string[]> {
  const response = await request(`${server.httpsUrl}/_admin/state`, { headers: { authorization: `Bearer ${server.adminToken}` }, dispatcher: server.agent });
  const state = (await response.body.json()) as Json;
  return (state.handles as Json[]).map((h) => String(h.handle).toUpperCase()).sort();
}

/** The handles of a stopped folder, read from its SQLite file. */
function storedHandles(dataDir: string): string[] {
  const db = new Database(join(dataDir, 'handles.sqlite'), { readonly: true });
  try {
    return (db.prepare('SELECT handle FROM handle_names ORDER BY handle').pluck().all() as string[]).map((h) => h.toUpperCase()).sort();
  } finally {
    db.close();
  }
}

/**
 * Runs a `pid-mock state …` command on `dataDir` and SIGKILLs it either `afterMs` after the start or,
 * with 'first-commit', as soon as a reader of the file sees its first commit (SQLite's data_version).
 */
async function runAndKill(args: string[], dataDir: string, when: number | 'first-commit'): Promise<{ killed: boolean; code: number | null }> {
  const reader = when === 'first-commit' ? new Database(join(dataDir, 'handles.sqlite'), { readonly: true }) : undefined;
  const version = reader?.prepare('PRAGMA data_version').pluck();
  const startVersion = version?.get();
  const child = spawn(process.execPath, [PID_MOCK_BIN, ...args, '--data', dataDir], { cwd: ROOT, stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let done = false;
  void exited.then(() => (done = true));
  let killed = false;
  const kill = () => {
    if (done || killed) return;
    killed = child.kill('SIGKILL');
  };
  if (version) {
    while (!done && !killed) {
      if (version.get() !== startVersion) kill();
      else await new Promise((resolve) => setImmediate(resolve));
    }
  } else {
    setTimeout(kill, when as number);
  }
  const code = await exited;
  reader?.close();
  return { killed, code };
}

describe('CLI reset and import next to a running server (issue 21, finding 8)', () => {
  test(`pollers never see an identity, the prefix handle or a seed missing while the CLI resets and imports (${POLL_MS / 1000} s)`, async () => {
    const dataDir = join(work, 'polled');
    const server = await spawnServer(dataDir);
    try {
      const file = join(work, 'polled.json');
      assert.equal((await cli('state', 'export', file, '--data', dataDir)).code, 0);
      const targets = [`${PREFIX}/USER01`, `0.NA/${PREFIX}`, WARMUP_HANDLE];
      let stop = false;
      let polls = 0;
      const missing: string[] = [];
      const pollers = Array.from({ length: 6 }, async () => {
        while (!stop) {
          for (const target of targets) {
            const status = await get(server, target);
            polls++;
            if (status !== 200) missing.push(`${target}: ${status}`);
          }
        }
      });
      let resets = 0;
      let imports = 0;
      const started = Date.now();
      while (Date.now() - started < POLL_MS) {
        const reset = await cli('state', 'reset', '--data', dataDir);
        assert.equal(reset.code, 0, reset.stderr);
        resets++;
        const imported = await cli('state', 'import', file, '--data', dataDir);
        assert.equal(imported.code, 0, imported.stderr);
        imports++;
      }
      stop = true;
      await Promise.all(pollers);
      console.log(`# ${polls} polls during ${resets} CLI resets and ${imports} CLI imports: ${missing.length} missing`);
      assert.ok(resets >= 1 && polls >= 300, `enough happened (${resets} resets, ${polls} polls)`);
      assert.deepEqual(missing.slice(0, 10), [], `${missing.length} of ${polls} polls found a handle missing`);
      assert.equal(await create(server, 'after-polling'), 201, 'trainees can still create');
    } finally {
      await server.kill('SIGTERM');
    }
  });

  describe('SIGKILL during a CLI reset', () => {
    let template: string;
    let beforeReset: string[];
    let afterReset: string[];
    let resetMs: number;

    before(async () => {
      template = join(work, 'template');
      const server = await spawnServer(template);
      for (let i = 0; i < EXTRA_HANDLES; i++) assert.equal(await create(server, `extra-${i}`), 201);
      await server.kill('SIGTERM');
      beforeReset = storedHandles(template);
      const copy = join(work, 'reset-complete');
      cpSync(template, copy, { recursive: true });
      const started = Date.now();
      const reset = await cli('state', 'reset', '--data', copy);
      resetMs = Date.now() - started;
      assert.equal(reset.code, 0, reset.stderr);
      afterReset = storedHandles(copy);
      assert.notDeepEqual(afterReset, beforeReset, 'a reset removes the extra handles');
    });

    const points: Array<number | 'first-commit'> = ['first-commit', 'first-commit', 'first-commit', 0.5, 0.75, 0.85, 0.95, 1.05];
    points.forEach((point, i) => {
      const label = point === 'first-commit' ? 'right after its first commit' : `at ${Math.round(point * 100)}% of a whole reset's run time`;
      test(`kill ${i + 1}, ${label}: the next start has every record as before or as reset, and trainees create`, async () => {
        const dataDir = join(work, `killed-reset-${i}`);
        cpSync(template, dataDir, { recursive: true });
        const { killed } = await runAndKill(['state', 'reset'], dataDir, point === 'first-commit' ? point : Math.round(point * resetMs));
        const server = await spawnServer(dataDir);
        try {
          const handles = await exportedHandles(server);
          const found =
            JSON.stringify(handles) === JSON.stringify(afterReset)
              ? 'reset'
              : JSON.stringify(handles) === JSON.stringify(beforeReset)
                ? 'as before'
                : 'neither';
          console.log(`# reset ${killed ? 'killed' : 'finished first'} (a whole reset takes ${resetMs} ms); the restarted folder: ${found}`);
          const whole = JSON.stringify(handles) === JSON.stringify(beforeReset) || JSON.stringify(handles) === JSON.stringify(afterReset);
          const lost = [...beforeReset, ...afterReset].filter((h) => !handles.includes(h) && afterReset.includes(h));
          assert.ok(
            whole,
            `${handles.length} handles, neither the ${beforeReset.length} before nor the ${afterReset.length} after a reset; missing: ${lost.slice(0, 8).join(', ')}`,
          );
          assert.equal(await get(server, `0.NA/${PREFIX}`), 200, 'the prefix handle is there');
          assert.equal(await create(server, `after-kill-${i}`), 201, 'a trainee can create');
        } finally {
          await server.kill('SIGTERM');
        }
      });
    });
  });

  describe('SIGKILL right after a CLI import committed', () => {
    let template: string;
    let file: string;
    let importedKey: string;

    before(async () => {
      template = join(work, 'import-template');
      const server = await spawnServer(template);
      await server.kill('SIGTERM');
      const added = await cli('class', 'add', 'bob', '--data', template);
      assert.equal(added.code, 0, added.stderr);
      const exported = join(work, 'import-source.json');
      assert.equal((await cli('state', 'export', exported, '--data', template)).code, 0);
      // The same class, but the self-study trainee USER01 now holds bob's key pair: an import must
      // leave USER01's key files in credentials/ holding it.
      const state = JSON.parse(readFileSync(exported, 'utf8')) as Json;
      const [user01, bob] = state.provisioning.trainees as Json[];
      Object.assign(user01!, { publicKeyJwk: bob!.publicKeyJwk, privateKeyPem: bob!.privateKeyPem, certificatePem: bob!.certificatePem });
      importedKey = bob!.privateKeyPem as string;
      file = join(work, 'import-new-key.json');
      writeFileSync(file, JSON.stringify(state));
    });

    for (let i = 0; i < 3; i++) {
      test(`kill ${i + 1}: the next start writes the key files the import had not written`, async () => {
        const dataDir = join(work, `killed-import-${i}`);
        cpSync(template, dataDir, { recursive: true });
        const { killed } = await runAndKill(['state', 'import', file], dataDir, 'first-commit');
        const server = await spawnServer(dataDir);
        try {
          const key = readFileSync(join(dataDir, 'credentials', 'USER01_privkey.pem'), 'utf8');
          const state = (await (
            await request(`${server.httpsUrl}/_admin/state`, { headers: { authorization: `Bearer ${server.adminToken}` }, dispatcher: server.agent })
          ).body.json()) as Json;
          const stored = state.provisioning.trainees[0].privateKeyPem as string;
          assert.equal(key, stored, `USER01's key file is the one the store holds (import ${killed ? 'killed' : 'finished before the kill'})`);
          assert.equal(await create(server, `after-import-kill-${i}`), 201, 'a trainee can create');
          if (stored === importedKey) assert.equal(key, importedKey);
        } finally {
          await server.kill('SIGTERM');
        }
      });
    }
  });

  test('a folder an older pid-mock left half reset (no prefix handle) gets it back on the next start', async () => {
    const dataDir = join(work, 'old-half-reset');
    const first = await spawnServer(dataDir);
    await first.kill('SIGTERM');
    // What the old CLI reset left when killed between its transactions: the prefix handle and its admin
    // group gone (the identities, which every start reconciles, are not the point here).
    const db = new Database(join(dataDir, 'handles.sqlite'));
    db.prepare('DELETE FROM handles WHERE handle = ?').run(`0.NA/${PREFIX}`);
    db.prepare('DELETE FROM handle_names WHERE handle = ?').run(`0.NA/${PREFIX}`);
    db.close();
    const server = await spawnServer(dataDir);
    try {
      assert.equal(await get(server, `0.NA/${PREFIX}`), 200, 'the prefix handle is back');
      assert.equal(await create(server, 'after-old-half-reset'), 201, 'a trainee can create');
    } finally {
      await server.kill('SIGTERM');
    }
  });
});
