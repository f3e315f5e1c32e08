#!/usr/bin/env node
// `npm start`: from a fresh clone to a running lesson. Installs the npm dependencies if needed, builds,
// installs Jupyter when missing, registers the TypeScript (tslab) kernel in the project's own Jupyter
// data folder (.jupyter/, put on JUPYTER_PATH), starts the mock Handle server on ./data, prepares the
// trainee's workspace (./workspace, seeded from the learner copies, see deploy/local/workspace.cjs) and opens
// Jupyter on it. Plain Node with no dependencies, since it runs before any are installed.
//
//   --instructor    open the instructor masters (notebooks/instructor) instead of the workspace
//   --prepare-only  stop after the preparation (used by `npm test`)
//   --no-install    install nothing; say what is missing instead
// Environment: PID_MOCK_PORT (8000), PID_MOCK_DATA (./data), PID_WORKSPACE (./workspace), JUPYTER_PORT
// (the first free port from 8888), PID_JUPYTER_VENV (.jupyter/venv: where Jupyter is installed when neither
// a Python with it nor apt as root is there; see deploy/local/python.cjs).
'use strict';
const { spawnSync, spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const http = require('node:http');
const { prepareWorkspace, linkPackage, jupyterHideGlobs } = require('./workspace.cjs');
const { planSteps, step, detail, fail, runLong } = require('./progress.cjs');
const { ensureJupyter } = require('./python.cjs');
const { jupyterArgs: serverArgs, runtimeFolder, shutdownJupyter, signalGroup } = require('./jupyter-server.cjs');

const ROOT = path.resolve(__dirname, '..', '..');
const args = new Set(process.argv.slice(2));
const allowInstall = !args.has('--no-install');
const prepareOnly = args.has('--prepare-only');
const instructor = args.has('--instructor');
const PORT = Number(process.env.PID_MOCK_PORT || 8000);
const DATA = path.resolve(process.env.PID_MOCK_DATA || path.join(ROOT, 'data'));
const WORKSPACE = path.resolve(process.env.PID_WORKSPACE || path.join(ROOT, 'workspace'));
// A trainee of a class (or someone with a real Handle server) brings their own credentials: then the
// server those name serves the lesson, and no local mock is started.
const GIVEN_CREDENTIALS = process.env.PID_CREDENTIALS ? path.resolve(process.env.PID_CREDENTIALS) : undefined;
// The project's own Jupyter data folder: the kernel registered here is seen only by Jupyter processes
// that npm start (or the tests) run with it on JUPYTER_PATH, and goes away with the checkout.
const JUPYTER_DATA = path.join(ROOT, '.jupyter', 'share', 'jupyter');
const JUPYTER_VENV = path.resolve(process.env.PID_JUPYTER_VENV || path.join(ROOT, '.jupyter', 'venv'));
// Kernel connection files and the server's own files of one run, in a folder of this run that the stop
// removes: nothing is left in the user's Jupyter runtime folder, even by a kernel that did not stop.
const JUPYTER_RUNTIME = path.join(ROOT, '.jupyter', 'runtime');
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

// What the stop must end, also while Jupyter is still starting.
const children = {};

function shown(dir) {
  return dir === ROOT || dir.startsWith(`${ROOT}${path.sep}`) ? `./${path.relative(ROOT, dir)}` : dir;
}

function newest(dir, pattern) {
  let latest = 0;
  if (!fs.existsSync(dir)) return latest;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) latest = Math.max(latest, newest(full, pattern));
    else if (pattern.test(entry.name)) latest = Math.max(latest, fs.statSync(full).mtimeMs);
  }
  return latest;
}

function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 19)) fail(`Node ${process.versions.node} is too old`, 'install Node 20.19 or newer');
}

