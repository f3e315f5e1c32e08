// The class model on one real `pid-mock serve` process with 22 trainees provisioned by `pid-mock
// class provision`: trainees report verdicts to POST /_lesson/progress with their own credentials
// (Basic and certificate), some right, some wrong three times, one meeting chapter 3's planned 409,
// one an unplanned 409, most never connecting; GET /_admin/class/progress and `pid-mock class progress`
// must show each one's state, verdicts and errors. Also every refusal of the endpoint, isolation, the
// live feed's planned errors and moves, and the state file round trip.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent } from 'undici';
import { basicHeader, httpRequest, type HttpResult } from '../support/http.js';
import { runCli, spawnServer, type ServerProcess } from '../support/mock-process.js';
import { temporaryFolder } from '../support/temporary-folders.js';

const PREFIX = '21.T12995';
const TRAINEES = 22;
/** Long enough for the tests before the idle one to see nobody idle on a busy machine; that one waits only what is left. */
const IDLE_SECONDS = 15;
const EXERCISES = ['1.1', '2.1', '3.1'];

interface Trainee {
  name: string;
  auth: string;
  certAgent: Agent;
  credentials: Record<string, string>;
}

let dataDir: string;
let server: ServerProcess;
let instructorAuth: string;
/** When the class's last request before the idle test was answered. */
let classActiveUntil = 0;
const trainees = new Map<string, Trainee>();
const agents: Agent[] = [];

const nameOf = (n: number) => `TRAINEE${String(n).padStart(2, '0')}`;
const trainee = (n: number) => trainees.get(nameOf(n))!;

function send(
  method: string,
  path: string,
  options: { auth?: string; body?: unknown; raw?: string; headers?: Record<string, string>; agent?: Agent; plain?: boolean } = {},
): Promise<HttpResult> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.auth) headers.authorization = options.auth;
  const body = options.raw ?? (options.body !== undefined ? JSON.stringify(options.body) : undefined);
  if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  return httpRequest(`${options.plain ? server.httpUrl : server.httpsUrl}${path}`, {
    method,
    headers,
    body,
    dispatcher: options.agent ?? server.agent,
  });
}

function report(exercise: string, verdict: string, attempt = 1, kind = EXERCISE_KIND(exercise)) {
  return { exercise, kind, verdict, attempt, at: new Date().toISOString() };
}

function EXERCISE_KIND(id: string): string {
  return /^q/i.test(id) ? 'question' : 'exercise';
}

async function reportAs(t: Trainee, body: unknown, agent?: Agent): Promise<HttpResult> {
  return send('POST', '/_lesson/progress', agent ? { body, agent } : { auth: t.auth, body });
}

async function reported(t: Trainee, body: unknown): Promise<void> {
  const result = await reportAs(t, body);
  assert.equal(result.status, 204, `${t.name} reports ${JSON.stringify(body)}: ${result.text}`);
}

function adminHeader(): string {
  return `Bearer ${server.adminToken}`;
}

interface Row {
  name: string;
  handle: string;
  connected: boolean;
  lastSeen: string | null;
  state: string;
  stuckBecause?: string;
  exercises: Record<string, string>;
  attempts: Record<string, number>;
  unexpectedErrors: number;
  plannedErrors: number;
  recentErrors: Array<{ status: number; responseCode?: number; planned?: string; hint?: string }>;
  recentRequests: Array<{ method: string; path: string; status: number }>;
}

interface View {
  at: string;
  trainees: Row[];
  exercises: string[];
  rules: { wrongAttempts: number; idleMs: number };
}

async function progress(): Promise<View> {
  const result = await send('GET', '/_admin/class/progress', { auth: adminHeader() });
  assert.equal(result.status, 200, result.text);
  return result.json() as View;
}

