// Issue 21, finding 6 (quotas and bounded look-ups), over real HTTP/TLS to real `pid-mock serve` processes:
// each per-identity quota refuses with a Handle envelope naming it and changes nothing, a delete frees its
// share, the limits come from flags and PID_MOCK_* variables, and a reverse look-up's answer is cut to
// bounded pages that, followed or paged through with the client, still hold every match.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent } from 'undici';
import { HandleClient, HandlePermissionError, PIDClientCredentials } from '../../src/index.js';
import { addIdentityWithCli, readyPort } from '../support/mock-process.js';
import { assertHandleEnvelope, basicHeader, httpRequest, realmBasicHeader, type HttpResult } from '../support/http.js';
import { PREFIX, uniqueName, type BasicIdentity } from '../support/mock-server.js';
import { PID_MOCK_BIN, ROOT, assertBuilt } from '../support/paths.js';
import { stopChild } from '../support/processes.js';
import { removeTemporaryFolder, temporaryFolder } from '../support/temporary-folders.js';

interface Served {
  dataDir: string;
  url: string;
  agent: Agent;
  trainee: BasicIdentity;
  instructor: BasicIdentity;
  search: string;
  credentialsFile: string;
  stop(): Promise<void>;
}

/** `pid-mock serve` on a fresh folder with these flags and environment. */
async function serve(flags: string[], env: Record<string, string> = {}): Promise<Served> {
  assertBuilt();
  const dataDir = temporaryFolder('pid-mock-quotas-');
  const child: ChildProcess = spawn(process.execPath, [PID_MOCK_BIN, 'serve', '--data', dataDir, '--port', '0', '--quiet', ...flags], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const port = await readyPort(child, 30_000, () => stderr);
  const read = (path: string) => JSON.parse(readFileSync(join(dataDir, path), 'utf8')) as Record<string, string>;
  const basic = read('credentials/cred_basic.json');
  const instructor = read('instructor/cred_instructor.json');
  const agent = new Agent({ connect: { ca: readFileSync(join(dataDir, 'credentials', 'ca.pem'), 'utf8') } });
  return {
    dataDir,
    url: `https://127.0.0.1:${port}`,
    agent,
    trainee: { identity: basic.username!, password: basic.password! },
    instructor: { identity: instructor.username!, password: instructor.password! },
    search: realmBasicHeader(basic.reverselookup_username!, basic.reverselookup_password!),
    credentialsFile: join(dataDir, 'credentials', 'cred_basic.json'),
    stop: async () => {
      await agent.close();
      await stopChild(child);
      removeTemporaryFolder(dataDir);
    },
  };
}

function put(s: Served, who: BasicIdentity, path: string, values: unknown[]): Promise<HttpResult> {
  return httpRequest(`${s.url}/api/handles/${path}`, {
    method: 'PUT',
    headers: { authorization: basicHeader(who.identity, who.password), 'content-type': 'application/json' },
    body: JSON.stringify({ values }),
    dispatcher: s.agent,
  });
}

const remove = (s: Served, who: BasicIdentity, handle: string) =>
  httpRequest(`${s.url}/api/handles/${handle}`, { method: 'DELETE', headers: { authorization: basicHeader(who.identity, who.password) }, dispatcher: s.agent });
const get = (s: Served, handle: string) => httpRequest(`${s.url}/api/handles/${handle}`, { dispatcher: s.agent });
const url = (data: string) => ({ index: 1, type: 'URL', data });
/** The HS_ADMIN that lets its creator replace and delete the record, as the client writes it. */
const ownedBy = (who: BasicIdentity) => {
  const [index, handle] = [who.identity.slice(0, who.identity.indexOf(':')), who.identity.slice(who.identity.indexOf(':') + 1)];
  return { index: 100, type: 'HS_ADMIN', data: { format: 'admin', value: { handle, index: Number(index), permissions: '011111110011' } } };
};

/** The refusal every quota gives: 403, RC_INSUFFICIENT_PERMISSIONS, a message naming the quota, its limit and the use. */
function assertOverQuota(answer: HttpResult, quota: RegExp, ...numbers: number[]): void {
  assert.equal(answer.status, 403, answer.text);
  const envelope = assertHandleEnvelope(answer);
  assert.equal(envelope.responseCode, 401);
  const message = String(envelope.message);
  assert.match(message, /^Quota exceeded: /);
  assert.match(message, quota);
  for (const n of numbers) assert.match(message, new RegExp(`\\b${n}\\b`), `${n} in: ${message}`);
}

test('the client reports a quota refusal as a quota, with what to do, not as a missing HS_ADMIN permission', async () => {
  const s = await serve(['--quota-handles', '1']);
  const client = await HandleClient.withCredentials(PIDClientCredentials.loadFromJSON(s.credentialsFile));
  try {
    await client.registerHandle(`${PREFIX}/${uniqueName('Q')}`, 'https://example.org/first');
    const refused = await client.registerHandle(`${PREFIX}/${uniqueName('Q')}`, 'https://example.org/second').then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(refused instanceof HandlePermissionError, String(refused));
    assert.match(refused.message, /has reached a quota/);
    assert.match(refused.hint ?? '', /ask the instructor to raise the quota/);
    assert.doesNotMatch(refused.hint ?? '', /HS_ADMIN/);
  } finally {
    await client.close();
    await s.stop();
  }
});

describe('per-identity quotas (flags)', () => {
  let s: Served;
  let other: BasicIdentity;
  before(async () => {
    s = await serve(['--quota-handles', '3', '--quota-bytes', '6000', '--quota-values', '5']);
    other = await addIdentityWithCli(s.dataDir, `300:${PREFIX}/${uniqueName('OTHER')}`, { adminOf: PREFIX });
  });
  after(async () => s?.stop());

  test('handles: the fourth create is refused with the quota named, nothing is written, and a delete frees a place', async () => {
    const made = [];
    for (let i = 0; i < 3; i++) {
      const handle = `${PREFIX}/${uniqueName('H')}`;
      const created = await put(s, s.trainee, handle, [url(`https://example.org/${i}`), ownedBy(s.trainee)]);
      assert.equal(created.status, 201, created.text);
      made.push(handle);
    }
    const fourth = `${PREFIX}/${uniqueName('H')}`;
    assertOverQuota(await put(s, s.trainee, fourth, [url('https://example.org/4'), ownedBy(s.trainee)]), /handles per identity/, 3);
    assert.equal((await get(s, fourth)).status, 404, 'the refused handle was created');
    // Another identity has its own share.
    assert.equal((await put(s, other, `${PREFIX}/${uniqueName('O')}`, [url('https://example.org/o')])).status, 201);
    // Replacing an existing record is no new handle.
    assert.equal((await put(s, s.trainee, made[0]!, [url('https://example.org/replaced'), ownedBy(s.trainee)])).status, 200);

    assert.equal((await remove(s, s.trainee, made[0]!)).status, 200);
    assert.equal((await put(s, s.trainee, fourth, [url('https://example.org/4'), ownedBy(s.trainee)])).status, 201, 'the deleted handle still counts');
    for (const handle of [...made.slice(1), fourth]) assert.equal((await remove(s, s.trainee, handle)).status, 200);
  });

  test('values per record: a create or an added value beyond the limit is refused and the record stays as it was', async () => {
    // n values: n - 1 notes and the HS_ADMIN.
    const values = (n: number) => [...Array.from({ length: n - 1 }, (_, i) => ({ index: i + 1, type: 'NOTE', data: `v${i}` })), ownedBy(s.trainee)];
    const big = `${PREFIX}/${uniqueName('V')}`;
    assertOverQuota(await put(s, s.trainee, big, values(6)), /values per record/, 6, 5);
    assert.equal((await get(s, big)).status, 404);

    const record = `${PREFIX}/${uniqueName('V')}`;
    assert.equal((await put(s, s.trainee, record, values(5))).status, 201);
    const before = (await get(s, record)).text;
    const added = await httpRequest(`${s.url}/api/handles/${record}?index=50`, {
      method: 'PUT',
      headers: { authorization: basicHeader(s.trainee.identity, s.trainee.password), 'content-type': 'application/json' },
      body: JSON.stringify({ values: [{ index: 50, type: 'NOTE', data: 'one too many' }] }),
      dispatcher: s.agent,
    });
    assertOverQuota(added, /values per record/, 6, 5);
    assert.equal((await get(s, record)).text, before);
    // The instructor, a server admin, is not held to trainees' quotas.
    const instructors = `${PREFIX}/${uniqueName('V')}`;
    assert.equal((await put(s, s.instructor, instructors, values(8))).status, 201);
    assert.equal((await remove(s, s.trainee, record)).status, 200);
  });

  test('stored bytes: a write that would pass the limit is refused with the use named; a delete frees the bytes', async () => {
    const first = `${PREFIX}/${uniqueName('B')}`;
    const second = `${PREFIX}/${uniqueName('B')}`;
    const note = (data: string) => [{ index: 1, type: 'NOTE', data }, ownedBy(s.trainee)];
    // 4 + 4000 bytes (type and data) and the HS_ADMIN, of the 6000 allowed.
    assert.equal((await put(s, s.trainee, first, note('x'.repeat(4000)))).status, 201);
    const refused = await put(s, s.trainee, second, note('y'.repeat(2500)));
    assertOverQuota(refused, /stored bytes per identity/, 6000);
    // The use now and the use the write would make, both named: 4004 and the HS_ADMIN, then 2504 and another HS_ADMIN more.
    const [used, would] = [...String(assertHandleEnvelope(refused).message).matchAll(/(\d+) bytes|make it (\d+)/g)].map((m) => Number(m[1] ?? m[2]));
    assert.ok(used! > 4004 && used! < 4200 && would! - used! > 2504 && would! - used! < 2700, `use ${used}, would be ${would}`);
    assert.equal((await get(s, second)).status, 404);
    // Growing the first record past the limit is refused too; shrinking it is always allowed.
    assertOverQuota(await put(s, s.trainee, first, note('x'.repeat(6500))), /stored bytes per identity/, 6000);
    assert.equal((await put(s, s.trainee, first, note('x'.repeat(1000)))).status, 200);
    assert.equal((await put(s, s.trainee, second, note('y'.repeat(2500)))).status, 201, 'the bytes given back by shrinking still count');
    assert.equal((await remove(s, s.trainee, first)).status, 200);
    assert.equal((await remove(s, s.trainee, second)).status, 200);
  });
});

describe('quota and look-up settings', () => {
  test('PID_MOCK_QUOTA_* set the quotas as the flags do', async () => {
    const s = await serve([], { PID_MOCK_QUOTA_HANDLES: '1', PID_MOCK_QUOTA_VALUES: '2', PID_MOCK_QUOTA_BYTES: '100000' });
    try {
      assert.equal((await put(s, s.trainee, `${PREFIX}/${uniqueName('E')}`, [url('https://example.org/e'), ownedBy(s.trainee)])).status, 201);
      assertOverQuota(await put(s, s.trainee, `${PREFIX}/${uniqueName('E')}`, [url('https://example.org/f')]), /handles per identity/, 1);
      const three = [1, 2, 3].map((index) => ({ index, type: 'NOTE', data: 'n' }));
      assertOverQuota(await put(s, s.trainee, `${PREFIX}/${uniqueName('E')}`, three), /values per record/, 3, 2);
    } finally {
      await s.stop();
    }
  });

  for (const [flag, value] of [
    ['--quota-handles', '0'],
    ['--quota-bytes', 'lots'],
    ['--lookup-page-size', '-5'],
  ] as const) {
    test(`pid-mock serve ${flag} ${value} stops with exit code 2 and says what it expects`, async () => {
      const child = spawn(process.execPath, [PID_MOCK_BIN, 'serve', '--memory', '--port', '0', flag, value], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      assert.equal(code, 2, stderr);
      assert.match(stderr, new RegExp(`${flag} must be a whole number of at least 1, not "${value}"`));
    });
  }
});

describe('bounded reverse look-up', () => {
  let s: Served;
  const run = uniqueName('LOOKUP').toLowerCase();
  const pattern = `https://example.org/${run}/*`;
  const names: string[] = [];
  before(async () => {
    s = await serve([], { PID_MOCK_LOOKUP_PAGE_SIZE: '25', PID_MOCK_LOOKUP_MAX_BYTES: '20000' });
    for (let i = 0; i < 60; i++) {
      const handle = `${PREFIX}/${run.toUpperCase()}-${String(i).padStart(2, '0')}`;
      const created = await put(s, s.instructor, handle, [url(`https://example.org/${run}/${i}`), { index: 2, type: 'NOTE', data: 'n'.repeat(2000) }]);
      assert.equal(created.status, 201, created.text);
      names.push(handle);
    }
  });
  after(async () => s?.stop());

  const lookUp = (query: string) => httpRequest(`${s.url}/hrls/handles?${query}`, { headers: { authorization: s.search }, dispatcher: s.agent });

  /** Follows `Link: <?…>; rel="next"` from a first query; returns every answer. */
  async function follow(query: string): Promise<HttpResult[]> {
    const answers: HttpResult[] = [];
    let next: string | undefined = query;
    while (next !== undefined) {
      const answer = await lookUp(next);
      assert.equal(answer.status, 200, answer.text);
      answers.push(answer);
      assert.ok(answers.length < 100, 'the pages never end');
      next = /^<\?([^>]*)>; rel="next"$/.exec(String(answer.headers.link ?? ''))?.[1];
    }
    return answers;
  }

  test('a larger limit is cut to the page size, with the cut said and the next page linked; the pages hold every match once', async () => {
    const answers = await follow(`URL=${encodeURIComponent(pattern).replace(/%2A/g, '*')}&limit=1000`);
    const first = answers[0]!;
    assert.equal((JSON.parse(first.text) as string[]).length, 25);
    assert.match(String(first.headers['x-reverse-lookup-cut']), /^25 of the 1000 handles asked for: an answer may list at most 25 handles/);
    const found = answers.flatMap((a) => JSON.parse(a.text) as string[]);
    assert.deepEqual([...found].sort(), [...names].sort());
    assert.equal(answers.at(-1)!.headers.link, undefined, 'the last page links nowhere');
  });

  test('records are cut to the byte cap (never a larger answer), and the linked pages return every record whole', async () => {
    const answers = await follow(`URL=${encodeURIComponent(pattern).replace(/%2A/g, '*')}&retrieverecords=true&limit=25`);
    assert.ok(answers.length >= 7, `${answers.length} answers for 60 records of 2 kB under a 20 kB cap`);
    for (const answer of answers) assert.ok(Buffer.byteLength(answer.text) <= 20_000, `an answer of ${Buffer.byteLength(answer.text)} bytes`);
    assert.match(String(answers[0]!.headers['x-reverse-lookup-cut']), /an answer may be at most 20000 bytes/);
    const records = Object.assign({}, ...answers.map((a) => JSON.parse(a.text) as Record<string, Array<{ type: string; value: string }>>));
    assert.deepEqual(Object.keys(records).sort(), [...names].sort());
    for (const values of Object.values(records) as Array<Array<{ type: string; value: string }>>) {
      assert.deepEqual(
        values.map((v) => v.type),
        ['URL', 'NOTE'],
      );
    }
  });

  test("the client's search without paging gets one bounded page; its pages (chapter 6's loop, pages of 10) still get every match", async () => {
    const client = await HandleClient.withCredentials(PIDClientCredentials.loadFromJSON(s.credentialsFile));
    try {
      assert.deepEqual(await client.searchHandle({ URL: pattern }), [...names].sort().slice(0, 25));
      const collected: string[] = [];
      for (let page = 0; ; page++) {
        const batch = await client.searchHandle({ URL: pattern }, { limit: 10, page });
        collected.push(...batch);
        if (batch.length < 10) break;
      }
      assert.deepEqual([...collected].sort(), [...names].sort());
    } finally {
      await client.close();
    }
  });
});
