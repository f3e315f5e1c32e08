// Issue 21, finding 6 (fair share), measured: while one trainee's own process keeps six reverse look-ups
// with retrieverecords=true and two 500 kB writes in flight, another trainee's simple GET keeps a p99
// under 200 ms. A bound on behaviour, which the issue asks for by name; the load and the measurement
// are bounded in count and time (the machine is shared), and the figures are printed with the result.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request } from 'undici';
import { addIdentityWithCli, readyPort } from '../support/mock-process.js';
import { basicHeader, realmBasicHeader } from '../support/http.js';
import { PREFIX, uniqueName, type BasicIdentity } from '../support/mock-server.js';
import { PID_MOCK_BIN, ROOT, assertBuilt } from '../support/paths.js';
import { stopChild } from '../support/processes.js';
import { removeTemporaryFolder, temporaryFolder } from '../support/temporary-folders.js';

/** Records every heavy look-up returns whole: 800 × 8 kB, about 6.5 MB of JSON without a byte cap. */
const RECORDS = 800;
const NOTE_BYTES = 8000;
const MEASURE_MS = 15_000;
const WARM_UP_GETS = 50;
const QUIET_MS = 3_000;
const P99_BOUND_MS = 200;

let dataDir: string;
let server: ChildProcess;
let base: string;
let caPem: string;
let agent: Agent;
let heavy: BasicIdentity;
let light: BasicIdentity;
let searchAuth: string;
const run = uniqueName('FAIR').toLowerCase();
const lightHandle = `${PREFIX}/${run.toUpperCase()}-LIGHT`;
const heavyHandles = [`${PREFIX}/${run.toUpperCase()}-W1`, `${PREFIX}/${run.toUpperCase()}-W2`];

const handleOf = (who: BasicIdentity) => who.identity.slice(who.identity.indexOf(':') + 1);
const ownedBy = (who: BasicIdentity) => ({
  index: 100,
  type: 'HS_ADMIN',
  data: { format: 'admin', value: { handle: handleOf(who), index: 300, permissions: '011111110011' } },
});

async function put(who: BasicIdentity, handle: string, values: unknown[]): Promise<void> {
  const answer = await request(`${base}/api/handles/${handle}`, {
    method: 'PUT',
    headers: { authorization: basicHeader(who.identity, who.password), 'content-type': 'application/json' },
    body: JSON.stringify({ values }),
    dispatcher: agent,
  });
  const text = await answer.body.text();
  assert.ok(answer.statusCode === 201 || answer.statusCode === 200, `${handle}: ${answer.statusCode} ${text}`);
}

