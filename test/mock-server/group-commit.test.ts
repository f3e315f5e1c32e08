// Group commit: writes of one event-loop turn share one transaction, a failing write is rolled back
// alone, a failed COMMIT fails every reply that waited for it, and — against a real `pid-mock serve`
// killed with SIGKILL in the middle of concurrent writes — every acknowledged write is there after a restart.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Agent } from 'undici';
import { CommitFailedError, GroupCommit } from '../../mock-server/storage/group-commit.js';
import { basicHeader, httpRequest } from '../support/http.js';
import { PREFIX, startTestServer } from '../support/mock-server.js';
import { assertBuilt, PID_MOCK_BIN, ROOT } from '../support/paths.js';
import { temporaryFolder } from '../support/temporary-folders.js';

const folders: string[] = [];
after(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function tempFolder(stem: string): string {
  const folder = temporaryFolder(stem);
  folders.push(folder);
  return folder;
}

/** A WAL database with synchronous=FULL like the store's, and a second connection that sees only what is committed. */
function openPair(schema: string): { db: Database.Database; observer: Database.Database } {
  const file = join(tempFolder('group-commit-'), 'db.sqlite');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(schema);
  return { db, observer: new Database(file, { readonly: true }) };
}

const names = (observer: Database.Database) =>
  observer
    .prepare('SELECT name FROM t ORDER BY name')
    .all()
    .map((r) => (r as { name: string }).name);

describe('GroupCommit on a real SQLite file', () => {
  test('writes of one turn share one COMMIT; a failing write is rolled back alone; nothing is visible before the COMMIT', async () => {
    const { db, observer } = openPair('CREATE TABLE t (name TEXT PRIMARY KEY)');
    const group = new GroupCommit(db);
    const insert = db.prepare('INSERT INTO t (name) VALUES (?)');
    group.write(() => insert.run('a'));
    assert.throws(() =>
      group.write(() => {
        insert.run('b');
        insert.run('a'); // duplicate key: this write fails after having inserted b
      }),
    );
    group.write(() => insert.run('c'));
    const barrier = group.barrier();
    assert.ok(barrier, 'a pending group has a barrier');
    assert.deepEqual(names(observer), [], 'another connection sees nothing before the COMMIT');
    await barrier;
    assert.deepEqual(names(observer), ['a', 'c']);
    assert.equal(group.barrier(), undefined, 'no barrier once committed');
    assert.deepEqual(group.stats, { commits: 1, writes: 2, failedCommits: 0 });
    db.close();
    observer.close();
  });

  test('a failed COMMIT rejects the barrier, keeps nothing, and the next write starts a fresh group', async () => {
    // A deferred foreign key is checked only at COMMIT: a real way to make SQLite refuse a COMMIT.
    const { db, observer } = openPair(
      'PRAGMA foreign_keys = ON; CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE t (name TEXT PRIMARY KEY, p INTEGER REFERENCES p(id) DEFERRABLE INITIALLY DEFERRED)',
    );
    db.pragma('foreign_keys = ON');
    const group = new GroupCommit(db);
    group.write(() => db.prepare('INSERT INTO t (name, p) VALUES (?, NULL)').run('fine'));
    group.write(() => db.prepare('INSERT INTO t (name, p) VALUES (?, 42)').run('dangling'));
    await assert.rejects(group.barrier()!, (error: Error) => error instanceof CommitFailedError && /COMMIT failed/.test(error.message));
    assert.equal(db.inTransaction, false, 'the failed group was rolled back');
    assert.deepEqual(names(observer), [], 'neither write of the failed group is stored');
    group.write(() => db.prepare('INSERT INTO t (name, p) VALUES (?, NULL)').run('later'));
    await group.barrier();
    assert.deepEqual(names(observer), ['later']);
    assert.deepEqual(group.stats, { commits: 1, writes: 1, failedCommits: 1 });
    db.close();
    observer.close();
  });

  test("a caller's own explicit transaction keeps its own COMMIT", () => {
    const { db, observer } = openPair('CREATE TABLE t (name TEXT PRIMARY KEY)');
    const group = new GroupCommit(db);
    db.transaction(() => group.write(() => db.prepare('INSERT INTO t (name) VALUES (?)').run('x')))();
    assert.equal(group.barrier(), undefined);
    assert.deepEqual(names(observer), ['x'], 'committed when the explicit transaction returned');
    db.close();
    observer.close();
  });
});

describe('group commit in the server', () => {
  test('concurrent creates over HTTPS are all acknowledged and share transactions', async () => {
    const t = await startTestServer();
    try {
      const stats = t.server.store.enableGroupCommit().stats;
      const before = { ...stats };
      const count = 32;
      // Open the connections first so the creates arrive together rather than behind TLS handshakes.
      await Promise.all(Array.from({ length: count }, () => t.request({ path: '/api/handles/11304/cf8956a2-39d3-11e5-8a18-f31aa6f4d448' })));
      const results = await Promise.all(
        Array.from({ length: count }, (_, i) =>
          t.request({
            method: 'PUT',
            path: `/api/handles/${PREFIX}/GROUP-${i}`,
            as: 'trainee-basic',
            body: { values: [{ index: 1, type: 'URL', data: { format: 'string', value: `https://example.org/${i}` } }] },
          }),
        ),
      );
      assert.deepEqual(
        results.map((r) => r.status),
        Array(count).fill(201),
      );
      const writes = stats.writes - before.writes;
      const commits = stats.commits - before.commits;
      assert.equal(writes, count);
      assert.ok(commits < writes, `${count} concurrent writes took ${commits} commits`);
      for (let i = 0; i < count; i++) assert.ok(t.server.store.exists(`${PREFIX}/GROUP-${i}`));
    } finally {
      await t.close();
    }
  });
});

interface Serving {
  child: ChildProcess;
  port: number;
  exited: Promise<unknown>;
}

async function serve(dataDir: string): Promise<Serving> {
  const child = spawn(process.execPath, [PID_MOCK_BIN, 'serve', '--data', dataDir, '--port', '0', '--quiet'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "ready" within 30 s: ${stdout} ${stderr}`)), 30_000);
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const match = /on port (\d+)[\s\S]*\nready\n/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`pid-mock serve exited before ready: ${stderr}`));
    });
  });
  return { child, port, exited };
}

describe('pid-mock serve killed during concurrent writes', () => {
  test('every acknowledged create and ?index= modify is stored after SIGKILL and a restart', async () => {
    assertBuilt();
    const dataDir = tempFolder('pid-mock-group-kill-');
    const first = await serve(dataDir);
    const credentials = JSON.parse(readFileSync(join(dataDir, 'credentials', 'cred_basic.json'), 'utf8')) as { username: string; password: string };
    const ca = readFileSync(join(dataDir, 'credentials', 'ca.pem'), 'utf8');
    const agent = new Agent({ connect: { ca }, connections: 64 });
    const headers = { authorization: basicHeader(credentials.username, credentials.password), 'content-type': 'application/json' };
    const created: string[] = [];
    const modified: string[] = [];
    let killed = false;
    const put = (path: string, body: unknown) =>
      httpRequest(`https://127.0.0.1:${first.port}/api/handles/${path}`, { method: 'PUT', headers, body: JSON.stringify(body), dispatcher: agent });

    const worker = async (w: number) => {
      for (let i = 0; !killed; i++) {
        const handle = `${PREFIX}/KILL-${w}-${i}`;
        try {
          const create = await put(handle, {
            values: [
              { index: 1, type: 'URL', data: { format: 'string', value: `https://example.org/${w}/${i}` } },
              {
                index: 100,
                type: 'HS_ADMIN',
                data: { format: 'admin', value: { handle: credentials.username.split(':')[1], index: 300, permissions: '011111110011' } },
              },
            ],
          });
          if (create.status !== 201) throw new Error(`create answered ${create.status}: ${create.text}`);
          created.push(handle);
          const modify = await put(`${handle}?index=2`, { values: [{ index: 2, type: 'CHECKSUM', data: { format: 'string', value: `sha256:${w}-${i}` } }] });
          if (modify.status !== 201) throw new Error(`modify answered ${modify.status}: ${modify.text}`);
          modified.push(handle);
        } catch (error) {
          // After the kill, requests in flight fail with a reset connection: those were never acknowledged.
          if (killed) return;
          throw error;
        }
      }
    };
    let failure: unknown;
    const workers = Array.from({ length: 48 }, (_, w) => worker(w).catch((error: unknown) => (failure = error)));
    while (created.length < 400 && failure === undefined) await new Promise((resolve) => setTimeout(resolve, 5));
    if (failure !== undefined) {
      killed = true;
      first.child.kill('SIGKILL');
      throw failure;
    }
    killed = true;
    first.child.kill('SIGKILL');
    await first.exited;
    await Promise.all(workers);
    await agent.close();

    const second = await serve(dataDir);
    const reader = new Agent({ connect: { ca } });
    try {
      for (const handle of created) {
        const result = await httpRequest(`https://127.0.0.1:${second.port}/api/handles/${handle}`, { headers, dispatcher: reader });
        assert.equal(result.status, 200, `${handle} was acknowledged before the kill`);
        const values = (result.json() as { values: Array<{ index: number; type: string }> }).values;
        assert.ok(
          values.some((v) => v.index === 1 && v.type === 'URL'),
          `${handle} has its URL`,
        );
        if (modified.includes(handle))
          assert.ok(
            values.some((v) => v.index === 2 && v.type === 'CHECKSUM'),
            `${handle} has its acknowledged CHECKSUM`,
          );
      }
    } finally {
      await reader.close();
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });
});
