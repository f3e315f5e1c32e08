// `pid-mock serve --plain` is a plain Handle.Net server: the mock-only parts are gone, and their paths are
// answered as the real 9.2.0 server answers paths it has nothing at (the transcripts in
// ../shared/fixtures/real-handle-server/). The default mode keeps every part. Real processes, real HTTP(S).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Agent } from 'undici';
import { httpRequest, realmBasicHeader } from '../support/http.js';
import { type MockProcess, readyPort, runCliOutcome, startMockProcess } from '../support/mock-process.js';
import { PID_MOCK_BIN, ROOT } from '../support/paths.js';
import { stopChild } from '../support/processes.js';

const FIXTURES = path.resolve(__dirname, '../../../shared/fixtures/real-handle-server');
const WARM_UP = '11304/cf8956a2-39d3-11e5-8a18-f31aa6f4d448';

interface Transcript {
  request: { path: string };
  response: { status: number; headers: { 'content-type': string }; body: unknown };
}

function transcript(name: string): Transcript {
  return JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8')) as Transcript;
}

let plain: MockProcess;
let full: MockProcess;
let plainAgent: Agent;
let fullAgent: Agent;

before(async () => {
  [plain, full] = await Promise.all([startMockProcess({ plain: true }), startMockProcess()]);
  plainAgent = new Agent({ connect: { ca: readFileSync(plain.caFile) } });
  fullAgent = new Agent({ connect: { ca: readFileSync(full.caFile) } });
});
after(async () => {
  await Promise.all([plainAgent?.close(), fullAgent?.close()]);
  await Promise.all([plain?.stop(), full?.stop()]);
});

