// `npm start` on a laptop without apt: the PATH holds only node and a python3 without Jupyter (no apt-get,
// no which, no pipx), as on macOS or a non-Debian Linux. Jupyter then goes into a Python environment of the
// project's own, made with `python3 -m venv`, through that environment's pip: never `pip install --user`.
// There is no package index here, so pip is pointed at none and must fail, and the start must say what is
// missing. With no Python at all, one message names what to install and the Docker way instead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { devNull } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../support/paths.js';
import { temporaryFolder } from '../support/temporary-folders.js';

/** A folder for PATH with node and, given `python`, a python3 that runs it: nothing else. */
function bareBin(python?: string): string {
  const bin = temporaryFolder('bare-bin-');
  symlinkSync(process.execPath, join(bin, 'node'));
  if (python) {
    // A script rather than a link: a venv's python found through a link elsewhere is not in its venv.
    writeFileSync(join(bin, 'python3'), `#!/bin/sh\nexec '${python}' "$@"\n`);
    chmodSync(join(bin, 'python3'), 0o755);
  }
  return bin;
}

/** A real Python 3 that has no Jupyter: a plain environment of the machine's python3 (no site packages). */
function pythonWithoutJupyter(): string {
  const found = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' });
  assert.equal(found.status, 0, `the tests need a python3 with its venv module: ${found.stderr}`);
  const base = join(temporaryFolder('plain-python-'), 'env');
  const made = spawnSync(found.stdout.trim(), ['-m', 'venv', '--without-pip', base], { encoding: 'utf8' });
  assert.equal(made.status, 0, `python3 -m venv: ${made.stderr}`);
  const python = join(base, 'bin', 'python3');
  assert.notEqual(spawnSync(python, ['-c', 'import notebook'], { stdio: 'ignore' }).status, 0, 'the plain environment has no Jupyter');
  return python;
}

function start(path: string, extra: Record<string, string>, args: string[] = []) {
  const run = spawnSync(process.execPath, [join(ROOT, 'deploy', 'local', 'start.cjs'), '--prepare-only', ...args], {
    cwd: ROOT,
    env: {
      HOME: process.env.HOME ?? '',
      PATH: path,
      // pip with no index and no configuration of this machine (which may name a local wheel folder).
      PIP_CONFIG_FILE: devNull,
      PIP_NO_INDEX: '1',
      PIP_INDEX_URL: 'file:///nonexistent-empty-index',
      ...extra,
    },
    encoding: 'utf8',
    timeout: 170_000,
  });
  return { ...run, all: `${run.stdout}${run.stderr}` };
}

