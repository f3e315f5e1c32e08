// Binder, as mybinder.org runs the repository: binder/Dockerfile is built with docker as repo2docker builds it
// (from the repository root, NB_USER/NB_UID build arguments, no target), then started as BinderHub starts it:
// uid 1000, its own command `jupyter notebook --ip 0.0.0.0 --port 8888 --NotebookApp.token=… --NotebookApp.base_url=…`
// in a network of the container's own (as a pod has), Jupyter's port published on loopback. Through Jupyter's
// REST API only, as the browser does: the README's launch path opens, the files are the learner copies and
// nothing else, TypeScript is the default kernel, and chapters 1 and 3 run cell by cell over the kernel's
// websocket against the mock server that start launched inside the container, every cell "ok".
// Needs a running Docker engine (bash .ci/containers.sh starts one) and root the first time when the base image
// has to be made locally (test/containers/base-images.sh). Layers are cached by the engine between runs.
//
//   node --import tsx --test test/containers/binder.test.ts
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { WebSocket } from 'undici';
import { ROOT } from '../support/paths.js';
import { freePort } from '../support/processes.js';

const execFileAsync = promisify(execFile);
const IMAGE = 'pid-handson-binder';
const RUN = `pid-binder-test-${process.pid}`;
const TOKEN = randomBytes(24).toString('hex');
/** Binder serves each user under a prefix of its own; the launch path is relative to it. */
const BASE_URL = '/user/binder-test-abc123/';
const NOTEBOOKS = join(ROOT, 'notebooks');
const learnerCopies = readdirSync(NOTEBOOKS)
  .filter((f) => /^\d\d-.*\.ipynb$/.test(f))
  .sort();

let port = 0;
let containerId = '';
let buildSeconds = 0;
let startSeconds = 0;

