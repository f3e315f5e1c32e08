// Ctrl+C in the terminal of `npm start` with a notebook's kernel running, sent as a terminal sends it (SIGINT
// to the whole process group): the start asks Jupyter to shut down once, and the trainee reads one line
// saying what was stopped. Before, the kernel got the same SIGINT mid-shutdown and Jupyter printed a
// 97-line traceback and left the kernel's connection file in the user's Jupyter runtime folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { startLesson, temporaryLessonFolders } from '../support/lesson-process.js';
import { ROOT } from '../support/paths.js';
import { freePort } from '../support/processes.js';

function refuses(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

/** The Jupyter runtime folder of this user, where Jupyter puts kernel files when nobody says otherwise. */
function usersRuntimeFolder(): string {
  const asked = spawnSync('/usr/bin/python3', ['-c', 'from jupyter_core.paths import jupyter_runtime_dir; print(jupyter_runtime_dir())'], { encoding: 'utf8' });
  assert.equal(asked.status, 0, asked.stderr);
  return asked.stdout.trim();
}

test('Ctrl+C with a kernel open: one line says what was stopped, exit 0, no traceback, no kernel left behind', { timeout: 180_000 }, async () => {
  const folders = temporaryLessonFolders();
  const jupyterPort = await freePort();
  const mockPort = await freePort();
  const lesson = await startLesson({
    PID_MOCK_PORT: String(mockPort),
    PID_MOCK_DATA: folders.data,
    PID_WORKSPACE: folders.workspace,
    JUPYTER_PORT: String(jupyterPort),
  });
  let stopped = false;
  try {
    const url = new URL(await lesson.url);
    const auth = { Authorization: `token ${url.searchParams.get('token')}` };
    const made = await fetch(`${url.origin}/api/kernels`, { method: 'POST', headers: auth, body: JSON.stringify({ name: 'tslab' }) });
    assert.equal(made.status, 201);
    const { id } = (await made.json()) as { id: string };
    for (let i = 0; i < 240; i++) {
      const kernel = (await (await fetch(`${url.origin}/api/kernels/${id}`, { headers: auth })).json()) as { execution_state: string };
      if (kernel.execution_state === 'idle') break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const runtime = join(ROOT, '.jupyter', 'runtime', String(lesson.pid));
    const connectionFile = join(runtime, `kernel-${id}.json`);
    assert.ok(existsSync(connectionFile), `the kernel's connection file is in the run's own runtime folder: ${readdirSync(runtime).join(', ')}`);
    const { shell_port: shellPort } = JSON.parse(readFileSync(connectionFile, 'utf8')) as { shell_port: number };
    assert.equal(await refuses(shellPort), false, 'the kernel is up');

    const before = lesson.output().length;
    const code = await lesson.interrupt();
    stopped = true;
    const after = lesson.output().slice(before);
    assert.equal(code, 0, lesson.output());
    assert.deepEqual(
      after.split('\n').filter((line) => line.trim() !== ''),
      [`■ Ctrl+C: stopped Jupyter (1 kernel) and the mock Handle server; your work is in ${folders.workspace}.`],
      `one line after Ctrl+C:\n${after}`,
    );
    assert.doesNotMatch(lesson.output(), /Traceback|Error|\[C /, 'no traceback, no error, no critical Jupyter line');
    assert.ok(!existsSync(runtime), "the run's runtime folder is gone");
    assert.ok(!existsSync(join(usersRuntimeFolder(), `kernel-${id}.json`)), "nothing in the user's Jupyter runtime folder");
    for (const [what, port] of [
      ['the kernel', shellPort],
      ['Jupyter', jupyterPort],
      ['the mock server', mockPort],
    ] as const) {
      assert.ok(await refuses(port), `${what} no longer listens`);
    }
  } finally {
    if (!stopped) await lesson.stop();
  }
});