test('no apt, a python3 without Jupyter: npm start makes the project its own venv and runs its pip, and says what pip could not install', {
  timeout: 240_000,
}, () => {
  const venv = join(temporaryFolder('own-venv-'), 'venv');
  const path = bareBin(pythonWithoutJupyter());
  const first = start(path, { PID_JUPYTER_VENV: venv });
  assert.equal(first.status, 1, first.all);
  assert.match(first.stdout, /▸ \[3\/4\] Jupyter: not found; installing it into a Python environment of the project's own, /);
  assert.ok(first.stdout.includes(`making the environment: python3 -m venv ${venv} (Python 3.`), first.stdout);
  assert.ok(existsSync(join(venv, 'pyvenv.cfg')) && existsSync(join(venv, 'bin', 'python')), 'the environment was made where PID_JUPYTER_VENV says');
  assert.ok(
    first.stdout.includes(`${join(venv, 'bin', 'python')} -m pip install --disable-pip-version-check 'notebook>=6.4,<8' nbclient nbconvert ipykernel`),
    `the exact pip command is shown:\n${first.stdout}`,
  );
  assert.match(first.stderr, /No matching distribution found for notebook/, "pip's own reason is shown, not hidden");
  assert.ok(first.stderr.includes(`✗ pip could not install Jupyter (notebook, nbclient, nbconvert, ipykernel) into ${venv}`), first.stderr);
  assert.match(first.stderr, /→ pip says why above \(no network\?.*docker compose up/);
  assert.doesNotMatch(first.all, /--user|Traceback|\n\s+at /, 'no user-wide install, no stack trace');

  const again = start(path, { PID_JUPYTER_VENV: venv });
  assert.equal(again.status, 1);
  assert.match(again.stdout, /Jupyter: not found; installing it into the project's Python environment /, 'a second start reuses the environment');
  assert.doesNotMatch(again.stdout, /-m venv/);
});

test('no Python at all: npm start names what to install and the Docker way, exits 1, with no stack trace', { timeout: 120_000 }, () => {
  const path = bareBin();
  const venv = join(temporaryFolder('no-python-'), 'venv');
  const installing = start(path, { PID_JUPYTER_VENV: venv });
  assert.equal(installing.status, 1, installing.all);
  assert.equal(
    installing.stderr,
    '\n✗ Python 3 (3.9 or newer) is not installed, and Jupyter needs it\n' +
      '  → install Python 3 and its venv module: `sudo apt-get install python3 python3-venv` (Debian/Ubuntu), `sudo dnf install python3` (Fedora); ' +
      'or skip all of this and use Docker: `docker compose up` (README, "Workshop with Docker")\n',
  );
  assert.ok(!existsSync(venv), 'nothing was made');

  const told = start(path, { PID_JUPYTER_VENV: venv }, ['--no-install']);
  assert.equal(told.status, 1);
  assert.match(told.stderr, /^\n✗ Python 3 \(3\.9 or newer\) and Jupyter are not installed\n {2}→ install Python 3 .*docker compose up/);
  assert.doesNotMatch(told.all, /Traceback|\n\s+at /);
});

const { candidates } = createRequire(__filename)('../../deploy/local/python.cjs') as {
  candidates: (where: { venv: string; platform: string; apt: boolean }) => Array<{ shown: string }>;
};
const { jupyterArgs } = createRequire(__filename)('../../deploy/local/jupyter-server.cjs') as {
  jupyterArgs: (options: {
    major: number;
    root: string;
    port: number;
    instructor: boolean;
    hideGlobs: string[];
    isRoot: boolean;
    openBrowser: boolean;
  }) => string[];
};

test('where each system keeps Python: the py launcher on Windows, Homebrew on macOS, Debian’s python3 only where apt is', () => {
  const shown = (platform: string, apt: boolean) => candidates({ venv: '/p/.jupyter/venv', platform, apt }).map((c) => c.shown);
  assert.deepEqual(shown('win32', false), [join('/p/.jupyter/venv', 'Scripts', 'python.exe'), 'py -3', 'python', 'python3']);
  assert.deepEqual(shown('darwin', false), ['/p/.jupyter/venv/bin/python', 'python3', '/opt/homebrew/bin/python3', '/usr/local/bin/python3', 'python']);
  assert.deepEqual(shown('linux', true), ['/p/.jupyter/venv/bin/python', 'python3', '/usr/bin/python3', 'python']);
  assert.deepEqual(shown('linux', false), ['/p/.jupyter/venv/bin/python', 'python3', 'python']);
});

test("Notebook 7 (pip's) is given jupyter_server's option names, Notebook 6 (Debian's) its own", () => {
  const options = { root: '/ws', port: 8890, instructor: true, hideGlobs: ['node_modules'], isRoot: false, openBrowser: false };
  const seven = jupyterArgs({ ...options, major: 7 });
  const six = jupyterArgs({ ...options, major: 6 });
  for (const option of ['--ServerApp.root_dir=/ws', '--ServerApp.port_retries=0', '--JupyterNotebookApp.default_url=/tree/instructor'])
    assert.ok(seven.includes(option), option);
  for (const option of ['--notebook-dir=/ws', '--NotebookApp.port_retries=0', '--NotebookApp.default_url=/tree/instructor'])
    assert.ok(six.includes(option), option);
  assert.ok(!seven.some((arg) => arg.startsWith('--NotebookApp.')), 'no NotebookApp option, which jupyter_server would warn about');
});
