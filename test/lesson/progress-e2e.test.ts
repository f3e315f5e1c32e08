// The trainee's side of the instructor's board end to end, on a real `pid-mock serve` process with a class
// provisioned by `pid-mock class provision`: the lesson kit, loaded with a trainee's bundle, reports each
// check's verdict and attempt (certificate and password alike) and the server files them under that
// trainee, with no answer in them; a demonstration inside planned() is counted as the lesson's planned
// failure and the same request outside it as an unexpected one; a bundle without
// pid_handson_progress_url (a real Handle server's) sends no request at all, and the verdicts are the same.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { HandleClient, HandleError } from '../../src/index.js';
import { lessonExercise } from '../../lesson/kit/exercise.js';
import { loadLessonCredentials } from '../../lesson/kit/lesson.js';
import { setDisplay } from '../../lesson/kit/output.js';
import { planned } from '../../lesson/kit/planned.js';
import { lessonQuestion } from '../../lesson/kit/question.js';
import { httpRequest } from '../support/http.js';
import { runCli, spawnServer, type ServerProcess } from '../support/mock-process.js';
import { temporaryFolder } from '../support/temporary-folders.js';

const PREFIX = '21.T12995';
/** In the answers only: it must reach no server. */
const ANSWER_MARKER = 'answer-5d1b7a-stays-in-the-notebook';

interface StoredReport {
  trainee: string;
  exercise: string;
  kind: string;
  verdict: string;
  attempt: number;
  at: string;
  received: string;
}

interface Row {
  name: string;
  exercises: Record<string, string>;
  unexpectedErrors: number;
  plannedErrors: number;
}

let dataDir: string;
let server: ServerProcess;
let folder: string;
const shown: string[] = [];

const bundle = (name: string) => join(dataDir, 'instructor', 'class', 'bundles', `pid-handson-${name}`);

async function admin(path: string): Promise<unknown> {
  const result = await httpRequest(`${server.httpsUrl}${path}`, { headers: { authorization: `Bearer ${server.adminToken}` }, dispatcher: server.agent });
  assert.equal(result.status, 200, result.text);
  return result.json();
}

const storedReports = async (trainee: string) =>
  ((await admin('/_admin/state')) as { progress?: StoredReport[] }).progress?.filter((r) => r.trainee === `${PREFIX}/${trainee}`) ?? [];

async function rowOf(trainee: string): Promise<Row> {
  const view = (await admin('/_admin/class/progress')) as { trainees: Row[] };
  const row = view.trainees.find((t) => t.name === trainee);
  assert.ok(row, `${trainee} is not in the class: ${view.trainees.map((t) => t.name).join(', ')}`);
  return row;
}

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 5_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const pidExercise = () =>
  lessonExercise<string>({
    id: '3.1',
    name: 'pidFromUuid',
    title: 'Build a PID',
    answer: { type: 'string', what: 'the PID' },
    check: (answer) => answer.startsWith(`${PREFIX}/`) || 'A PID starts with your prefix.',
    hint: 'Join prefix and suffix.',
    solution: 'const pid = `${prefix}/${randomUUID()}`;',
  });

const registrationQuestion = () =>
  lessonQuestion({
    id: 'Q3',
    name: 'secondRegistration',
    title: 'Registering twice',
    options: { a: { text: 'a second record', why: 'No.' }, b: { text: 'a 409', why: 'Yes.' } },
    answer: 'b',
  });

const boxes = () => shown.map((text) => text.split(' — ')[0]);

before(async () => {
  dataDir = temporaryFolder('pid-progress-e2e-');
  server = await spawnServer(dataDir, { PID_MOCK_EXERCISES: '3.1,Q3' });
  const provisioned = await runCli(['class', 'provision', '--trainees', '3', '--data', dataDir]);
  assert.match(provisioned.stdout, /^3 new/, provisioned.stdout);
  folder = temporaryFolder('pid-progress-e2e-bundles-');
  setDisplay(({ text }) => shown.push(text));
});

after(async () => {
  setDisplay(null);
  delete process.env.PID_CREDENTIALS;
  await server?.kill('SIGTERM');
});

beforeEach(() => {
  shown.length = 0;
});