// npm ci leaves node_modules/.package-lock.json: the install matches the lock file when every package
// of the lock is installed at its locked version (optional ones, e.g. for other platforms, may be absent).
function dependenciesMatchLock() {
  try {
    const locked = JSON.parse(fs.readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')).packages;
    const installed = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', '.package-lock.json'), 'utf8')).packages;
    return Object.entries(locked).every(([name, entry]) => name === '' || installed[name]?.version === entry.version || (entry.optional && !installed[name]));
  } catch {
    return false;
  }
}

async function ensureDependencies() {
  if (dependenciesMatchLock()) {
    step('npm dependencies: installed');
    return;
  }
  if (!allowInstall) fail('npm dependencies are not installed (or not those of package-lock.json)', 'run `npm ci` (or npm start without --no-install)');
  step('installing the npm dependencies (npm ci): 1 to 2 minutes, or 4 to 6 where the SQLite driver has no prebuilt binary to download and compiles');
  // Through the npm that runs `npm start` (npm_execpath): on Windows `npm` alone is npm.cmd, which Node
  // does not run without a shell.
  const npm = process.env.npm_execpath ? [process.execPath, [process.env.npm_execpath]] : ['npm', []];
  const ok = await runLong('installing the npm dependencies', npm[0], [...npm[1], 'ci', '--no-audit', '--no-fund'], {
    cwd: ROOT,
    shell: !process.env.npm_execpath && process.platform === 'win32',
  });
  if (!ok) fail('npm ci failed', 'read the npm output above');
}

function ensureBuild() {
  const marker = path.join(ROOT, 'dist', 'src', 'index.js');
  const sources = Math.max(...['src', 'lesson', 'mock-server'].map((folder) => newest(path.join(ROOT, folder), /\.ts$/)));
  if (fs.existsSync(marker) && fs.statSync(marker).mtimeMs >= sources) {
    step('build: up to date');
    return;
  }
  step('building the client and the mock server (TypeScript → dist/, about 30 s)');
  const built = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });
  if (built.status !== 0) fail('the build failed', 'read the compiler errors above');
}

/** The environment every Jupyter process of the lesson runs with (server, kernels, test runners). */
function jupyterEnv(base = process.env) {
  return {
    ...base,
    JUPYTER_PATH: [JUPYTER_DATA, base.JUPYTER_PATH].filter(Boolean).join(path.delimiter),
    // Python 3.11+ debugpy (ipykernel) warns about frozen modules on every start; nobody debugs here.
    PYDEVD_DISABLE_FILE_VALIDATION: '1',
    PATH: `${path.join(ROOT, 'node_modules', '.bin')}${path.delimiter}${base.PATH}`,
  };
}

function ensureKernel() {
  // The lesson's kernel is tslab started through dist/lesson/kernel/launch.js (it adds the advice after a
  // restart), by this very Node, so Jupyter, JupyterLab and VS Code start it whatever their PATH.
  const launcher = path.join(ROOT, 'dist', 'lesson', 'kernel', 'launch.js');
  const prefix = path.join(ROOT, '.jupyter');
  // `check` says whether the spec and the kernel's start-up snapshot are this checkout's and this Node's.
  if (spawnSync(process.execPath, [launcher, 'check', '--prefix', prefix]).status === 0) {
    step(`TypeScript kernel: registered (${path.relative(ROOT, path.join(JUPYTER_DATA, 'kernels', 'tslab'))})`);
    return;
  }
  step(`registering the TypeScript kernel (tslab) in ${path.relative(ROOT, JUPYTER_DATA)}/, with its start-up snapshot (about 10 s)`);
  const installed = spawnSync(process.execPath, [launcher, 'install', '--prefix', prefix], { cwd: ROOT, encoding: 'utf8' });
  if (installed.status !== 0) fail('registering the kernel failed', `${installed.stdout}${installed.stderr}`.trim());
  detail('done');
}

function healthy(port) {
  return answers(`http://127.0.0.1:${port}/_admin/health`, 1000);
}