before(async () => {
  assertBuilt();
  dataDir = temporaryFolder('pid-mock-fair-');
  server = spawn(process.execPath, [PID_MOCK_BIN, 'serve', '--data', dataDir, '--port', '0', '--quiet'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  server.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const port = await readyPort(server, 30_000, () => stderr);
  base = `https://127.0.0.1:${port}`;
  caPem = readFileSync(join(dataDir, 'credentials', 'ca.pem'), 'utf8');
  agent = new Agent({ connect: { ca: caPem }, connections: 16 });
  const basic = JSON.parse(readFileSync(join(dataDir, 'credentials', 'cred_basic.json'), 'utf8')) as Record<string, string>;
  const instructor = JSON.parse(readFileSync(join(dataDir, 'instructor', 'cred_instructor.json'), 'utf8')) as Record<string, string>;
  searchAuth = realmBasicHeader(basic.reverselookup_username!, basic.reverselookup_password!);
  // Two trainees of one class, each in the prefix's admin group.
  heavy = await addIdentityWithCli(dataDir, `300:${PREFIX}/${run.toUpperCase()}-HEAVY`, { adminOf: PREFIX });
  light = await addIdentityWithCli(dataDir, `300:${PREFIX}/${run.toUpperCase()}-LIGHTUSER`, { adminOf: PREFIX });
  // The records every heavy look-up finds, written by the instructor (held to no quota), 16 at a time.
  const teacher = { identity: instructor.username!, password: instructor.password! };
  const note = 'n'.repeat(NOTE_BYTES);
  for (let i = 0; i < RECORDS; i += 16) {
    await Promise.all(
      Array.from({ length: Math.min(16, RECORDS - i) }, (_, j) =>
        put(teacher, `${PREFIX}/${run.toUpperCase()}-R${i + j}`, [
          { index: 1, type: 'URL', data: `https://example.org/${run}/${i + j}` },
          { index: 2, type: 'NOTE', data: note },
        ]),
      ),
    );
  }
  await put(light, lightHandle, [{ index: 1, type: 'URL', data: 'https://example.org/light' }, ownedBy(light)]);
  for (const handle of heavyHandles) await put(heavy, handle, [{ index: 1, type: 'URL', data: 'https://example.org/w' }, ownedBy(heavy)]);
});

after(async () => {
  await agent?.close();
  if (server) await stopChild(server);
  if (dataDir) removeTemporaryFolder(dataDir);
});

/** One simple GET of the light trainee's handle (anonymous, as a resolve), in milliseconds. */
async function timedGet(): Promise<number> {
  const started = performance.now();
  const answer = await request(`${base}/api/handles/${lightHandle}`, { dispatcher: agent });
  await answer.body.arrayBuffer();
  assert.equal(answer.statusCode, 200);
  return performance.now() - started;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Back-to-back GETs (5 ms apart) for `ms` milliseconds; their durations. */
async function measure(ms: number): Promise<number[]> {
  const samples: number[] = [];
  const until = Date.now() + ms;
  while (Date.now() < until) {
    samples.push(await timedGet());
    await sleep(5);
  }
  return samples;
}

function summary(samples: number[]): { samples: number; p50: number; p99: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { samples: samples.length, p50: Math.round(percentile(sorted, 50)), p99: Math.round(percentile(sorted, 99)), max: Math.round(sorted.at(-1)!) };
}

test(`a trainee's simple GET keeps p99 < ${P99_BOUND_MS} ms while another trainee's process runs heavy look-ups and writes`, async (t) => {
  for (let i = 0; i < WARM_UP_GETS; i++) await timedGet();
  // The same GETs without the load, for comparison: what the machine itself gives now.
  const quiet = await measure(QUIET_MS);

  const load = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'heavy-trainee.ts')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      HEAVY_URL: base,
      HEAVY_CA: caPem,
      HEAVY_AUTH: basicHeader(heavy.identity, heavy.password),
      HEAVY_IDENTITY_HANDLE: handleOf(heavy),
      HEAVY_SEARCH_AUTH: searchAuth,
      HEAVY_PATTERN: `https://example.org/${run}/*`,
      HEAVY_HANDLES: heavyHandles.join(','),
    },
  });
  let out = '';
  let errors = '';
  load.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  load.stderr!.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  try {
    // Measured only once the load is on: its first look-up has come back.
    const loadedBy = Date.now() + 60_000;
    while (!out.includes('loaded\n')) {
      assert.ok(Date.now() < loadedBy && load.exitCode === null, `the heavy trainee did not get going: ${errors}`);
      await sleep(50);
    }
    const samples = await measure(MEASURE_MS);
    await stopChild(load);
    const did = JSON.parse(out.trim().split('\n').at(-1)!) as { lookUps: number; lookUpBytes: number; writes: number; busy: number; other: number };

    const figures = {
      quiet: summary(quiet),
      ...summary(samples),
      heavy: { ...did, lookUpMB: Math.round(did.lookUpBytes / 1e5) / 10 },
    };
    t.diagnostic(`fair share: ${JSON.stringify(figures)}`);
    process.stdout.write(`# fair share figures: ${JSON.stringify(figures)}\n`);

    assert.ok(samples.length >= 200, `only ${samples.length} GETs in ${MEASURE_MS} ms`);
    assert.ok(did.lookUps >= 6 && did.writes >= 2, `the heavy load was not heavy: ${JSON.stringify(did)}`);
    assert.equal(did.other, 0, `the heavy trainee got answers other than 200 or 503: ${JSON.stringify(did)}`);
    assert.ok(figures.p99 < P99_BOUND_MS, `p99 ${figures.p99} ms (p50 ${figures.p50} ms, max ${figures.max} ms)`);
  } finally {
    await stopChild(load);
  }
});
