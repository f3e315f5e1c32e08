// A full disk (issue 21, finding 9): a real `pid-mock serve` whose data folder is on a small tmpfs. Filled
// to the last byte, writes must get a clear 5xx Handle envelope and lose nothing already stored, and the
// server must say so: GET /_admin/health answers `degraded` with the reason, and the live page and the
// class board show a banner in words. Once space is freed, the next write succeeds, health is `serving`
// again and the banners go. Needs root (mount -t tmpfs); skipped with the reason where mounting is refused.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { request } from 'undici';
import { assertAccessible } from '../support/accessibility.js';
import { launchBrowser, type TestBrowser } from '../support/browser.js';
import { assertHandleEnvelope } from '../support/http.js';
import { spawnServer, type ServerProcess } from '../support/mock-process.js';
import { PREFIX } from '../support/mock-server.js';
import { temporaryFolder } from '../support/temporary-folders.js';

/** Room for the data folder (certificates, credentials, a fresh database) and a little more. */
const TMPFS_SIZE = '8m';
/** A value this large cannot fit in the WAL space SQLite already holds, so its COMMIT needs new blocks. */
const BIG_VALUE = 'x'.repeat(200_000);

const mountPoint = temporaryFolder('pid-mock-disk-full-');
const mountRefused = tryMount();

