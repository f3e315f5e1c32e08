// The trainee's side of the instructor's board, against the contract with a real loopback HTTPS server:
// every exercise check and question reports its verdict and attempt number (never the answer) to the
// credentials' `pid_handson_progress_url`, authenticated as the trainee as Handle writes are; without
// that key nothing is sent; a report never delays, changes or prints into a check. And planned():
// a demonstration's requests carry `Pid-Handson-Planned`, through the client, a raw dispatcher and a
// `pid` command alike.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { request } from 'undici';
import { createDispatcher, handleBasicAuthorization, HandleClient, HandleError } from '../../src/index.js';
import { lessonExercise } from '../../lesson/kit/exercise.js';
import { loadLessonCredentials } from '../../lesson/kit/lesson.js';
import { setDisplay } from '../../lesson/kit/output.js';
import { planned } from '../../lesson/kit/planned.js';
import { lessonQuestion } from '../../lesson/kit/question.js';
import { startMockProcess, type MockProcess } from '../support/mock-process.js';
import { assertBuilt, ROOT } from '../support/paths.js';
import { temporaryFolder } from '../support/temporary-folders.js';

interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** The subject of the client certificate the connection presented, if any. */
  peer: string | undefined;
  /** When the request arrived and when it was answered (performance.now()). */
  receivedAt: number;
  answeredAt?: number;
}

/** A loopback HTTPS server with the mock's server certificate that records every request and answers as told. */
interface Recorder {
  url: string;
  received: Received[];
  /** How to answer the next requests: a status, or 'hang' (never answer). */
  answer: number | 'hang';
  /** How long to wait before answering. */
  delayMs: number;
  close(): Promise<void>;
}

