// Durability: 1,000 concurrent writes to a real `pid-mock serve`, SIGKILL at a seeded random moment,
// restart on the same folder (the dead server's lock must not block it): every acknowledged write is
// there and intact and SQLite's integrity check passes. Repeated, then with a reset in the stream and
// with the kill landing right on a reset, and (R6) with a state import (`PUT /_admin/state` of a file
// exported earlier by `GET /_admin/state`) in the stream: the kill lands after the import's answer or while
// it is in flight, and the import must be all or nothing, never half.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { request } from 'undici';
import { serveExpectingFailure, spawnServer, type ServerProcess } from '../support/mock-process.js';
import { PREFIX } from '../support/mock-server.js';
import { mulberry32 } from '../../mock-server/fixtures/seeded-random.js';
import { temporaryFolder } from '../support/temporary-folders.js';

const WRITES = 1_000;
const SEED = Number(process.env.RELIABILITY_SEED ?? Date.now() % 1_000_000);
const random = mulberry32(SEED);

let dataDir: string;
before(() => {
  dataDir = temporaryFolder('pid-mock-durability-');
});
after(() => rmSync(dataDir, { recursive: true, force: true }));

function dataOf(round: string, i: number): string {
  return `https://example.org/${round}/${i}?check=${(i * 2654435761) % 4294967296}`;
}

/** One PUT create; resolves true only on a 201 the client has received (an acknowledged write). */
async function write(server: ServerProcess, round: string, i: number): Promise<boolean> {
  try {
    const response = await request(`${server.httpsUrl}/api/handles/${PREFIX}/DUR-${round}-${i}?overwrite=false`, {
      method: 'PUT',
      headers: { authorization: server.traineeAuthorization, 'content-type': 'application/json' },
      body: JSON.stringify({
        values: [
          { index: 1, type: 'URL', data: dataOf(round, i) },
          { index: 2, type: 'ROUND', data: round },
        ],
      }),
      dispatcher: server.agent,
    });
    await response.body.text();
    return response.statusCode === 201;
  } catch {
    return false; // the server died with this write in flight: not acknowledged
  }
}

async function readUrl(server: ServerProcess, round: string, i: number): Promise<{ status: number; url?: string; round?: string }> {
  const response = await request(`${server.httpsUrl}/api/handles/${PREFIX}/DUR-${round}-${i}`, { dispatcher: server.agent });
  const body = (await response.body.json()) as { values?: Array<{ index: number; data: { value: string } }> };
  return { status: response.statusCode, url: body.values?.find((v) => v.index === 1)?.data.value, round: body.values?.find((v) => v.index === 2)?.data.value };
}

function integrity(): string {
  const db = new Database(join(dataDir, 'handles.sqlite'));
  try {
    return String(db.pragma('integrity_check', { simple: true }));
  } finally {
    db.close();
  }
}

/** Fires every write at once (the agent's 50 connections queue them) and SIGKILLs the server after `killAfter` acknowledgements. */
async function writeAndKill(server: ServerProcess, round: string, killAfter: number): Promise<Set<number>> {
  const acknowledged = new Set<number>();
  let killed: Promise<number | null> | undefined;
  await Promise.all(
    Array.from({ length: WRITES }, async (_, i) => {
      if (await write(server, round, i)) {
        if (killed) return; // answered after the kill was sent: it may or may not count, so it is not claimed
        acknowledged.add(i);
        if (acknowledged.size >= killAfter) killed = server.kill('SIGKILL');
      }
    }),
  );
  await (killed ?? server.kill('SIGKILL'));
  return acknowledged;
}

async function assertAllPresent(server: ServerProcess, round: string, acknowledged: Iterable<number>): Promise<number> {
  let checked = 0;
  const missing: number[] = [];
  await Promise.all(
    [...acknowledged].map(async (i) => {
      const found = await readUrl(server, round, i);
      if (found.status !== 200 || found.url !== dataOf(round, i) || found.round !== round) missing.push(i);
      checked += 1;
    }),
  );
  assert.deepEqual(
    missing.sort((a, b) => a - b),
    [],
    `acknowledged writes of round ${round} lost or damaged (seed ${SEED})`,
  );
  return checked;
}