function rowOf(view: View, n: number): Row {
  const row = view.trainees.find((t) => t.name === nameOf(n));
  assert.ok(row, `${nameOf(n)} is not in the class progress: ${view.trainees.map((t) => t.name).join(', ')}`);
  return row;
}

/** A handle record the trainee administers (their identity at index 300), as the lesson client writes it. */
function record(owner: string, url: string) {
  return {
    values: [
      { index: 1, type: 'URL', data: { format: 'string', value: url } },
      { index: 100, type: 'HS_ADMIN', data: { format: 'admin', value: { handle: `${PREFIX}/${owner}`, index: 300, permissions: '011111110011' } } },
    ],
  };
}

before(async () => {
  dataDir = temporaryFolder('pid-class-progress-');
  server = await spawnServer(dataDir, { PID_MOCK_STUCK_IDLE: `${IDLE_SECONDS}s`, PID_MOCK_EXERCISES: EXERCISES.join(',') });
  const provisioned = await runCli(['class', 'provision', '--trainees', String(TRAINEES), '--data', dataDir]);
  assert.match(provisioned.stdout, new RegExp(`^${TRAINEES} new`), provisioned.stdout);
  const bundles = join(dataDir, 'instructor', 'class', 'bundles');
  for (let n = 1; n <= TRAINEES; n++) {
    const name = nameOf(n);
    const folder = join(bundles, `pid-handson-${name}`);
    const basic = JSON.parse(readFileSync(join(folder, 'cred_basic.json'), 'utf8')) as Record<string, string>;
    const certAgent = new Agent({
      connect: {
        ca: server.caPem,
        cert: readFileSync(join(folder, `${name}_certificate_only.pem`), 'utf8'),
        key: readFileSync(join(folder, `${name}_privkey.pem`), 'utf8'),
      },
    });
    agents.push(certAgent);
    trainees.set(name, { name, auth: basicHeader(basic.username!, basic.password!), certAgent, credentials: basic });
  }
  const instructor = JSON.parse(readFileSync(join(dataDir, 'instructor', 'cred_instructor.json'), 'utf8')) as Record<string, string>;
  instructorAuth = basicHeader(instructor.username!, instructor.password!);
});

after(async () => {
  await Promise.all(agents.map((a) => a.close()));
  await server?.kill('SIGTERM');
});

describe('credentials name the progress endpoint', () => {
  test("every trainee's bundle and the data folder's files carry pid_handson_progress_url; the instructor's does not", () => {
    const expected = `${server.httpsUrl}/_lesson/progress`;
    for (const t of trainees.values()) assert.equal(t.credentials.pid_handson_progress_url, expected, t.name);
    const bundle = JSON.parse(readFileSync(join(dataDir, 'instructor', 'class', 'bundles', 'pid-handson-TRAINEE01', 'cred_file.json'), 'utf8'));
    assert.equal(bundle.pid_handson_progress_url, expected);
    for (const file of ['cred_file.json', 'cred_basic.json']) {
      assert.equal(JSON.parse(readFileSync(join(dataDir, 'credentials', file), 'utf8')).pid_handson_progress_url, expected, file);
    }
    assert.equal(JSON.parse(readFileSync(join(dataDir, 'instructor', 'cred_instructor.json'), 'utf8')).pid_handson_progress_url, undefined);
  });
});

