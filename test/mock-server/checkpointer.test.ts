// Background checkpoints: a serving store does not checkpoint inside its COMMITs (the event loop would
// stall); a worker thread copies the WAL into the database file while the server runs, and closing
// the store waits for it.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { basicHeader } from '../support/http.js';
import { startTestServer, type TestServer } from '../support/mock-server.js';
import { temporaryFolder } from '../support/temporary-folders.js';

let t: TestServer | undefined;
after(async () => t?.close());

/**
 * Handles present in the database file itself, ignoring the WAL: a copy of the main file alone is what
 * a checkpoint has put there (a copy taken while the worker writes may be torn: then it counts 0).
 */
function handlesInMainFile(file: string, like: string): number {
  const copy = join(temporaryFolder('ckpt-copy-'), 'main-only.sqlite');
  copyFileSync(file, copy);
  try {
    const db = new Database(copy, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare('SELECT COUNT(*) AS n FROM handle_names WHERE handle LIKE ?').get(like) as { n: number }).n;
    } finally {
      db.close();
    }
  } catch {
    return 0;
  } finally {
    rmSync(dirname(copy), { recursive: true, force: true });
  }
}

test('writes reach the database file through the worker while the server runs; the serving connection never checkpoints', async () => {
  t = await startTestServer({ storage: 'data-dir' });
  const file = join(t.dataDir!, 'handles.sqlite');
  const store = t.server.store;
  const stats = store.checkpointStats();
  assert.ok(stats, 'a server on a data folder checkpoints in the background');
  assert.equal(
    (store as unknown as { db: Database.Database }).db.pragma('wal_autocheckpoint', { simple: true }),
    0,
    'the serving connection leaves checkpoints to the worker',
  );

  const auth = basicHeader(t.trainee.identity, t.trainee.password);
  const count = 120;
  for (let batch = 0; batch < count; batch += 20) {
    await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const handle = `${t!.prefix}/CKPT-${batch + i}`;
        const answer = await t!.request({
          method: 'PUT',
          path: `/api/handles/${handle}?overwrite=false`,
          scheme: 'https',
          headers: { authorization: auth },
          body: { values: [{ index: 1, type: 'URL', data: `https://example.org/${batch + i}` }] },
        });
        assert.equal(answer.status, 201, answer.text);
      }),
    );
  }
  const like = `${t.prefix.toUpperCase()}/CKPT-%`;
  const deadline = Date.now() + 10_000;
  while (handlesInMainFile(file, like) < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.equal(handlesInMainFile(file, like), count, 'every acknowledged create is in the database file, not only in the WAL');
  assert.ok(stats.checkpoints > 0, 'the worker ran the checkpoints');
  assert.equal(stats.stoppedBecause, undefined, 'the worker never fell back to inline checkpoints');
});