describe(`durability under SIGKILL (seed ${SEED}; RELIABILITY_SEED=${SEED} replays it)`, () => {
  const survived: Record<string, number> = {};
  after(() => console.log(`# durability: acknowledged writes that survived a SIGKILL, by round: ${JSON.stringify(survived)} (seed ${SEED})`));

  for (const round of ['R1', 'R2', 'R3']) {
    test(`round ${round}: 1,000 concurrent writes, SIGKILL after a random number of acknowledgements`, async () => {
      const server = await spawnServer(dataDir);
      if (round === 'R1') {
        const second = await serveExpectingFailure(dataDir);
        assert.equal(second.code, 1);
        assert.match(second.stderr, /in use by another pid-mock server \(process \d+\)/);
      }
      // Kept below half the writes so the round stays inside CI's time budget; the rest die in flight.
      const killAfter = 50 + Math.floor(random() * 350);
      const acknowledged = await writeAndKill(server, round, killAfter);
      assert.ok(acknowledged.size >= killAfter, `only ${acknowledged.size} writes acknowledged`);
      assert.equal(integrity(), 'ok');
      const restarted = await spawnServer(dataDir);
      try {
        survived[round] = await assertAllPresent(restarted, round, acknowledged);
        if (round !== 'R1') await assertAllPresent(restarted, 'R1', []);
      } finally {
        await restarted.kill('SIGTERM');
      }
      assert.equal(integrity(), 'ok');
    });
  }

  test('round R4: a reset in the middle of the writes, SIGKILL afterwards: writes sent after the reset survive', async () => {
    const server = await spawnServer(dataDir);
    const half = WRITES / 2;
    const resetAt = 50 + Math.floor(random() * 150);
    const killAfter = 20 + Math.floor(random() * 180);
    let killed: Promise<number | null> | undefined;
    // Phase 1: half the writes; the reset goes out after `resetAt` of them are acknowledged, with the rest in flight.
    let ackedBefore = 0;
    let resetAnswered!: () => void;
    const resetDone = new Promise<void>((r) => (resetAnswered = r));
    const before = Array.from({ length: half }, async (_, i) => {
      if (!(await write(server, 'R4', i))) return;
      ackedBefore += 1;
      if (ackedBefore === resetAt) {
        const reset = await request(`${server.httpUrl}/_admin/reset`, { method: 'POST', headers: { authorization: `Bearer ${server.adminToken}` } });
        await reset.body.text();
        assert.equal(reset.statusCode, 200);
        resetAnswered();
      }
    });
    await resetDone;
    // Phase 2: the other half, every one sent after the reset was answered; SIGKILL after `killAfter` of them.
    const acknowledged = new Set<number>();
    const afterReset = Array.from({ length: half }, async (_, k) => {
      const i = half + k;
      if (!(await write(server, 'R4', i)) || killed) return;
      acknowledged.add(i);
      if (acknowledged.size >= killAfter) killed = server.kill('SIGKILL');
    });
    await Promise.all([...before, ...afterReset]);
    await (killed ?? server.kill('SIGKILL'));
    assert.equal(integrity(), 'ok');
    const restarted = await spawnServer(dataDir);
    try {
      assert.ok(acknowledged.size >= killAfter);
      survived.R4 = await assertAllPresent(restarted, 'R4', acknowledged);
      // The reset erased the earlier rounds.
      assert.equal((await readUrl(restarted, 'R1', 0)).status, 404);
    } finally {
      await restarted.kill('SIGTERM');
    }
  });

  test('round R5: SIGKILL right on a reset: the server comes back whole (reset done or not done), trainees can still write', async () => {
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const server = await spawnServer(dataDir);
      const reset = request(`${server.httpUrl}/_admin/reset`, { method: 'POST', headers: { authorization: `Bearer ${server.adminToken}` } }).then(
        (r) => r.body.text().then(() => r.statusCode),
        () => 0,
      );
      await new Promise((r) => setTimeout(r, Math.floor(random() * 15)));
      await server.kill('SIGKILL');
      await reset;
      assert.equal(integrity(), 'ok');
      const restarted = await spawnServer(dataDir);
      try {
        assert.ok(await write(restarted, `R5A${attempt}`, 0), 'the trainee can write after the restart (identity handles intact)');
        assert.equal((await readUrl(restarted, `R5A${attempt}`, 0)).status, 200);
      } finally {
        await restarted.kill('SIGTERM');
      }
    }
    assert.equal(integrity(), 'ok');
  });

  test('round R6: a state import in the middle of the writes, SIGKILL after its answer or while it is in flight: all or nothing', async () => {
    const admin = (server: ServerProcess) => ({ authorization: `Bearer ${server.adminToken}` });
    for (const mode of ['after-answer', 'in-flight'] as const) {
      const round = `R6${mode === 'after-answer' ? 'A' : 'B'}`;
      const server = await spawnServer(dataDir);
      // What the export holds: 50 writes, all acknowledged, then the whole state.
      const pre = Array.from({ length: 50 }, (_, i) => i);
      assert.deepEqual(
        (await Promise.all(pre.map((i) => write(server, round, i)))).filter((ok) => !ok),
        [],
      );
      const exported = await request(`${server.httpUrl}/_admin/state`, { headers: admin(server) });
      const exportText = await exported.body.text();
      assert.equal(exported.statusCode, 200);
      const exportHandles = new Map(
        (JSON.parse(exportText) as { handles: Array<{ handle: string; values: unknown }> }).handles.map((h) => [h.handle, JSON.stringify(h.values)]),
      );
      // Then 400 concurrent writes; the import goes out after `importAt` of them are acknowledged.
      const importAt = 20 + Math.floor(random() * 80);
      const killAfter = 10 + Math.floor(random() * 90);
      const ackedBeforeSent = new Set<number>();
      const ackedAfterAnswer = new Set<number>();
      const ackedAll = new Set<number>();
      let sent = false;
      let answered = false;
      let killed: Promise<number | null> | undefined;
      let importStatus: Promise<number> | undefined;
      const sendImport = () => {
        sent = true;
        importStatus = request(`${server.httpUrl}/_admin/state`, {
          method: 'PUT',
          headers: { ...admin(server), 'content-type': 'application/json' },
          body: exportText,
        }).then(
          (r) =>
            r.body.text().then(() => {
              if (r.statusCode === 200 && !killed) answered = true;
              return r.statusCode;
            }),
          () => 0,
        );
        if (mode === 'in-flight') {
          killed = new Promise((r) => setTimeout(r, Math.floor(random() * 15))).then(() => server.kill('SIGKILL'));
        }
      };
      await Promise.all(
        Array.from({ length: 400 }, async (_, k) => {
          const i = 100 + k;
          if (!(await write(server, round, i)) || killed) return;
          ackedAll.add(i);
          if (!sent) {
            ackedBeforeSent.add(i);
            if (ackedBeforeSent.size >= importAt) sendImport();
          } else if (answered) {
            ackedAfterAnswer.add(i);
            if (ackedAfterAnswer.size >= killAfter) killed = server.kill('SIGKILL');
          }
        }),
      );
      const status = await importStatus;
      await (killed ?? server.kill('SIGKILL'));
      if (mode === 'after-answer') assert.equal(status, 200);
      assert.equal(integrity(), 'ok');
      const restarted = await spawnServer(dataDir);
      try {
        const present = await Promise.all([...ackedBeforeSent].map(async (i) => (await readUrl(restarted, round, i)).status === 200));
        const applied = present.every((p) => !p);
        assert.ok(
          applied || present.every((p) => p),
          `half an import: ${present.filter((p) => p).length} of ${present.length} earlier writes kept (seed ${SEED})`,
        );
        if (answered) assert.ok(applied, 'an acknowledged import was lost');
        // Imported or not, the exported records are there exactly as exported.
        const now = await request(`${restarted.httpUrl}/_admin/state`, { headers: admin(restarted) });
        const nowHandles = (JSON.parse(await now.body.text()) as { handles: Array<{ handle: string; values: unknown }> }).handles;
        const byName = new Map(nowHandles.map((h) => [h.handle, JSON.stringify(h.values)]));
        for (const [name, values] of exportHandles) assert.equal(byName.get(name), values, `${name} differs from the export`);
        // Nothing else but this round's later writes.
        const extra = nowHandles.filter((h) => !exportHandles.has(h.handle) && !/\/DUR-R6[AB]-\d+$/i.test(h.handle)).map((h) => h.handle);
        assert.deepEqual(extra, []);
        survived[round] = await assertAllPresent(restarted, round, applied ? ackedAfterAnswer : ackedAll);
        if (mode === 'after-answer') assert.ok(ackedAfterAnswer.size >= killAfter);
        assert.ok(await write(restarted, `${round}X`, 0), 'the trainee can write after the restart (identity handles intact)');
      } finally {
        await restarted.kill('SIGTERM');
      }
      assert.equal(integrity(), 'ok');
    }
  });
});