async function docker(args: string[], options: { timeout?: number; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const { stdout } = await execFileAsync('docker', args, {
    cwd: ROOT,
    timeout: options.timeout ?? 60_000,
    maxBuffer: 64 * 1024 * 1024,
    env: options.env ?? process.env,
  });
  return stdout.trim();
}

/** Runs `docker`, and on failure says which step failed with the end of its output. */
async function dockerStep(what: string, args: string[], options: { timeout?: number; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  try {
    return await docker(args, options);
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    const tail = `${e.stdout ?? ''}${e.stderr ?? ''}`.trim().split('\n').slice(-30).join('\n');
    throw new Error(`${what} failed: ${e.message.split('\n')[0]}\n${tail}`);
  }
}

function api(path: string): string {
  return `http://127.0.0.1:${port}${BASE_URL}${path}`;
}

async function getJson<T>(path: string): Promise<T> {
  const response = await fetch(api(path), { headers: { Authorization: `token ${TOKEN}` } });
  assert.equal(response.status, 200, `GET ${BASE_URL}${path}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

/** Removes what a run killed earlier left (containers and networks carry the pid-binder-test- prefix). */
async function removeLeftovers(): Promise<void> {
  const containers = (await docker(['ps', '-aq', '--filter', 'name=pid-binder-test-'])).split('\n').filter(Boolean);
  if (containers.length > 0) await docker(['rm', '-f', ...containers]).catch(() => '');
  const networks = (await docker(['network', 'ls', '-q', '--filter', 'name=pid-binder-test-'])).split('\n').filter(Boolean);
  if (networks.length > 0) await docker(['network', 'rm', ...networks]).catch(() => '');
}

before(
  async () => {
    await docker(['info', '--format', '{{.ServerVersion}}'], { timeout: 20_000 }).catch(() => {
      throw new Error('no Docker engine answers (bash .ci/containers.sh starts one: dockerd --iptables=false --bridge=none)');
    });
    await removeLeftovers();
    // The classic builder when the CLI has no buildx plugin (as run.sh): BuildKit's default cannot build then.
    const buildx = await docker(['buildx', 'version']).then(
      () => true,
      () => false,
    );
    const env = buildx ? process.env : { ...process.env, DOCKER_BUILDKIT: '0' };
    await execFileAsync('bash', [join(ROOT, 'test/containers/base-images.sh')], { cwd: ROOT, timeout: 600_000 }).catch((error) => {
      throw new Error(`no base image node:20-bookworm-slim: ${(error as { stderr?: string }).stderr ?? error}`);
    });
    const t0 = Date.now();
    // --network host: build steps reach Debian's and npm's registries through the host (an engine started
    // with --bridge=none gives build containers no network); Binder's builders have their own.
    await dockerStep(
      'docker build -f binder/Dockerfile',
      ['build', '--network', 'host', '-f', 'binder/Dockerfile', '--build-arg', 'NB_USER=jovyan', '--build-arg', 'NB_UID=1000', '-t', IMAGE, '.'],
      { timeout: 1_500_000, env },
    );
    buildSeconds = (Date.now() - t0) / 1000;

    port = await freePort();
    await docker(['network', 'create', RUN]);
    const t1 = Date.now();
    containerId = await dockerStep('docker run', [
      'run',
      '-d',
      '--name',
      RUN,
      '--network',
      RUN,
      '--user',
      '1000',
      '-p',
      `127.0.0.1:${port}:8888`,
      IMAGE,
      'jupyter',
      'notebook',
      '--ip',
      '0.0.0.0',
      '--port',
      '8888',
      `--NotebookApp.token=${TOKEN}`,
      `--NotebookApp.base_url=${BASE_URL}`,
      '--NotebookApp.trust_xheaders=True',
    ]);
    let lastProblem = '';
    for (let i = 0; i < 180; i++) {
      try {
        const response = await fetch(api('api/status'), { headers: { Authorization: `token ${TOKEN}` }, signal: AbortSignal.timeout(2000) });
        if (response.status === 200) break;
        lastProblem = `HTTP ${response.status}`;
      } catch (error) {
        lastProblem = String((error as Error).cause ?? error);
      }
      const state = await docker(['inspect', '-f', '{{.State.Status}}', containerId]);
      if (state !== 'running') throw new Error(`the container is ${state}; its log:\n${await docker(['logs', '--tail', '40', containerId])}`);
      if (i === 179)
        throw new Error(`Jupyter's API did not answer within 90 s (${lastProblem}); the log:\n${await docker(['logs', '--tail', '40', containerId])}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    startSeconds = (Date.now() - t1) / 1000;
  },
  { timeout: 30 * 60_000 },
);

after(async () => {
  if (containerId) await docker(['rm', '-f', containerId]).catch(() => '');
  await docker(['network', 'rm', RUN]).catch(() => '');
});

test('binder/Dockerfile is what binder/make-dockerfile.cjs makes from deploy/docker/Dockerfile', async () => {
  // The check the CI's container step relies on; it fails with the command that brings the file up to date.
  await execFileAsync(process.execPath, [join(ROOT, 'binder/make-dockerfile.cjs'), '--check'], { cwd: ROOT }).catch((error) => {
    assert.fail(String((error as { stderr?: string }).stderr ?? error));
  });
});

test('the image keeps repo2docker’s rules: uid 1000 named NB_USER, HOME its own, jupyter on PATH, start as entry point', async (t) => {
  t.diagnostic(`build ${buildSeconds.toFixed(0)} s; Jupyter answered ${startSeconds.toFixed(1)} s after docker run`);
  const config = JSON.parse(await docker(['image', 'inspect', '-f', '{{json .Config}}', IMAGE])) as { User: string; Entrypoint: string[] | null };
  assert.equal(config.User, 'jovyan', 'the image ends as NB_USER');
  assert.deepEqual(config.Entrypoint, ['/usr/local/bin/start']);
  const facts = await docker(['exec', containerId, 'sh', '-c', 'id -u; id -un; echo "$HOME"; stat -c %u "$HOME"; command -v jupyter; pwd']);
  assert.deepEqual(facts.split('\n'), ['1000', 'jovyan', '/home/jovyan', '1000', '/usr/bin/jupyter', '/home/jovyan/notebooks']);
});

test('the README’s launch URL opens Notebook 6’s file list on the workspace (urlpath=tree)', async () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const launch = /https:\/\/mybinder\.org\/v2\/[^\s)"]+/.exec(readme)?.[0];
  assert.ok(launch, 'the README has a mybinder.org launch URL');
  assert.match(readme, /\[!\[[^\]]*\]\(https:\/\/mybinder\.org\/badge_logo\.svg\)\]\(https:\/\/mybinder\.org\/v2\//, 'the README has the Binder badge');
  const urlpath = new URL(launch).searchParams.get('urlpath');
  assert.ok(urlpath, `the launch URL names a urlpath: ${launch}`);
  const response = await fetch(api(urlpath.replace(/^\//, '')), { headers: { Authorization: `token ${TOKEN}` } });
  assert.equal(response.status, 200, `${BASE_URL}${urlpath}: HTTP ${response.status}`);
  const page = await response.text();
  assert.match(page, /<title>Home Page - Select or create a notebook<\/title>/, 'the page is the notebook file list');
  assert.match(page, new RegExp(`data-base-url="${BASE_URL}"`), 'served under Binder’s base URL');
});

test('the trainee sees the learner copies and their contents page only: no masters, no source tree', async () => {
  const listing = await getJson<{ content: { name: string; type: string }[] }>('api/contents/');
  const names = listing.content.map((c) => c.name).sort();
  assert.deepEqual(names, [...learnerCopies, 'README.md'].sort());
  for (const file of learnerCopies) {
    const served = await getJson<{ content: { cells: { source: string }[] } }>(`api/contents/${encodeURIComponent(file)}`);
    const learner = JSON.parse(readFileSync(join(NOTEBOOKS, file), 'utf8')) as { cells: { source: string | string[] }[] };
    const master = JSON.parse(readFileSync(join(NOTEBOOKS, 'instructor', file), 'utf8')) as { cells: { source: string | string[] }[] };
    const sources = (nb: { cells: { source: string | string[] }[] }) => nb.cells.map((c) => [c.source].flat().join(''));
    assert.notDeepEqual(sources(master), sources(learner), `${file}: the master differs from the learner copy`);
    assert.deepEqual(sources(served.content), sources(learner), `${file} is the learner copy`);
  }
  const readme = await getJson<{ content: string }>('api/contents/README.md');
  assert.match(readme.content, /^# Your lesson workspace/);
  const home = await docker(['exec', containerId, 'sh', '-c', 'ls -A "$HOME/notebooks" "$HOME/lesson"']);
  assert.doesNotMatch(home, /instructor/, 'no instructor masters anywhere in the workspace or the lesson folder');
});

test('TypeScript (tslab) is the default kernel, and the mock server answers on loopback only', async () => {
  const specs = await getJson<{ default: string; kernelspecs: Record<string, unknown> }>('api/kernelspecs');
  assert.equal(specs.default, 'tslab');
  const probe = `
    const os = require('node:os');
    const own = Object.values(os.networkInterfaces()).flat().find((a) => a.family === 'IPv4' && !a.internal).address;
    const ask = (host) => fetch('http://' + host + ':8000/_admin/health').then((r) => r.status, (e) => e.cause?.code ?? String(e));
    Promise.all([ask('127.0.0.1'), ask(own)]).then((r) => console.log(JSON.stringify(r)));`;
  const [loopback, outside] = JSON.parse(await docker(['exec', containerId, 'node', '-e', probe])) as [number | string, number | string];
  assert.equal(loopback, 200, 'the server answers on 127.0.0.1:8000 inside the container');
  assert.equal(outside, 'ECONNREFUSED', 'and not on the container’s network address');
  const credentials = JSON.parse(await docker(['exec', containerId, 'cat', '/data/credentials/cred_file.json'])) as { handle_server_url: string };
  assert.equal(credentials.handle_server_url, 'https://127.0.0.1:8000', 'the notebooks’ credentials name that address');
});

/** What the test reads of a kernel message coming back over the websocket. */
interface KernelMessage {
  channel: string;
  msg_type: string;
  parent_header: { msg_id?: string };
  content: {
    status?: string;
    execution_state?: string;
    ename?: string;
    evalue?: string;
    name?: string;
    text?: string;
    data?: Record<string, string>;
  };
}

interface CellRun {
  index: number;
  status: string;
  errors: string[];
  stderr: string;
  text: string;
}

/** One kernel message as Notebook 6's websocket carries it (JSON, with its channel). */
function message(session: string, msgType: string, content: Record<string, unknown>): Record<string, unknown> {
  return {
    header: { msg_id: randomUUID(), username: 'binder-test', session, msg_type: msgType, version: '5.3', date: new Date().toISOString() },
    parent_header: {},
    metadata: {},
    content,
    channel: 'shell',
    buffers: [],
  };
}

/**
 * Opens `notebook` as the browser does (a session for its path, on the kernel its metadata names) and runs its
 * code cells in order over the kernel's websocket, waiting for each reply and for the kernel to go idle.
 */
async function runThroughServer(notebook: string): Promise<CellRun[]> {
  const content = await getJson<{ content: { cells: { cell_type: string; source: string }[]; metadata: { kernelspec: { name: string } } } }>(
    `api/contents/${encodeURIComponent(notebook)}`,
  );
  const sessionResponse = await fetch(api('api/sessions'), {
    method: 'POST',
    headers: { Authorization: `token ${TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ path: notebook, name: notebook, type: 'notebook', kernel: { name: content.content.metadata.kernelspec.name } }),
  });
  assert.equal(sessionResponse.status, 201, `POST api/sessions for ${notebook}: HTTP ${sessionResponse.status}`);
  const session = (await sessionResponse.json()) as { id: string; kernel: { id: string; name: string } };
  assert.equal(session.kernel.name, 'tslab');
  const clientSession = randomUUID();
  const socket = new WebSocket(`ws://127.0.0.1:${port}${BASE_URL}api/kernels/${session.kernel.id}/channels?session_id=${clientSession}&token=${TOKEN}`);
  const pending = new Map<string, (m: KernelMessage) => void>();
  socket.addEventListener('message', (event) => {
    const m = JSON.parse(String(event.data)) as KernelMessage;
    pending.get(m.parent_header?.msg_id ?? '')?.(m);
  });
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve(), { once: true });
    socket.addEventListener('error', () => reject(new Error(`the kernel's websocket for ${notebook} did not open`)), { once: true });
  });

  /** Sends a request; resolves with the reply and what the kernel published for it, once it is idle again. */
  function request(msgType: string, body: Record<string, unknown>, timeoutMs: number): Promise<{ reply: KernelMessage; published: KernelMessage[] }> {
    const m = message(clientSession, msgType, body);
    const id = (m.header as { msg_id: string }).msg_id;
    return new Promise((resolve, reject) => {
      const published: KernelMessage[] = [];
      let reply: KernelMessage | undefined;
      let idle = false;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`${msgType} in ${notebook}: no ${reply ? 'idle status' : 'reply'} within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      pending.set(id, (answer) => {
        if (answer.channel === 'shell') reply = answer;
        else if (answer.channel === 'iopub' && answer.msg_type === 'status') idle ||= answer.content.execution_state === 'idle';
        else if (answer.channel === 'iopub') published.push(answer);
        if (reply && idle) {
          clearTimeout(timer);
          pending.delete(id);
          resolve({ reply, published });
        }
      });
      socket.send(JSON.stringify(m));
    });
  }

  const runs: CellRun[] = [];
  try {
    // The kernel answers kernel_info once it has started (tslab takes a few seconds).
    for (let attempt = 0; ; attempt++) {
      try {
        await request('kernel_info_request', {}, 10_000);
        break;
      } catch (error) {
        if (attempt >= 11) throw error;
      }
    }
    for (const [index, cell] of content.content.cells.entries()) {
      if (cell.cell_type !== 'code' || !cell.source.trim()) continue;
      const { reply, published } = await request(
        'execute_request',
        { code: cell.source, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true },
        180_000,
      );
      const errors = published.filter((p) => p.msg_type === 'error').map((p) => `${p.content.ename}: ${p.content.evalue}`);
      const stderr = published
        .filter((p) => p.msg_type === 'stream' && p.content.name === 'stderr')
        .map((p) => p.content.text ?? '')
        .join('');
      const text = published
        .map((p) =>
          p.msg_type === 'stream' ? (p.content.text ?? '') : [p.content.data?.['text/plain'], p.content.data?.['text/html']].filter(Boolean).join('\n'),
        )
        .join('\n');
      runs.push({ index, status: reply.content.status ?? 'missing', errors, stderr, text });
    }
  } finally {
    socket.close();
    await fetch(api(`api/sessions/${session.id}`), { method: 'DELETE', headers: { Authorization: `token ${TOKEN}` } });
  }
  return runs;
}

function assertEveryCellOk(notebook: string, runs: CellRun[]): void {
  const expected = (JSON.parse(readFileSync(join(NOTEBOOKS, notebook), 'utf8')) as { cells: { cell_type: string; source: string | string[] }[] }).cells.filter(
    (c) => c.cell_type === 'code' && [c.source].flat().join('').trim(),
  ).length;
  assert.equal(runs.length, expected, `${notebook}: every code cell ran`);
  assert.deepEqual(cellProblems(runs), [], `${notebook}: every code cell is ok, with no error and nothing on stderr`);
}

/** The cells that did not end "ok", or showed an error, or wrote to stderr (the site's build refuses those too). */
function cellProblems(runs: CellRun[]): string[] {
  return runs
    .filter((r) => r.status !== 'ok' || r.errors.length > 0 || r.stderr)
    .map((r) => `cell ${r.index}: ${r.status} ${r.errors.join('; ')} ${r.stderr}`.trim());
}

test('chapter 1 runs through the server’s API, every cell ok: the record table and the resolver’s redirect', { timeout: 10 * 60_000 }, async (t) => {
  const t0 = Date.now();
  const runs = await runThroughServer('01-warming-up.ipynb');
  t.diagnostic(`01-warming-up.ipynb: ${runs.length} code cells in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  assertEveryCellOk('01-warming-up.ipynb', runs);
  const all = runs.map((r) => r.text).join('\n');
  assert.match(all, /<table[\s\S]*11304\/cf8956a2-39d3-11e5-8a18-f31aa6f4d448[\s\S]*HS_ADMIN/, 'the record of the warm-up PID as a table');
  assert.match(all, /HTTP 302, Location: http:\/\/127\.0\.0\.1:8000\/files\/landing\/11304\/cf8956a2/, 'the resolver’s redirect, from the server inside');
});

test('chapter 3 runs through the server’s API, every cell ok: registering the same PID twice gives the 409', { timeout: 10 * 60_000 }, async (t) => {
  const t0 = Date.now();
  const runs = await runThroughServer('03-registering-a-file.ipynb');
  t.diagnostic(`03-registering-a-file.ipynb: ${runs.length} code cells in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  assertEveryCellOk('03-registering-a-file.ipynb', runs);
  const all = runs.map((r) => r.text).join('\n');
  assert.match(all, /error\.name: +HandleAlreadyExistsError/);
  assert.match(all, /error\.message: 21\.T12995\/[0-9a-f-]{36} already exists/);
});

test('the cell-by-cell run reports a failing cell (so the two chapters above could fail)', { timeout: 5 * 60_000 }, async () => {
  const notebook = 'binder-test-failing.ipynb';
  const cells = ["console.log('before');", "throw new Error('a failing cell');", "console.log('after');"].map((source) => ({
    cell_type: 'code',
    execution_count: null,
    metadata: {},
    outputs: [],
    source,
  }));
  const put = await fetch(api(`api/contents/${notebook}`), {
    method: 'PUT',
    headers: { Authorization: `token ${TOKEN}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      type: 'notebook',
      format: 'json',
      content: { cells, metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } }, nbformat: 4, nbformat_minor: 5 },
    }),
  });
  assert.equal(put.status, 201, `PUT ${notebook}: HTTP ${put.status}`);
  try {
    const runs = await runThroughServer(notebook);
    // tslab answers every cell after a failure with "abort" (even one sent after the failure's reply): the per-cell
    // status is what shows that every cell really ran.
    assert.deepEqual(
      runs.map((r) => r.status),
      ['ok', 'error', 'abort'],
    );
    // tslab writes a thrown error to stderr (no error message on iopub): the stderr check is what shows it.
    const problems = cellProblems(runs);
    assert.equal(problems.length, 2, problems.join('\n'));
    assert.match(problems[0]!, /^cell 1: error [\s\S]*Error: a failing cell/);
    assert.equal(problems[1], 'cell 2: abort');
  } finally {
    await fetch(api(`api/contents/${notebook}`), { method: 'DELETE', headers: { Authorization: `token ${TOKEN}` } });
  }
});
