// `npm start` end to end on a machine that has everything: it starts the mock server and Jupyter, the
// TypeScript kernel is offered, the lesson notebooks are listed, and a second start reuses everything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../support/mock-process.js';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function startLesson(env: Record<string, string>): Promise<{ output: () => string; stop: () => Promise<void>; url: Promise<string> }> {
  // Its own process group, so the test can end start.cjs, Jupyter and the mock server together.
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'start.cjs'), '--no-install'], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no Jupyter URL within 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
  });
  return {
    output: () => output,
    url,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const stopped = await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 15_000))]);
      if (!stopped) process.kill(-child.pid!, 'SIGKILL');
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // the group is gone already
      }
    },
  };
}

test('npm start serves the mock server and opens Jupyter with the TypeScript kernel on the lesson', { timeout: 180_000 }, async () => {
  const data = mkdtempSync(join(tmpdir(), 'lesson-data-'));
  const env = { PID_MOCK_PORT: String(await freePort()), PID_MOCK_DATA: data, JUPYTER_PORT: String(await freePort()) };
  const lesson = await startLesson(env);
  try {
    const url = new URL(await lesson.url);
    const token = url.searchParams.get('token')!;
    const api = (path: string) =>
      fetch(`${url.origin}${path}?token=${token}`, { signal: AbortSignal.timeout(20_000) }).then((r) => r.json() as Promise<Record<string, unknown>>);
    const specs = (await api('/api/kernelspecs')) as { kernelspecs: Record<string, unknown> };
    assert.ok('tslab' in specs.kernelspecs, 'the TypeScript kernel is offered');
    const contents = (await api('/api/contents')) as { content: Array<{ name: string }> };
    assert.ok(contents.content.some((f) => f.name === '01-warming-up.ipynb'), 'the notebooks folder is open');
    const health = await fetch(`http://127.0.0.1:${env.PID_MOCK_PORT}/_admin/health`);
    assert.equal(health.status, 200);
    for (const step of ['npm dependencies: installed', 'Jupyter: found', 'TypeScript kernel: registered', 'starting the mock Handle server', 'opening Jupyter']) {
      assert.ok(lesson.output().includes(step), `npm start says "${step}"`);
    }
  } finally {
    await lesson.stop();
  }
  const again = await startLesson({ ...env, JUPYTER_PORT: String(await freePort()) });
  try {
    await again.url;
    assert.match(again.output(), /starting the mock Handle server/, 'the second start reuses the data folder');
    assert.doesNotMatch(again.output(), /installing|registering|building/, 'nothing is installed, built or registered again');
  } finally {
    await again.stop();
  }
});