async function startRecorder(tlsDir: string): Promise<Recorder> {
  const hanging: Array<() => void> = [];
  const recorder = { received: [] as Received[], answer: 204 as number | 'hang', delayMs: 0 } as Recorder;
  const server: Server = createServer(
    { key: readFileSync(join(tlsDir, 'server-key.pem')), cert: readFileSync(join(tlsDir, 'server.pem')), requestCert: true, rejectUnauthorized: false },
    (req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        const certificate = (req.socket as TLSSocket).getPeerCertificate();
        const received: Received = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body,
          peer: [certificate?.subject?.CN].flat()[0],
          receivedAt: performance.now(),
        };
        recorder.received.push(received);
        const answer = recorder.answer;
        if (answer === 'hang') {
          hanging.push(() => res.destroy());
          return;
        }
        setTimeout(() => {
          received.answeredAt = performance.now();
          res.writeHead(answer, answer === 204 ? {} : { 'content-type': 'application/json' });
          // The Handle responseCode a real server sends with the status: 409 exists, 404 not found.
          const responseCode = answer === 409 ? 101 : answer === 404 ? 100 : 2;
          res.end(answer === 204 ? undefined : JSON.stringify({ responseCode, handle: '21.T12995/none' }));
        }, recorder.delayMs);
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  recorder.url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  recorder.close = async () => {
    for (const end of hanging) end();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return recorder;
}

async function until(condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 400));

/** A secret only the trainee's answer contains: it must never reach the server. */
const ANSWER_MARKER = 'answer-9f3c1e-not-for-the-board';

const exerciseUnderTest = () =>
  lessonExercise<string>({
    id: '3.1',
    name: 'pidFromUuid',
    title: 'Build a PID',
    answer: { type: 'string', what: 'the PID' },
    check: (answer) => answer.endsWith('/right') || 'Not the PID yet.',
    hint: 'Join prefix and suffix.',
    solution: "const pid = 'x/right';",
  });

const questionUnderTest = () =>
  lessonQuestion({
    id: 'Q3',
    name: 'secondRegistration',
    title: 'Registering twice',
    options: { a: { text: 'a second record', why: 'No.' }, b: { text: '409', why: 'Yes.' } },
    answer: 'b',
  });

let mock: MockProcess;
let recorder: Recorder;
let folder: string;
const shown: string[] = [];
const printed: string[] = [];
const originalLog = console.log;
const originalStderrWrite = process.stderr.write.bind(process.stderr);

/** A credentials file like the mock's own, pointed at the recorder, with or without a progress URL. */
function credentialsFile(name: string, variant: 'certificate' | 'password', progressUrl: string | undefined): string {
  const source = variant === 'certificate' ? mock.credentialsFile : mock.basicCredentialsFile;
  const config = JSON.parse(readFileSync(source, 'utf8')) as Record<string, unknown>;
  config.handle_server_url = recorder.url;
  // The mock's own files name its endpoint: replace or remove it, so the recorder is the only server asked.
  if (progressUrl === undefined) delete config.pid_handson_progress_url;
  else config.pid_handson_progress_url = progressUrl;
  const path = join(folder, name, variant === 'certificate' ? 'cred_file.json' : 'cred_basic.json');
  writeFileSync(path, JSON.stringify(config));
  return path;
}

function useCredentials(name: string, progress: 'with' | 'without' | string): void {
  mkdirSync(join(folder, name), { recursive: true });
  const url = progress === 'with' ? `${recorder.url}/_lesson/progress` : progress === 'without' ? undefined : progress;
  credentialsFile(name, 'password', url);
  process.env.PID_CREDENTIALS = credentialsFile(name, 'certificate', url);
}

const reports = () => recorder.received.filter((r) => r.path === '/_lesson/progress');

before(async () => {
  mock = await startMockProcess();
  recorder = await startRecorder(join(mock.dataDir, 'tls'));
  folder = temporaryFolder('pid-progress-test-');
  setDisplay(({ text }) => shown.push(text));
  console.log = (...parts: unknown[]) => void printed.push(parts.join(' '));
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    printed.push(String(chunk));
    return (originalStderrWrite as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stderr.write;
});

after(async () => {
  console.log = originalLog;
  process.stderr.write = originalStderrWrite;
  setDisplay(null);
  delete process.env.PID_CREDENTIALS;
  await recorder.close();
  await mock.stop();
});

beforeEach(() => {
  recorder.received.length = 0;
  recorder.answer = 204;
  shown.length = 0;
});

describe('progress reports', () => {
  test('before any lesson credentials are loaded, a check sends nothing', async () => {
    await exerciseUnderTest().check('x/wrong');
    await settle();
    assert.equal(recorder.received.length, 0);
    assert.match(shown[0] ?? '', /Not quite/);
  });

  test('each check reports its verdict and attempt as the trainee, by certificate, and never the answer', async () => {
    useCredentials('cert', 'with');
    const credentials = loadLessonCredentials();
    const exercise = exerciseUnderTest();
    const question = questionUnderTest();
    await exercise.check(`x/${ANSWER_MARKER}`);
    await exercise.check('x/right');
    await question.check('a');
    await question.check('B');
    await until(() => reports().length === 4, 'four reports');
    const bodies = reports().map((r) => JSON.parse(r.body) as Record<string, unknown>);
    // The attempt of 3.1 counts the check made before the credentials were loaded: counted in the kernel.
    assert.deepEqual(
      bodies
        .map(({ exercise: id, kind, verdict, attempt }) => ({ id, kind, verdict, attempt }))
        .sort((a, b) => `${a.id}${a.attempt}`.localeCompare(`${b.id}${b.attempt}`)),
      [
        { id: '3.1', kind: 'exercise', verdict: 'wrong', attempt: 2 },
        { id: '3.1', kind: 'exercise', verdict: 'correct', attempt: 3 },
        { id: 'Q3', kind: 'question', verdict: 'wrong', attempt: 1 },
        { id: 'Q3', kind: 'question', verdict: 'correct', attempt: 2 },
      ],
    );
    for (const [index, report] of reports().entries()) {
      const body = bodies[index]!;
      assert.deepEqual(Object.keys(body).sort(), ['at', 'attempt', 'exercise', 'kind', 'verdict']);
      assert.ok(!Number.isNaN(Date.parse(String(body.at))) && String(body.at).endsWith('Z'), `an ISO time: ${body.at}`);
      assert.equal(report.method, 'POST');
      assert.equal(report.headers['content-type'], 'application/json');
      assert.equal(report.headers.authorization, 'Handle clientCert="true"');
      assert.equal(report.peer, readCertificateIdentity(credentials.config.certificate_only!));
      assert.equal(report.headers['pid-handson-planned'], undefined);
      assert.ok(!report.body.includes(ANSWER_MARKER) && !report.body.includes('right'), 'the answer itself is never sent');
    }
    assert.deepEqual(
      shown.map((text) => text.split('\n')[0]!.split(' — ')[0]),
      ['✗ Not quite', '✓ Correct', '✗ Not quite', '✓ Correct'],
    );
  });

  test('reports leave one after another, so a slow "wrong" cannot arrive after the "correct" that followed it', async () => {
    useCredentials('cert', 'with');
    loadLessonCredentials();
    recorder.delayMs = 300;
    try {
      await exerciseUnderTest().check('x/wrong');
      await exerciseUnderTest().check('x/right');
      await until(() => reports().length === 2 && reports()[1]!.answeredAt !== undefined, 'both reports answered');
    } finally {
      recorder.delayMs = 0;
    }
    const [first, second] = reports();
    assert.deepEqual(
      [first, second].map((r) => (JSON.parse(r!.body) as { verdict: string }).verdict),
      ['wrong', 'correct'],
    );
    assert.ok(second!.receivedAt >= first!.answeredAt!, 'the second report was sent only once the first was answered');
  });

  test('with password credentials the report carries the Basic header of Handle writes', async () => {
    useCredentials('password', 'with');
    const credentials = loadLessonCredentials('password');
    await questionUnderTest().check(`'${ANSWER_MARKER}'`);
    await until(() => reports().length === 1, 'one report');
    const [report] = reports();
    assert.equal(report!.headers.authorization, handleBasicAuthorization(credentials.username!, credentials.config.password!));
    assert.equal(JSON.parse(report!.body).verdict, 'wrong');
    assert.ok(!report!.body.includes(ANSWER_MARKER));
  });

  test('credentials without pid_handson_progress_url (a real Handle server) send nothing, and the verdicts are the same', async () => {
    useCredentials('real-server', 'without');
    loadLessonCredentials();
    const exercise = exerciseUnderTest();
    assert.equal(await exerciseUnderTest().check('x/right'), undefined);
    await exercise.check('x/wrong');
    await questionUnderTest().check('b');
    await settle();
    assert.equal(recorder.received.length, 0, 'the server received no request at all');
    assert.deepEqual(
      shown.map((text) => text.split(' — ')[0]),
      ['✓ Correct', '✗ Not quite', '✓ Correct'],
    );
  });

  test('a progress URL on another server than handle_server_url is ignored: the identity goes nowhere else', async () => {
    useCredentials('elsewhere', 'https://127.0.0.2:9/_lesson/progress');
    loadLessonCredentials();
    await exerciseUnderTest().check('x/right');
    await settle();
    assert.equal(recorder.received.length, 0);
  });

  test('a server that never answers or refuses delays nothing, and nothing is printed into the cell', async () => {
    useCredentials('slow', 'with');
    loadLessonCredentials();
    printed.length = 0;
    recorder.answer = 'hang';
    const started = performance.now();
    await exerciseUnderTest().check('x/right');
    const took = performance.now() - started;
    await until(() => reports().length === 1, 'the hanging report to arrive');
    assert.ok(took < 250, `the check took ${Math.round(took)} ms while the server hung`);
    recorder.answer = 500;
    await exerciseUnderTest().check('x/wrong');
    await until(() => reports().length === 2, 'the refused report to arrive');
    await settle();
    assert.deepEqual(printed, [], 'no line on stdout or stderr');
    assert.deepEqual(
      shown.map((text) => text.split(' — ')[0]),
      ['✓ Correct', '✗ Not quite'],
    );
  });
});

function readCertificateIdentity(file: string): string {
  return /CN=([^\n]+)/.exec(new X509Certificate(readFileSync(file)).subject)?.[1] ?? '';
}

describe('planned failures', () => {
  test("a demonstration's client requests carry the label; the same requests outside it do not", async () => {
    useCredentials('planned', 'without');
    const credentials = loadLessonCredentials();
    const client = await HandleClient.withCredentials(credentials);
    recorder.answer = 409;
    const outcome = await planned('3.duplicate', () => client.registerHandle('21.T12995/again', 'https://example.org/'))
      .then(() => 'registered')
      .catch((error: unknown) => (error instanceof HandleError ? error.name : 'other'));
    assert.equal(outcome, 'HandleAlreadyExistsError', 'the demonstration fails as it did without planned()');
    await client.registerHandle('21.T12995/again', 'https://example.org/').catch(() => undefined);
    await client.close();
    assert.deepEqual(
      recorder.received.map((r) => [r.method, r.headers['pid-handson-planned']]),
      [
        ['PUT', '3.duplicate'],
        ['PUT', undefined],
      ],
    );
  });

  test('a raw request through createDispatcher and a `pid` command inside planned() carry it too', async () => {
    useCredentials('planned-raw', 'without');
    const agent = createDispatcher({ httpsVerify: join(mock.dataDir, 'tls', 'ca.pem') });
    recorder.answer = 404;
    await planned('7.not-found', async () => {
      const reply = await request(`${recorder.url}/api/handles/21.T12995/gone`, { dispatcher: agent });
      await reply.body.text();
    });
    await agent.close();
    // runPid blocks its thread until the `pid` command has its answer, so it runs in a process of its own while this one answers.
    assertBuilt();
    const script = [
      "const { planned, runPid } = require('./dist/lesson/index.js');",
      "const inside = planned('8.not-found', () => runPid(['read', '21.T12995/this-pid-does-not-exist'], { quiet: true }));",
      "const outside = runPid(['read', '21.T12995/this-pid-does-not-exist'], { quiet: true });",
      'console.log(JSON.stringify([inside.status, outside.status]));',
    ].join('\n');
    const { code, output } = await runNode(script);
    assert.equal(code, 0, output);
    assert.equal(output.trim(), '[1,1]', 'both reads end in "not found", as without planned()');
    assert.deepEqual(
      recorder.received.map((r) => r.headers['pid-handson-planned']),
      ['7.not-found', '8.not-found', undefined],
    );
  });

  test('a check inside planned() still reports, without the label', async () => {
    useCredentials('planned-check', 'with');
    loadLessonCredentials();
    await planned('2.forbidden', () => exerciseUnderTest().check('x/right'));
    await until(() => reports().length === 1, 'the report');
    assert.equal(reports()[0]!.headers['pid-handson-planned'], undefined);
  });

  test('a label outside [A-Za-z0-9._-]{1,40} is refused before anything runs', () => {
    let ran = false;
    for (const label of ['', 'has space', 'x'.repeat(41), '3.dup\r\nx: y']) {
      assert.throws(
        () =>
          planned(label, () => {
            ran = true;
          }),
        /a planned failure's label is 1 to 40 letters/,
      );
    }
    assert.equal(ran, false);
  });
});

test('a script that checks an exercise exits at once: the report keeps no connection open', async () => {
  useCredentials('exit', 'with');
  const script = [
    "const { loadLessonCredentials } = require('./lesson/kit/lesson.ts');",
    "const { lessonExercise } = require('./lesson/kit/exercise.ts');",
    "const { setDisplay } = require('./lesson/kit/output.ts');",
    'setDisplay(() => {});',
    'loadLessonCredentials();',
    "const e = lessonExercise({ id: '1.1', name: 'x', title: 't', answer: { type: 'string', what: 'x' }, check: () => true, hint: 'h', solution: 's' });",
    "e.check('a').then(() => setTimeout(() => console.log('checked'), 300));",
  ].join('\n');
  const started = performance.now();
  const { code, output } = await runNode(script, ['--import', 'tsx']);
  const took = performance.now() - started;
  assert.equal(code, 0, output);
  assert.match(output, /checked/);
  assert.equal(reports().length, 1, 'the report arrived before the script ended');
  const startup = await nodeStartup();
  assert.ok(took - startup < 1500, `the script took ${Math.round(took)} ms, a bare start ${Math.round(startup)} ms`);
});

/** How long the same `node --import tsx` takes to start and end with nothing to do, on this machine now. */
async function nodeStartup(): Promise<number> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', '-e', "require('./lesson/kit/lesson.ts')"], { cwd: ROOT, stdio: 'ignore' });
  await new Promise((resolve) => child.on('exit', resolve));
  return performance.now() - started;
}

async function runNode(script: string, flags: string[] = []): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [...flags, '-e', script], { cwd: ROOT, env: { ...process.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, output };
}