describe('POST /_lesson/progress refuses what it must', () => {
  const good = () => report('1.1', 'correct');

  test('no credentials, wrong ones, and credentials over plain HTTP: 401 with a Basic challenge', async () => {
    const none = await send('POST', '/_lesson/progress', { body: good() });
    assert.equal(none.status, 401, none.text);
    assert.match(String(none.headers['www-authenticate']), /^Basic /);
    assert.match((none.json() as { message: string }).message, /needs the trainee's credentials/);
    const wrong = await send('POST', '/_lesson/progress', { auth: basicHeader(`300:${PREFIX}/TRAINEE20`, 'not-the-password'), body: good() });
    assert.equal(wrong.status, 401, wrong.text);
    const plain = await send('POST', '/_lesson/progress', { auth: trainee(20).auth, body: good(), plain: true, agent: undefined });
    assert.equal(plain.status, 401, plain.text);
    assert.match((plain.json() as { message: string }).message, /over HTTPS/);
  });

  test('teaching faults never touch progress reports, while they fail the Handle API', async () => {
    const on = await send('PUT', '/_admin/faults', { auth: adminHeader(), body: { failRate: 1, for: '1m' } });
    assert.equal(on.status, 200, on.text);
    try {
      const api = await send('GET', '/api/sessions/this', { auth: trainee(21).auth });
      assert.equal(api.status, 503, 'the faults are on');
      const reportRefused = await reportAs(trainee(21), { ...good(), verdict: 'maybe' });
      assert.equal(reportRefused.status, 400, reportRefused.text);
    } finally {
      const off = await send('DELETE', '/_admin/faults', { auth: adminHeader() });
      assert.equal(off.status, 200, off.text);
    }
  });

  test("the instructor's identity is no trainee: 403", async () => {
    const result = await send('POST', '/_lesson/progress', { auth: instructorAuth, body: good() });
    assert.equal(result.status, 403, result.text);
    assert.match((result.json() as { message: string }).message, /is not a trainee of this class/);
  });

  test('each bad field is named with what is expected, and nothing is stored', async () => {
    const t = trainee(20);
    const cases: Array<[unknown, RegExp]> = [
      [[good()], /the body must be a JSON object/],
      ['3.1', /the body must be a JSON object/],
      [{ ...good(), exercise: undefined }, /"exercise" is missing: it must be a string such as "3.1"/],
      [{ ...good(), exercise: 31 }, /"exercise" must be a string such as "3.1"/],
      [{ ...good(), exercise: '3.1x' }, /"exercise" "3.1x" is not an exercise id/],
      [{ ...good(), exercise: '100.1' }, /"exercise" "100.1" is not an exercise id/],
      [{ ...good(), exercise: 'Q3' }, /"exercise" "Q3" is not an exercise id/],
      [{ ...good(), kind: 'question' }, /"exercise" "1.1" is not a question id/],
      [{ ...good(), kind: 'homework' }, /"kind" must be "exercise" or "question"/],
      [{ ...good(), verdict: 'maybe' }, /"verdict" must be "correct", "wrong", "error" or "unattempted"/],
      [{ ...good(), verdict: undefined }, /"verdict" is missing/],
      [{ ...good(), attempt: 0 }, /"attempt" must be at least 1/],
      [{ ...good(), attempt: 1.5 }, /"attempt" must be a whole number from 1/],
      [{ ...good(), attempt: '1' }, /"attempt" must be a whole number from 1/],
      [{ ...good(), at: 'yesterday' }, /"at" must be an ISO 8601 time/],
      [{ ...good(), at: '2026-12-07T20:15:00' }, /"at" must be an ISO 8601 time/],
      [{ ...good(), answer: 'the secret answer' }, /unknown field\(s\) "answer": only exercise, kind, verdict, attempt and at are accepted/],
      [{ ...good(), trainee: 'TRAINEE21' }, /unknown field\(s\) "trainee"/],
    ];
    for (const [body, message] of cases) {
      const result = await reportAs(t, body);
      assert.equal(result.status, 400, `${JSON.stringify(body)}: ${result.text}`);
      assert.equal((result.json() as { responseCode: number }).responseCode, 202);
      assert.match((result.json() as { message: string }).message, message, JSON.stringify(body));
    }
    const unreadable = await send('POST', '/_lesson/progress', { auth: t.auth, raw: '{"exercise": ' });
    assert.equal(unreadable.status, 400, unreadable.text);
    assert.match((unreadable.json() as { message: string }).message, /^unreadable report/);
    const large = await send('POST', '/_lesson/progress', { auth: t.auth, raw: JSON.stringify({ ...good(), padding: 'x'.repeat(1100) }) });
    assert.equal(large.status, 413, large.text);
    assert.match((large.json() as { message: string }).message, /at most 1024 bytes/);
    const view = await progress();
    assert.ok(
      Object.values(rowOf(view, 20).attempts).every((n) => n === 0),
      `refused reports were stored: ${JSON.stringify(rowOf(view, 20))}`,
    );
  });
});

describe('a class of 22', () => {
  before(async () => {
    // TRAINEE01 solves everything, by password and by certificate.
    await reported(trainee(1), report('1.1', 'correct'));
    await reported(trainee(1), report('Q1', 'correct'));
    await reported(trainee(1), report('2.1', 'wrong'));
    await reported(trainee(1), report('2.1', 'correct', 2));
    const byCertificate = await reportAs(trainee(1), report('3.1', 'correct'), trainee(1).certAgent);
    assert.equal(byCertificate.status, 204, byCertificate.text);
    // TRAINEE02: 3.1 wrong three times (one of them an error of the check itself).
    await reported(trainee(2), report('1.1', 'correct'));
    await reported(trainee(2), report('3.1', 'wrong', 1));
    await reported(trainee(2), report('3.1', 'error', 2));
    await reported(trainee(2), report('3.1', 'wrong', 3));
    // TRAINEE03: wrong three times, then right; and moves a URL by changing the value (chapter 4).
    for (const attempt of [1, 2, 3]) await reported(trainee(3), report('3.1', 'wrong', attempt));
    await reported(trainee(3), report('3.1', 'correct', 4));
    const created3 = await send('PUT', `/api/handles/${PREFIX}/t03-moved?overwrite=false`, {
      auth: trainee(3).auth,
      body: record('TRAINEE03', 'http://example.org/a'),
    });
    assert.equal(created3.status, 201, created3.text);
    const moved = await send('PUT', `/api/handles/${PREFIX}/t03-moved?index=1&overwrite=true`, {
      auth: trainee(3).auth,
      body: { values: [{ index: 1, type: 'URL', data: { format: 'string', value: 'http://example.org/b' } }] },
    });
    assert.equal(moved.status, 200, moved.text);
    // TRAINEE04 follows chapter 3: registers, meets the planned 409, replaces with overwrite: true.
    const created4 = await send('PUT', `/api/handles/${PREFIX}/t04-pid?overwrite=false`, {
      auth: trainee(4).auth,
      body: record('TRAINEE04', 'http://example.org/a'),
    });
    assert.equal(created4.status, 201, created4.text);
    const planned = await send('PUT', `/api/handles/${PREFIX}/t04-pid?overwrite=false`, {
      auth: trainee(4).auth,
      body: record('TRAINEE04', 'http://example.org/a'),
      headers: { 'pid-handson-planned': 'chapter3-409' },
    });
    assert.equal(planned.status, 409, planned.text);
    const overwritten = await send('PUT', `/api/handles/${PREFIX}/t04-pid?overwrite=true`, {
      auth: trainee(4).auth,
      body: record('TRAINEE04', 'http://example.org/c'),
    });
    assert.equal(overwritten.status, 200, overwritten.text);
    await reported(trainee(4), report('1.1', 'correct'));
    // TRAINEE05 meets the same 409 without the lesson's marker: unexpected, and nothing succeeds afterwards.
    const created5 = await send('PUT', `/api/handles/${PREFIX}/t05-pid?overwrite=false`, {
      auth: trainee(5).auth,
      body: record('TRAINEE05', 'http://example.org/a'),
    });
    assert.equal(created5.status, 201, created5.text);
    const unplanned = await send('PUT', `/api/handles/${PREFIX}/t05-pid?overwrite=false`, {
      auth: trainee(5).auth,
      body: record('TRAINEE05', 'http://example.org/a'),
    });
    assert.equal(unplanned.status, 409, unplanned.text);
    // TRAINEE06: an unexpected 403 (another trainee's handle), then a request that succeeds.
    const refused = await send('DELETE', `/api/handles/${PREFIX}/t03-moved`, { auth: trainee(6).auth });
    assert.equal(refused.status, 403, refused.text);
    const read = await send('GET', `/api/handles/${PREFIX}/t03-moved`, { auth: trainee(6).auth });
    assert.equal(read.status, 200, read.text);
    // TRAINEE07 only reads, with their certificate: connected, working.
    const certRead = await send('GET', '/api/sessions/this', { agent: trainee(7).certAgent });
    assert.equal((certRead.json() as { id?: string }).id, `301:${PREFIX}/TRAINEE07`);
    // TRAINEE08 answers a question; TRAINEE10 reports one exercise (TRAINEE11, whom it named above, nothing).
    await reported(trainee(8), report('q2', 'wrong'));
    await reported(trainee(10), report('2.1', 'unattempted'));
    classActiveUntil = Date.now();
  });

  test('the roster holds every provisioned trainee with the right state, verdicts and errors', async () => {
    const view = await progress();
    assert.deepEqual(
      view.trainees.map((t) => t.name),
      Array.from({ length: TRAINEES }, (_, i) => nameOf(i + 1)),
      'every provisioned trainee, in name order; the unused self-study USER01 is no class member',
    );
    assert.deepEqual(view.exercises, ['1.1', '2.1', '3.1', 'Q1', 'Q2']);
    assert.deepEqual(view.rules, { wrongAttempts: 3, idleMs: IDLE_SECONDS * 1000 });
    const states = Object.fromEntries(view.trainees.map((t) => [t.name, t.state]));
    assert.deepEqual(
      states,
      Object.fromEntries(
        view.trainees.map((t) => {
          const n = Number(t.name.slice(-2));
          const expected = n === 1 ? 'done' : n === 2 || n === 5 ? 'stuck' : [3, 4, 6, 7, 8, 10].includes(n) ? 'working' : 'not-started';
          return [t.name, expected];
        }),
      ),
    );
    const t1 = rowOf(view, 1);
    assert.deepEqual(t1.exercises, { '1.1': 'correct', '2.1': 'correct', '3.1': 'correct', Q1: 'correct', Q2: 'unattempted' });
    assert.deepEqual(t1.attempts, { '1.1': 1, '2.1': 2, '3.1': 1, Q1: 1, Q2: 0 });
    assert.equal(t1.connected, true);
    const t2 = rowOf(view, 2);
    assert.equal(t2.exercises['3.1'], 'wrong');
    assert.match(t2.stuckBecause ?? '', /^3\.1 wrong 3 times/);
    assert.equal(rowOf(view, 3).exercises['3.1'], 'correct');
    const t4 = rowOf(view, 4);
    assert.deepEqual([t4.unexpectedErrors, t4.plannedErrors], [0, 1], "chapter 3's planned 409 is no unexpected error");
    // The detail view's facts: the hint the lesson's client showed for that 409, and the latest requests.
    assert.equal(
      t4.recentErrors[0]?.hint,
      'generate a new suffix (generatePidName) or pass overwrite: true to replace the record',
      "the client's own hint for a 409 (src/transport/reply.ts)",
    );
    assert.deepEqual(
      t4.recentRequests.map((r) => `${r.method} ${r.status}`),
      ['PUT 200', 'PUT 409', 'PUT 201'],
      'the overwrite, the planned 409, the registration: newest first (progress reports are not listed)',
    );
    const t5 = rowOf(view, 5);
    assert.deepEqual([t5.unexpectedErrors, t5.plannedErrors], [1, 0]);
    assert.match(t5.stuckBecause ?? '', /unexpected error/);
    assert.deepEqual([rowOf(view, 6).unexpectedErrors, rowOf(view, 6).state], [1, 'working'], 'an error followed by a success');
    assert.equal(rowOf(view, 8).exercises.Q2, 'wrong');
    assert.equal(rowOf(view, 10).exercises['2.1'], 'unattempted');
    assert.equal(rowOf(view, 10).connected, true);
    const silent = rowOf(view, 11);
    assert.deepEqual([silent.connected, silent.lastSeen, silent.state], [false, null, 'not-started'], 'TRAINEE10 could not report for TRAINEE11');
    assert.ok(Object.values(silent.exercises).every((v) => v === 'unattempted'));
  });

  test("a trainee's credentials, a wrong token and no token are refused at GET /_admin/class/progress", async () => {
    const asTrainee = await send('GET', '/_admin/class/progress', { auth: trainee(1).auth });
    assert.equal(asTrainee.status, 401, asTrainee.text);
    const asTraineeCertificate = await send('GET', '/_admin/class/progress', { agent: trainee(1).certAgent });
    assert.equal(asTraineeCertificate.status, 401, asTraineeCertificate.text);
    const wrongToken = await send('GET', '/_admin/class/progress', { auth: `Bearer ${trainee(1).credentials.password}-not-the-token` });
    assert.equal(wrongToken.status, 403, wrongToken.text);
    assert.doesNotMatch(asTrainee.text, /TRAINEE0/);
  });

  test('pid-mock class progress --json prints what the API answers; without --json a table', async () => {
    const api = await progress();
    const { stdout } = await runCli(['class', 'progress', '--json', '--data', dataDir]);
    const printed = JSON.parse(stdout) as View;
    assert.deepEqual({ ...printed, at: '' }, { ...api, at: '' });
    const table = (await runCli(['class', 'progress', '--data', dataDir])).stdout;
    assert.match(table, /^22 trainees: 2 stuck, 6 working, 1 done, 13 not started\n/);
    assert.match(table, /\n {2}TRAINEE01 +done +\d\d:\d\d:\d\d +4\/5 +0 +0 +✓ ✓ ✓ ✓ ·\n/);
    assert.match(table, /\n {2}TRAINEE02 +stuck .* ✓ · ✗ · ·\n/);
    assert.match(table, /\n {2}TRAINEE22 +not-started +never /);
    assert.match(table, /\nstuck:\n {2}TRAINEE02: 3\.1 wrong 3 times since its last correct answer\n {2}TRAINEE05: an unexpected error/);
  });

  test('the live feed shows the planned 409 as part of the lesson, and overwrite: true is no move', async () => {
    const controller = new AbortController();
    const response = await fetchFirstSnapshot(controller);
    const rows = response.trainees as Array<{ name: string; steps: Record<string, boolean>; lastErrors: unknown[]; plannedErrors: number; errors: number }>;
    const row = (name: string) => rows.find((r) => r.name === name)!;
    assert.deepEqual([row('TRAINEE04').lastErrors, row('TRAINEE04').errors, row('TRAINEE04').plannedErrors], [[], 0, 1]);
    assert.equal(row('TRAINEE05').lastErrors.length, 1);
    assert.equal(row('TRAINEE04').steps.movedUrl, false, 'replacing the whole record is not moving its URL');
    assert.equal(row('TRAINEE03').steps.movedUrl, true);
    const recent = response.recent as Array<{ what: string; planned?: boolean }>;
    assert.ok(
      recent.some((r) => r.planned && /^planned \(lesson demonstration\): PUT /.test(r.what)),
      JSON.stringify(recent),
    );
  });

  test(`after ${IDLE_SECONDS} s without a sign of life while others report, a connected trainee is stuck; done and silent ones are not`, async () => {
    const elapsed = Date.now() - classActiveUntil;
    assert.ok(elapsed < IDLE_SECONDS * 1000, `the tests before took ${elapsed} ms: the states they checked may already have been idle ones`);
    await new Promise((resolve) => setTimeout(resolve, IDLE_SECONDS * 1000 + 500 - elapsed));
    await reported(trainee(9), report('1.1', 'wrong'));
    const view = await progress();
    assert.equal(rowOf(view, 9).state, 'working');
    assert.equal(rowOf(view, 1).state, 'done');
    assert.equal(rowOf(view, 12).state, 'not-started');
    for (const n of [3, 4, 7, 8, 10]) {
      assert.equal(rowOf(view, n).state, 'stuck', `${nameOf(n)}: ${JSON.stringify(rowOf(view, n))}`);
      assert.match(rowOf(view, n).stuckBecause ?? '', /^idle for 1[5-9] s while others progressed$/);
    }
  });

  test('the reports travel in the state file; a broken report in a file is refused and changes nothing', async () => {
    const exported = await send('GET', '/_admin/state', { auth: adminHeader() });
    assert.equal(exported.status, 200);
    const file = exported.json() as { progress: Array<Record<string, unknown>> };
    assert.equal(file.progress.length, 17);
    assert.deepEqual(Object.keys(file.progress[0]!).sort(), ['at', 'attempt', 'exercise', 'kind', 'received', 'trainee', 'verdict']);
    const before = await progress();
    const broken = await send('PUT', '/_admin/state', { auth: adminHeader(), body: { ...file, progress: [{ ...file.progress[0], verdict: 'maybe' }] } });
    assert.equal(broken.status, 400, broken.text);
    assert.match((broken.json() as { message: string }).message, /progress\[0\]\.verdict/);
    assert.deepEqual(
      (await progress()).trainees.map((t) => t.exercises),
      before.trainees.map((t) => t.exercises),
    );
    const again = await send('PUT', '/_admin/state', { auth: adminHeader(), body: file });
    assert.equal(again.status, 200, again.text);
    assert.equal((again.json() as { progressReports: number }).progressReports, 17);
    assert.deepEqual(
      (await progress()).trainees.map((t) => t.exercises),
      before.trainees.map((t) => t.exercises),
    );
  });

  test('a revoked trainee can no longer report and leaves the roster', async () => {
    await runCli(['class', 'revoke', nameOf(22), '--data', dataDir]);
    const result = await reportAs(trainee(22), report('1.1', 'correct'));
    assert.equal(result.status, 401, result.text);
    assert.ok(!(await progress()).trainees.some((t) => t.name === nameOf(22)));
  });

  test('a reset starts the class afresh: every trainee not started, no verdicts, no errors', async () => {
    const reset = await send('POST', '/_admin/reset', { auth: adminHeader() });
    assert.equal(reset.status, 200, reset.text);
    const view = await progress();
    assert.equal(view.trainees.length, TRAINEES - 1);
    for (const row of view.trainees) {
      assert.deepEqual([row.state, row.connected, row.unexpectedErrors, row.plannedErrors, row.recentErrors.length], ['not-started', false, 0, 0, 0], row.name);
    }
    assert.deepEqual(view.exercises, EXERCISES);
  });
});

/** The live page's first server-sent snapshot, read with the admin token. */
async function fetchFirstSnapshot(controller: AbortController): Promise<Record<string, unknown>> {
  const { request } = await import('undici');
  const response = await request(`${server.httpsUrl}/_admin/live/stream`, {
    headers: { authorization: adminHeader() },
    dispatcher: server.agent,
    signal: controller.signal,
  });
  assert.equal(response.statusCode, 200);
  let text = '';
  for await (const chunk of response.body) {
    text += (chunk as Buffer).toString('utf8');
    const match = /event: snapshot\ndata: (.*)\n\n/.exec(text);
    if (match) {
      controller.abort();
      return JSON.parse(match[1]!) as Record<string, unknown>;
    }
  }
  throw new Error(`the stream ended without a snapshot: ${text.slice(0, 300)}`);
}