describe('pid-mock serve --plain', () => {
  test('an unknown /api/ path answers 404 with responseCode 4, as the real server does (transcripts 91 and 92)', async () => {
    for (const name of ['91-api-unknown.json', '92-api-root.json']) {
      const real = transcript(name);
      const answer = await httpRequest(`${plain.httpUrl}${real.request.path}`, {});
      assert.equal(answer.status, real.response.status);
      assert.equal(answer.headers['content-type'], real.response.headers['content-type']);
      assert.deepEqual(answer.json(), real.response.body);
    }
  });

  test("the warm-up PIDs' prefixes are not homed: the REST API says so as the real server does (transcript 21)", async () => {
    const real = transcript('21-get-unhomed-prefix.json');
    const answer = await httpRequest(`${plain.httpsUrl}/api/handles/${WARM_UP}`, { dispatcher: plainAgent });
    assert.equal(answer.status, real.response.status);
    assert.deepEqual(answer.json(), { ...(real.response.body as object), handle: WARM_UP });
  });

  test('the repository, reverse look-up, ARK, admin, history and board paths get the resolver\'s "not found" page, as on a real server', async () => {
    const real = transcript('100-proxy-missing.json');
    for (const [path, prefix] of [
      ['/files/surveys.csv', 'files'],
      ['/files/', 'files'],
      ['/hrls/handles?URL=irods:*', 'hrls'],
      ['/_admin/health', '_admin'],
      ['/_admin/board', '_admin'],
      ['/_admin/live', '_admin'],
      ['/_history/21.T12995/X', '_history'],
      ['/ark:/13030/tf5p30086k', 'ark:'],
    ] as const) {
      const answer = await httpRequest(`${plain.httpUrl}${path}`, {});
      assert.equal(answer.status, real.response.status, path);
      assert.equal(answer.headers['content-type'], real.response.headers['content-type'], path);
      assert.match(answer.text, new RegExp(`<title>Prefix \\[${prefix.replace('.', '\\.')}\\] Not Found</title>`), path);
    }
  });

  test('the search account of the credentials finds no reverse look-up over HTTPS either', async () => {
    const credentials = JSON.parse(readFileSync(plain.credentialsFile, 'utf8')) as Record<string, string>;
    const answer = await httpRequest(`${plain.httpsUrl}/hrls/handles?URL=*`, {
      headers: { authorization: realmBasicHeader(credentials.reverselookup_username!, credentials.reverselookup_password!) },
      dispatcher: plainAgent,
    });
    assert.equal(answer.status, 404);
    assert.equal(answer.headers['www-authenticate'], undefined);
  });

  test('no admin token opens anything, and progress reports find no endpoint', async () => {
    const faults = await httpRequest(`${plain.httpsUrl}/_admin/faults`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${plain.adminToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ failRate: 1, for: '5s' }),
      dispatcher: plainAgent,
    });
    assert.equal(faults.status, 404);
    const progress = await httpRequest(`${plain.httpsUrl}/_lesson/progress`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
      dispatcher: plainAgent,
    });
    assert.equal(progress.status, 404);
  });

  test("the trainee's identity and prefix work as on any server: a certificate write, a read, the resolver's redirect", async () => {
    const credentials = JSON.parse(readFileSync(plain.credentialsFile, 'utf8')) as Record<string, string>;
    const agent = new Agent({
      connect: { ca: readFileSync(plain.caFile), cert: readFileSync(credentials.certificate_only!), key: readFileSync(credentials.private_key!) },
    });
    try {
      const handle = `${credentials.prefix}/plain-mode-test`;
      const put = await httpRequest(`${plain.httpsUrl}/api/handles/${handle}`, {
        method: 'PUT',
        headers: { authorization: 'Handle clientCert="true"', 'content-type': 'application/json' },
        body: JSON.stringify({
          values: [
            { index: 1, type: 'URL', data: { format: 'string', value: 'https://example.org/data.csv' } },
            {
              index: 100,
              type: 'HS_ADMIN',
              data: { format: 'admin', value: { handle: `0.NA/${credentials.prefix}`, index: 200, permissions: '011111110011' } },
            },
          ],
        }),
        dispatcher: agent,
      });
      assert.equal(put.status, 201, put.text);
      const resolved = await httpRequest(`${plain.httpUrl}/${handle}`, {});
      assert.equal(resolved.status, 302);
      assert.equal(resolved.headers.location, 'https://example.org/data.csv');
    } finally {
      await agent.close();
    }
  });

  test("`pid-mock state reset` on a plain server's folder keeps it plain: no warm-up prefixes or seeds come back", async () => {
    const reset = await runCliOutcome(['state', 'reset', '--data', plain.dataDir]);
    assert.equal(reset.code, 0, reset.stderr);
    const real = transcript('21-get-unhomed-prefix.json');
    const answer = await httpRequest(`${plain.httpsUrl}/api/handles/${WARM_UP}`, { dispatcher: plainAgent });
    assert.equal(answer.status, real.response.status);
    assert.deepEqual(answer.json(), { ...(real.response.body as object), handle: WARM_UP });
    const lessonDoi = await httpRequest(`${plain.httpsUrl}/api/handles/10.5072/surveys-2017`, { dispatcher: plainAgent });
    assert.equal(lessonDoi.status, real.response.status, 'nor the lesson DOI');
  });

  test('PID_MOCK_PLAIN=1 is --plain, and the start-up lines name no repository, reverse look-up or instructor folder', async () => {
    const child = spawn(process.execPath, [PID_MOCK_BIN, 'serve', '--memory', '--port', '0', '--quiet'], {
      cwd: ROOT,
      env: { ...process.env, PID_MOCK_PLAIN: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    try {
      const port = await readyPort(child, 30_000);
      assert.match(stdout, /as a plain Handle server/);
      assert.doesNotMatch(stdout, /reverse look-up|repository|instructor/);
      const answer = await httpRequest(`http://127.0.0.1:${port}/files/surveys.csv`, {});
      assert.equal(answer.status, 404);
    } finally {
      await stopChild(child);
    }
  });
});

describe('pid-mock serve without --plain keeps every mock-only part', () => {
  test('the stand-in repository, the reverse look-up, the admin API, the ARK resolver and the warm-up PIDs are there', async () => {
    const file = await httpRequest(`${full.httpUrl}/files/surveys.csv`, {});
    assert.equal(file.status, 200);
    assert.match(String(file.headers['content-type']), /^text\/csv/);
    const search = await httpRequest(`${full.httpsUrl}/hrls/handles?URL=*`, { dispatcher: fullAgent });
    assert.equal(search.status, 401);
    const health = await httpRequest(`${full.httpUrl}/_admin/health`, {});
    assert.equal(health.status, 200);
    const faults = await httpRequest(`${full.httpsUrl}/_admin/faults`, { headers: { authorization: `Bearer ${full.adminToken}` }, dispatcher: fullAgent });
    assert.equal(faults.status, 200);
    const ark = await httpRequest(`${full.httpUrl}/ark:/13030/tf5p30086k`, {});
    assert.equal(ark.status, 302);
    const warmUp = await httpRequest(`${full.httpsUrl}/api/handles/${WARM_UP}`, { dispatcher: fullAgent });
    assert.equal(warmUp.status, 200);
  });

  test('an unknown /api/ path still answers as the real server does (transcript 91)', async () => {
    const real = transcript('91-api-unknown.json');
    const answer = await httpRequest(`${full.httpUrl}${real.request.path}`, {});
    assert.equal(answer.status, real.response.status);
    assert.deepEqual(answer.json(), real.response.body);
  });
});