function tryMount(): string | undefined {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${TMPFS_SIZE}`, 'tmpfs', mountPoint], { stdio: 'pipe' });
    return undefined;
  } catch (error) {
    const detail = (error as { stderr?: Buffer }).stderr?.toString().trim() || (error as Error).message;
    return `needs to mount a ${TMPFS_SIZE} tmpfs (root with CAP_SYS_ADMIN); mount said: ${detail}`;
  }
}

let server: ServerProcess;
let browser: TestBrowser;
let live: Page;
let board: Page;
const filler = join(mountPoint, 'filler');

interface Answer {
  status: number;
  text: string;
}

async function put(name: string, data: string): Promise<Answer> {
  const response = await request(`${server.httpsUrl}/api/handles/${PREFIX}/${name}`, {
    method: 'PUT',
    dispatcher: server.agent,
    headers: { authorization: server.traineeAuthorization, 'content-type': 'application/json' },
    body: JSON.stringify({ values: [{ index: 1, type: 'URL', data }] }),
  });
  return { status: response.statusCode, text: await response.body.text() };
}

async function urlOf(name: string): Promise<{ status: number; url?: string }> {
  const response = await request(`${server.httpsUrl}/api/handles/${PREFIX}/${name}`, { dispatcher: server.agent });
  const body = (await response.body.json()) as { values?: Array<{ type: string; data: { value: string } }> };
  return { status: response.statusCode, url: body.values?.find((v) => v.type === 'URL')?.data.value };
}

async function health(): Promise<Record<string, unknown>> {
  const response = await request(`${server.httpUrl}/_admin/health`);
  assert.equal(response.statusCode, 200, 'health answers 200 while degraded: reads still work, and a restart frees no disk');
  return (await response.body.json()) as Record<string, unknown>;
}

/** Writes zeros until the tmpfs refuses another byte (ENOSPC), in shrinking chunks so no block is left. */
function fillDisk(): number {
  const fd = openSync(filler, 'a');
  let written = 0;
  try {
    for (let chunk = 1 << 20; chunk >= 512; chunk >>= 1) {
      const zeros = Buffer.alloc(chunk);
      for (;;) {
        try {
          written += writeSync(fd, zeros);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw error;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return written;
}

/** Acknowledged writes (201) and the URL each stored: all must still be there at the end. */
const stored = new Map<string, string>();

describe('a full disk: writes refused clearly, nothing lost, health and the instructor pages say so', { skip: mountRefused, timeout: 60_000 }, () => {
  before(async () => {
    const dataDir = join(mountPoint, 'data');
    mkdirSync(dataDir);
    server = await spawnServer(dataDir);
    browser = await launchBrowser();
    live = await browser.context.newPage();
  });

  after(async () => {
    await browser?.close();
    await server?.kill('SIGTERM');
    rmSync(filler, { force: true });
    if (!mountRefused) execFileSync('umount', [mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  });

  test('before the disk fills: writes succeed, health says serving, the live page shows no banner', async () => {
    for (let i = 0; i < 5; i++) {
      const url = `https://example.org/before/${i}`;
      const answer = await put(`DISK-before-${i}`, url);
      assert.equal(answer.status, 201, answer.text);
      stored.set(`DISK-before-${i}`, url);
    }
    assert.deepEqual(await health(), { status: 'serving' });
    await live.goto(`${server.httpUrl}/_admin/live`);
    await live.fill('#token', server.adminToken);
    await live.click('button[type=submit]');
    await live.locator('#connection', { hasText: 'live' }).waitFor({ timeout: 10_000 });
    assert.equal(await live.locator('#write-health').isVisible(), false);
  });

  test('with the disk full, a write gets a 500 Handle envelope and is not stored', async (t) => {
    const filled = fillDisk();
    assert.ok(filled > 0, 'the filler took the free space');
    // The first write may still fit in WAL space SQLite holds already; a few big ones cannot.
    let refused: { name: string; answer: Answer } | undefined;
    for (let i = 0; i < 10 && !refused; i++) {
      const name = `DISK-full-${i}`;
      const url = `https://example.org/full/${i}?${BIG_VALUE}`;
      const answer = await put(name, url);
      if (answer.status === 201) stored.set(name, url);
      else refused = { name, answer };
    }
    assert.ok(refused, 'a write failed on the full disk');
    assert.ok(refused.answer.status >= 500 && refused.answer.status < 600, `a 5xx, got ${refused.answer.status}: ${refused.answer.text.slice(0, 200)}`);
    const envelope = assertHandleEnvelope(refused.answer);
    assert.equal(envelope.responseCode, 2, 'Handle responseCode 2 (error)');
    assert.doesNotMatch(refused.answer.text, /\bat .+\.(js|ts):\d+/, 'no stack trace');
    assert.equal((await urlOf(refused.name)).status, 404, 'the refused write left nothing behind');
    t.diagnostic(`${filled} filler bytes; ${refused.name} refused with ${refused.answer.status}: ${refused.answer.text}`);
  });

  test("health says degraded, naming SQLite's disk-full error, when it began and how many writes were refused", async (t) => {
    const answer = await health();
    t.diagnostic(JSON.stringify(answer));
    assert.equal(answer.status, 'degraded');
    assert.match(String(answer.error), /^SQLITE_FULL/);
    assert.match(String(answer.reason), /^writes are failing: SQLITE_FULL\w* \(disk full\) since \d\d:\d\d:\d\d UTC; \d+ writes? refused$/);
    assert.ok(Number(answer.refusedWrites) >= 1);
    assert.ok(Date.now() - Date.parse(String(answer.since)) < 60_000, 'since: this run');
  });

  test('the live page and the class board show the degraded banner in words', async () => {
    const banner = live.locator('#write-health');
    await banner.waitFor({ state: 'visible', timeout: 5_000 });
    assert.match(await banner.innerText(), /Server degraded, changes are not being saved: writes are failing: SQLITE_FULL/);
    await assertAccessible(live, 'the live page with the degraded banner');
    board = await browser.context.newPage();
    await board.goto(`${server.httpUrl}/_admin/board`);
    const boardBanner = board.locator('#write-health');
    await boardBanner.waitFor({ state: 'visible', timeout: 5_000 });
    assert.match(await boardBanner.innerText(), /Server degraded, changes are not being saved: writes are failing: SQLITE_FULL/);
    await assertAccessible(board, 'the class board with the degraded banner');
  });

  test('space freed: the next write succeeds, health is serving again, the banners go, and nothing written before is lost', async () => {
    rmSync(filler);
    const url = 'https://example.org/after';
    const answer = await put('DISK-after', url);
    assert.equal(answer.status, 201, answer.text);
    stored.set('DISK-after', url);
    assert.deepEqual(await health(), { status: 'serving' });
    await live.locator('#write-health').waitFor({ state: 'hidden', timeout: 5_000 });
    await board.locator('#write-health').waitFor({ state: 'hidden', timeout: 6_000 });
    for (const [name, expected] of stored) {
      const found = await urlOf(name);
      assert.equal(found.status, 200, `${name} is still there`);
      assert.equal(found.url, expected, `${name} is intact`);
    }
  });
});