describe("a trainee's checks on a pid-mock", () => {
  test('reports arrive under the trainee (by certificate) with attempt numbers and without the answer', async () => {
    process.env.PID_CREDENTIALS = join(bundle('TRAINEE01'), 'cred_file.json');
    const credentials = loadLessonCredentials();
    assert.equal(credentials.config.pid_handson_progress_url, `${server.httpsUrl}/_lesson/progress`, 'the bundle names the endpoint');
    const exercise = pidExercise();
    await exercise.check(ANSWER_MARKER);
    await exercise.check(`${PREFIX}/${ANSWER_MARKER}`);
    await registrationQuestion().check('a');
    assert.deepEqual(boxes(), ['✗ Not quite', '✓ Correct', '✗ Not quite']);
    const reports = await eventually(
      () => storedReports('TRAINEE01'),
      (r) => r.length === 3,
      "TRAINEE01's three reports",
    );
    assert.deepEqual(
      reports.map(({ exercise: id, kind, verdict, attempt }) => ({ id, kind, verdict, attempt })),
      [
        { id: '3.1', kind: 'exercise', verdict: 'wrong', attempt: 1 },
        { id: '3.1', kind: 'exercise', verdict: 'correct', attempt: 2 },
        { id: 'Q3', kind: 'question', verdict: 'wrong', attempt: 1 },
      ],
    );
    assert.ok(!JSON.stringify(reports).includes(ANSWER_MARKER), 'no answer reached the server');
    assert.deepEqual((await rowOf('TRAINEE01')).exercises, { '3.1': 'correct', Q3: 'wrong' });
  });

  test('a password bundle reports as its trainee too', async () => {
    process.env.PID_CREDENTIALS = join(bundle('TRAINEE02'), 'cred_file.json');
    loadLessonCredentials('password');
    await registrationQuestion().check('B');
    const reports = await eventually(
      () => storedReports('TRAINEE02'),
      (r) => r.length === 1,
      "TRAINEE02's report",
    );
    assert.deepEqual(
      reports.map(({ exercise: id, verdict, attempt }) => ({ id, verdict, attempt })),
      // The question's second check in this kernel: attempts count per exercise, not per trainee.
      [{ id: 'Q3', verdict: 'correct', attempt: 2 }],
    );
    assert.equal((await rowOf('TRAINEE02')).exercises.Q3, 'correct');
  });

  test("a demonstration's 409 inside planned() is the lesson's; the same 409 outside it is an unexpected error", async () => {
    process.env.PID_CREDENTIALS = join(bundle('TRAINEE03'), 'cred_file.json');
    const credentials = loadLessonCredentials();
    const client = await HandleClient.withCredentials(credentials);
    try {
      const pid = await client.generateAndRegisterHandle(credentials.prefix!, `${server.httpUrl}/files/surveys.csv`);
      const failure = (work: Promise<unknown>) =>
        work.then(
          () => 'registered again',
          (error: unknown) => (error instanceof HandleError ? error.name : String(error)),
        );
      assert.equal(await failure(planned('3.duplicate', () => client.registerHandle(pid, `${server.httpUrl}/files/surveys.csv`))), 'HandleAlreadyExistsError');
      const row = await eventually(
        () => rowOf('TRAINEE03'),
        (r) => r.plannedErrors === 1,
        'the planned 409',
      );
      assert.deepEqual([row.plannedErrors, row.unexpectedErrors], [1, 0], 'a planned failure is not counted as an error');
      assert.equal(await failure(client.registerHandle(pid, `${server.httpUrl}/files/surveys.csv`)), 'HandleAlreadyExistsError');
      const after = await eventually(
        () => rowOf('TRAINEE03'),
        (r) => r.unexpectedErrors === 1,
        'the unplanned 409',
      );
      assert.deepEqual([after.plannedErrors, after.unexpectedErrors], [1, 1]);
    } finally {
      await client.close();
    }
  });
});

describe("a bundle without pid_handson_progress_url (a real Handle server's)", () => {
  let counting: Server;
  let requests = 0;

  before(async () => {
    const tls = join(dataDir, 'tls');
    counting = createServer({ key: readFileSync(join(tls, 'server-key.pem')), cert: readFileSync(join(tls, 'server.pem')) }, (_req, res) => {
      requests++;
      res.writeHead(204).end();
    });
    await new Promise<void>((resolve) => counting.listen(0, '127.0.0.1', resolve));
  });

  after(async () => {
    counting.closeAllConnections();
    await new Promise<void>((resolve) => counting.close(() => resolve()));
  });

  test('sends no request, on the Handle server or anywhere, and the verdicts are the same', async () => {
    const realServer = `https://127.0.0.1:${(counting.address() as AddressInfo).port}`;
    const copy = join(folder, `no-progress-${randomUUID()}`);
    mkdirSync(copy);
    for (const name of ['cred_file.json', 'cred_basic.json']) {
      const { pid_handson_progress_url: _removed, ...config } = JSON.parse(readFileSync(join(bundle('TRAINEE01'), name), 'utf8')) as Record<string, unknown>;
      // The bundle's relative paths (key, certificate, CA) stay valid from the copy's folder.
      for (const key of ['private_key', 'certificate_only', 'HTTPS_verify']) {
        if (typeof config[key] === 'string') config[key] = resolve(bundle('TRAINEE01'), String(config[key]));
      }
      writeFileSync(join(copy, name), JSON.stringify({ ...config, handle_server_url: realServer }));
    }
    process.env.PID_CREDENTIALS = join(copy, 'cred_file.json');
    const before = (await storedReports('TRAINEE01')).length;
    loadLessonCredentials();
    const exercise = pidExercise();
    await exercise.check('not-a-pid');
    await exercise.check(`${PREFIX}/right`);
    await registrationQuestion().check('b');
    loadLessonCredentials('password');
    await registrationQuestion().check('a');
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(requests, 0, 'the server behind handle_server_url received no request');
    assert.equal((await storedReports('TRAINEE01')).length, before, 'and the pid-mock no report');
    assert.deepEqual(boxes(), ['✗ Not quite', '✓ Correct', '✓ Correct', '✗ Not quite']);
  });
});
