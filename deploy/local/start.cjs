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
// (the first free port from 8888).
'use strict';
const { spawnSync, spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const http = require('node:http');
const { prepareWorkspace, linkPackage, jupyterHideGlobs } = require('./workspace.cjs');

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
const JUPYTER_PACKAGES = ['jupyter-notebook', 'jupyter-nbconvert', 'python3-nbclient', 'python3-ipykernel'];
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function step(message) {
  process.stdout.write(`\n▸ ${message}\n`);
}

function fail(message, fix) {
  process.stderr.write(`\n✗ ${message}\n${fix ? `  → ${fix}\n` : ''}`);
  process.exit(1);
}

function run(command, commandArgs, options = {}) {
  const result = spawnSync(command, commandArgs, { cwd: ROOT, stdio: 'inherit', ...options });
  return result.status === 0;
}

function quiet(command, commandArgs) {
  const result = spawnSync(command, commandArgs, { cwd: ROOT, encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
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

function ensureDependencies() {
  if (dependenciesMatchLock()) {
    step('npm dependencies: installed');
    return;
  }
  if (!allowInstall) fail('npm dependencies are not installed (or not those of package-lock.json)', 'run `npm ci` (or npm start without --no-install)');
  step('installing npm dependencies (npm ci; the SQLite driver compiles, about a minute)');
  if (!run('npm', ['ci', '--no-audit', '--no-fund'])) fail('npm ci failed', 'read the npm output above');
}

function ensureBuild() {
  const marker = path.join(ROOT, 'dist', 'src', 'index.js');
  const sources = Math.max(...['src', 'lesson', 'mock-server'].map((folder) => newest(path.join(ROOT, folder), /\.ts$/)));
  if (fs.existsSync(marker) && fs.statSync(marker).mtimeMs >= sources) {
    step('build: up to date');
    return;
  }
  step('building the client and the mock server (TypeScript → dist/)');
  if (!run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'])) fail('the build failed', 'read the compiler errors above');
}

function pythonWithJupyter() {
  for (const python of ['/usr/bin/python3', 'python3']) {
    if (quiet(python, ['-c', 'import nbclient, notebook, ipykernel, jupyter_client']) !== undefined) return python;
  }
  return undefined;
}

function ensureJupyter() {
  let python = pythonWithJupyter();
  if (python && quiet('jupyter', ['notebook', '--version']) !== undefined) {
    step(`Jupyter: found (${python})`);
    return python;
  }
  if (!allowInstall)
    fail('Jupyter is not installed', `install it: sudo apt-get install -y ${JUPYTER_PACKAGES.join(' ')} (or pip install --user notebook nbclient ipykernel)`);
  if (isRoot && quiet('which', ['apt-get']) !== undefined) {
    step(`installing Jupyter from Debian packages: ${JUPYTER_PACKAGES.join(' ')}`);
    run('apt-get', ['update', '-qq']);
    if (!run('apt-get', ['install', '-y', '-qq', ...JUPYTER_PACKAGES], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }))
      fail('apt-get install failed');
  } else if (quiet('which', ['pipx']) !== undefined) {
    step('installing Jupyter with pipx');
    run('pipx', ['install', '--include-deps', 'notebook']);
    run('pipx', ['inject', 'notebook', 'nbclient', 'ipykernel']);
  } else if (quiet('python3', ['-m', 'pip', '--version']) !== undefined) {
    step('installing Jupyter into your user environment (pip install --user)');
    if (!run('python3', ['-m', 'pip', 'install', '--user', 'notebook', 'nbclient', 'nbconvert', 'ipykernel'])) fail('pip install failed');
  } else {
    fail(
      'Jupyter is not installed and no installer is available here',
      `as root: apt-get install -y ${JUPYTER_PACKAGES.join(' ')}; otherwise install Python's pip and run npm start again`,
    );
  }
  python = pythonWithJupyter();
  if (!python) fail('Jupyter was installed but Python cannot import it', 'open a new terminal (PATH) and run npm start again');
  return python;
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
}

function healthy(port) {
  return answers(`http://127.0.0.1:${port}/_admin/health`, 1000);
}

async function startMockServer() {
  if (await healthy(PORT)) {
    step(`mock Handle server: already serving on port ${PORT}`);
    return undefined;
  }
  const shown = (dir) => (dir.startsWith(ROOT) ? `./${path.relative(ROOT, dir)}` : dir);
  const log = path.join(DATA, 'pid-mock.log');
  step(`starting the mock Handle server on port ${PORT} (data in ${shown(DATA)}, request log in ${shown(log)})`);
  fs.mkdirSync(DATA, { recursive: true });
  const child = spawn(process.execPath, ['bin/pid-mock.cjs', 'serve', '--data', DATA, '--port', String(PORT), '--log-file', log], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      process.stdout.write(chunk.toString().replace(/^ready\n/m, ''));
      if (out.includes('\nready\n')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the mock server exited with code ${code} (is port ${PORT} taken? set PID_MOCK_PORT)`)));
  }).catch((error) => fail(error.message));
  return child;
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
  step(`workspace: ${WORKSPACE.startsWith(ROOT) ? `./${path.relative(ROOT, WORKSPACE)}` : WORKSPACE} (your copies of the notebooks; your changes stay there)`);
  for (const change of prepareWorkspace(path.join(ROOT, 'notebooks'), WORKSPACE)) process.stdout.write(`  ${change}\n`);
}

// What a Ctrl+C must stop, also while Jupyter is still starting.
const children = {};

async function startJupyter() {
  const credentials = GIVEN_CREDENTIALS ?? path.join(DATA, 'credentials', 'cred_file.json');
  const port = await jupyterPort();
  // Chosen here, not generated by Jupyter, so that this script prints the one address to open.
  const token = crypto.randomBytes(24).toString('hex');
  const root = instructor ? path.join(ROOT, 'notebooks') : WORKSPACE;
  step(instructor ? 'opening Jupyter on the instructor masters (notebooks/instructor, with solutions)' : 'opening Jupyter on the workspace');
  const jupyterArgs = [
    'notebook',
    `--notebook-dir=${root}`,
    '--ip=127.0.0.1',
    `--port=${port}`,
    '--NotebookApp.port_retries=0',
    '--MappingKernelManager.default_kernel_name=tslab',
    ...jupyterHideGlobs.map((glob) => `--ContentsManager.hide_globs=${glob}`),
    // Jupyter's informational lines drown the one line that matters; warnings and errors still show.
    '--log-level=WARN',
    ...(instructor ? ['--NotebookApp.default_url=/tree/instructor'] : []),
    ...(isRoot ? ['--allow-root'] : []),
    ...(process.env.DISPLAY ? [] : ['--no-browser']),
  ];
  const env = { ...jupyterEnv(), PID_CREDENTIALS: credentials, JUPYTER_TOKEN: token };
  // No stdin: Jupyter then stops on the first Ctrl+C instead of asking "Shutdown this notebook server?".
  const child = spawn('jupyter', jupyterArgs, { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] });
  children.jupyter = child;
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
  if (child.exitCode === null) {
    child.kill('SIGTERM');
    throw new Error(`Jupyter did not answer on port ${port} within a minute`);
  }
  throw new Error(`Jupyter exited with code ${child.exitCode} (is port ${port} taken? set JUPYTER_PORT)`);
}

async function main() {
  checkNode();
  ensureDependencies();
  ensureBuild();
  // The notebooks import `pid-handson/lesson`: the package must be found from every notebook folder.
  linkPackage(ROOT);
  ensureJupyter();
  ensureKernel();
  if (prepareOnly) {
    step('prepared: dependencies, build, Jupyter and the TypeScript kernel are ready');
    return;
  }
  const mock = GIVEN_CREDENTIALS ? useGivenCredentials() : await startMockServer();
  if (!instructor) prepareTraineeWorkspace();
  let stopping = false;
  const stop = (code) => {
    if (stopping) return;
    stopping = true;
    void (async () => {
      if (children.jupyter && children.jupyter.exitCode === null) children.jupyter.kill('SIGTERM');
      if (mock) await stopMockServer(mock);
      process.exit(code);
    })();
  };
  process.on('SIGINT', () => stop(0));
  process.on('SIGTERM', () => stop(0));
  let jupyter;
  try {
    jupyter = await startJupyter();
  } catch (error) {
    if (mock) await stopMockServer(mock);
    fail(error.message);
  }
  jupyter.on('exit', (code) => stop(code ?? 0));
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
// can hold that up, and the trainee's Ctrl+C must not leave a server behind.
function stopMockServer(mock) {
  if (mock.exitCode !== null || mock.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => mock.kill('SIGKILL'), 5000);
    mock.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    mock.kill('SIGTERM');
  });
}

module.exports = { jupyterEnv, JUPYTER_DATA };

if (require.main === module) main().catch((error) => fail(error.message));