async function startMockServer() {
  if (await healthy(PORT)) {
    step(`mock Handle server: already serving on port ${PORT}`);
    return undefined;
  }
  const log = path.join(DATA, 'pid-mock.log');
  step(`starting the mock Handle server on port ${PORT} (data in ${shown(DATA)}, request log in ${shown(log)})`);
  fs.mkdirSync(DATA, { recursive: true });
  // Its own process group, like Jupyter's: the terminal's Ctrl+C reaches only this script, which stops each
  // once, in order.
  const child = spawn(process.execPath, ['bin/pid-mock.cjs', 'serve', '--data', DATA, '--port', String(PORT), '--log-file', log], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: process.platform !== 'win32',
  });
  children.mock = child;
  await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      process.stdout.write(chunk.toString().replace(/^ready\n/m, ''));
      if (out.includes('\nready\n')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the mock server exited with code ${code} (is port ${PORT} taken? set PID_MOCK_PORT)`)));
  }).catch((error) => fail(error.message));
}

function portIsFree(port) {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

// Jupyter would move to the next port itself, but then the address printed here would be wrong.
async function jupyterPort() {
  if (process.env.JUPYTER_PORT) return Number(process.env.JUPYTER_PORT);
  for (let port = 8888; port < 8988; port++) if (await portIsFree(port)) return port;
  throw new Error('no free port for Jupyter from 8888 to 8987: set JUPYTER_PORT');
}

/** Whether `url` answers 200 within `timeoutMs`; any failure is just "no". */
function answers(url, timeoutMs = 2000) {
  return new Promise((resolve) => {
    const request = http.get(url, { timeout: timeoutMs }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('error', () => resolve(false));
    request.on('timeout', () => {
      request.destroy();
      resolve(false);
    });
  });
}

function prepareTraineeWorkspace() {
  step(`workspace: ${shown(WORKSPACE)} (your copies of the notebooks; your changes stay there)`);
  for (const change of prepareWorkspace(path.join(ROOT, 'notebooks'), WORKSPACE)) detail(change);
}

async function startJupyter(jupyter) {
  const credentials = GIVEN_CREDENTIALS ?? path.join(DATA, 'credentials', 'cred_file.json');
  const port = await jupyterPort();
  // Chosen here, not generated by Jupyter, so that this script prints the one address to open.
  const token = crypto.randomBytes(24).toString('hex');
  const root = instructor ? path.join(ROOT, 'notebooks') : WORKSPACE;
  step(instructor ? 'opening Jupyter on the instructor masters (notebooks/instructor, with solutions)' : 'opening Jupyter on the workspace');
  const major = Number.parseInt(jupyter.notebook ?? '6', 10);
  const jupyterArgs = serverArgs({ major, root, port, instructor, hideGlobs: jupyterHideGlobs, isRoot, openBrowser: Boolean(process.env.DISPLAY) });
  const runtime = runtimeFolder(JUPYTER_RUNTIME);
  children.runtime = runtime;
  const env = { ...jupyterEnv(), PID_CREDENTIALS: credentials, JUPYTER_TOKEN: token, JUPYTER_RUNTIME_DIR: runtime };
  // No stdin: Jupyter then stops on the first Ctrl+C instead of asking "Shutdown this notebook server?".
  // Its own process group: see deploy/local/jupyter-server.cjs.
  const { command, prefix } = jupyter.python;
  const child = spawn(command, [...prefix, '-m', 'notebook', ...jupyterArgs], {
    cwd: root,
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: process.platform !== 'win32',
    windowsHide: true,
  });
  children.jupyter = { child, origin: `http://127.0.0.1:${port}`, token };
  // An instructor lands on the masters themselves, not on the learner copies with the masters a folder down.
  const url = `http://127.0.0.1:${port}/${instructor ? 'tree/instructor' : ''}?token=${token}`;
  for (let i = 0; i < 240 && child.exitCode === null; i++) {
    if (await answers(`http://127.0.0.1:${port}/api`)) {
      process.stdout.write(
        `\n✓ the lesson is ready. Open it in your browser:\n\n    ${url}\n\n  (Ctrl+C here stops Jupyter and the mock server; your work stays in the workspace.)\n`,
      );
      return child;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  if (child.exitCode === null) throw new Error(`Jupyter did not answer on port ${port} within a minute`);
  throw new Error(`Jupyter exited with code ${child.exitCode} (is port ${port} taken? set JUPYTER_PORT)`);
}

/** Stops what this run started, in order, and says in one line what was stopped. */
async function stopAll() {
  const stopped = [];
  if (children.jupyter) {
    const { child, origin, token } = children.jupyter;
    const { kernels, how } = await shutdownJupyter(child, origin, token);
    if (how !== 'gone') stopped.push(kernels ? `Jupyter (${kernels === 1 ? '1 kernel' : `${kernels} kernels`})` : 'Jupyter');
    if (how === 'killed') detail('Jupyter did not stop when asked nor on SIGTERM: it was killed');
  }
  if (children.runtime) fs.rmSync(children.runtime, { recursive: true, force: true });
  if (children.mock && (await stopMockServer(children.mock))) stopped.push('the mock Handle server');
  return stopped;
}

function steps() {
  const preparation = 4; // dependencies, build, Jupyter, kernel
  if (prepareOnly) return preparation;
  return preparation + 1 /* mock server or given credentials */ + (instructor ? 0 : 1) /* workspace */ + 1; /* Jupyter */
}

async function main() {
  checkNode();
  planSteps(steps());
  await ensureDependencies();
  ensureBuild();
  // The notebooks import `pid-handson/lesson`: the package must be found from every notebook folder.
  linkPackage(ROOT);
  const jupyter = await ensureJupyter({ venv: JUPYTER_VENV, shownVenv: shown(JUPYTER_VENV), allowInstall, isRoot });
  ensureKernel();
  if (prepareOnly) {
    process.stdout.write('\n✓ prepared: dependencies, build, Jupyter and the TypeScript kernel are ready\n');
    return;
  }
  let stopping = false;
  const stop = (reason, code) => {
    if (stopping) return;
    stopping = true;
    void stopAll().then((stopped) => {
      const what = stopped.length ? `stopped ${stopped.join(' and ')}` : 'nothing was running';
      const kept = instructor ? '' : `; your work is in ${shown(WORKSPACE)}`;
      if (code === 0) process.stdout.write(`\n■ ${reason}: ${what}${kept}.\n`);
      else process.stderr.write(`\n✗ ${reason}: ${what}${kept}.\n`);
      process.exit(code);
    });
  };
  // A terminal's Ctrl+C (SIGINT), a closed terminal (SIGHUP) or a service manager (SIGTERM).
  process.on('SIGINT', () => stop('Ctrl+C', 0));
  process.on('SIGTERM', () => stop('SIGTERM', 0));
  process.on('SIGHUP', () => stop('terminal closed', 0));
  // Whatever ends this script (an uncaught error too) must not leave the servers behind.
  process.on('exit', () => {
    for (const child of [children.jupyter?.child, children.mock])
      if (child && child.exitCode === null && child.signalCode === null) signalGroup(child, 'SIGKILL');
  });
  if (GIVEN_CREDENTIALS) useGivenCredentials();
  else await startMockServer();
  if (!instructor) prepareTraineeWorkspace();
  let child;
  try {
    child = await startJupyter(jupyter);
  } catch (error) {
    await stopAll();
    fail(error.message);
  }
  // Exit 0 is Jupyter's own Quit button; anything else is a failure the trainee must see.
  child.on('exit', (code, signal) => (code === 0 ? stop('Jupyter was quit from its page', 0) : stop(`Jupyter ended (${signal ?? `exit code ${code}`})`, 1)));
}

function useGivenCredentials() {
  if (!fs.existsSync(GIVEN_CREDENTIALS)) {
    fail(
      `PID_CREDENTIALS names ${GIVEN_CREDENTIALS}, which does not exist`,
      'point it at the cred_file.json of your bundle (or unset it to use a local mock server)',
    );
  }
  step(`using your credentials ${GIVEN_CREDENTIALS} (PID_CREDENTIALS): the server they name serves the lesson, no local mock is started`);
  return undefined;
}

// The server stops on SIGTERM once its connections are closed; a browser's idle preconnected socket
// can hold that up, and the trainee's Ctrl+C must not leave a server behind. Resolves whether it was running.
function stopMockServer(mock) {
  if (mock.exitCode !== null || mock.signalCode !== null) return Promise.resolve(false);
  return new Promise((resolve) => {
    const timer = setTimeout(() => mock.kill('SIGKILL'), 5000);
    mock.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
    mock.kill('SIGTERM');
  });
}

module.exports = { jupyterEnv, JUPYTER_DATA };

if (require.main === module) main().catch((error) => fail(error.message));
