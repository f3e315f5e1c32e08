#!/usr/bin/env node
// `npm start`: from a fresh clone to a running lesson. Installs the npm dependencies if needed, builds,
// installs Jupyter when missing, registers the TypeScript (tslab) kernel, starts the mock Handle server
// on ./data and opens Jupyter on notebooks/. Plain Node with no dependencies, since it runs before any
// are installed. `--prepare-only` stops after the preparation (used by `npm test`); `--no-install`
// forbids installing anything and says what is missing instead.
'use strict';
const { spawnSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const http = require('node:http');

const ROOT = path.resolve(__dirname, '..');
const args = new Set(process.argv.slice(2));
const allowInstall = !args.has('--no-install');
const prepareOnly = args.has('--prepare-only');
const PORT = Number(process.env.PID_MOCK_PORT || 8000);
const DATA = path.resolve(process.env.PID_MOCK_DATA || path.join(ROOT, 'data'));
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

function ensureDependencies() {
  const installed = path.join(ROOT, 'node_modules', '.package-lock.json');
  const lock = path.join(ROOT, 'package-lock.json');
  if (fs.existsSync(installed) && fs.statSync(installed).mtimeMs >= fs.statSync(lock).mtimeMs) {
    step('npm dependencies: installed');
    return;
  }
  if (!allowInstall) fail('npm dependencies are not installed', 'run `npm ci` (or npm start without --no-install)');
  step('installing npm dependencies (npm ci; the SQLite driver compiles, about a minute)');
  if (!run('npm', ['ci', '--no-audit', '--no-fund'])) fail('npm ci failed', 'read the npm output above');
}

function ensureBuild() {
  const marker = path.join(ROOT, 'dist', 'src', 'index.js');
  const sources = Math.max(newest(path.join(ROOT, 'src'), /\.ts$/), newest(path.join(ROOT, 'mock-server'), /\.ts$/));
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
  if (!allowInstall) fail('Jupyter is not installed', `install it: sudo apt-get install -y ${JUPYTER_PACKAGES.join(' ')} (or pip install --user notebook nbclient ipykernel)`);
  if (isRoot && quiet('which', ['apt-get']) !== undefined) {
    step(`installing Jupyter from Debian packages: ${JUPYTER_PACKAGES.join(' ')}`);
    run('apt-get', ['update', '-qq']);
    if (!run('apt-get', ['install', '-y', '-qq', ...JUPYTER_PACKAGES], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })) fail('apt-get install failed');
  } else if (quiet('which', ['pipx']) !== undefined) {
    step('installing Jupyter with pipx');
    run('pipx', ['install', '--include-deps', 'notebook']);
    run('pipx', ['inject', 'notebook', 'nbclient', 'ipykernel']);
  } else if (quiet('python3', ['-m', 'pip', '--version']) !== undefined) {
    step('installing Jupyter into your user environment (pip install --user)');
    if (!run('python3', ['-m', 'pip', 'install', '--user', 'notebook', 'nbclient', 'nbconvert', 'ipykernel'])) fail('pip install failed');
  } else {
    fail('Jupyter is not installed and no installer is available here', `as root: apt-get install -y ${JUPYTER_PACKAGES.join(' ')}; otherwise install Python's pip and run npm start again`);
  }
  python = pythonWithJupyter();
  if (!python) fail('Jupyter was installed but Python cannot import it', 'open a new terminal (PATH) and run npm start again');
  return python;
}

function ensureKernel(python) {
  const tslab = path.join(ROOT, 'node_modules', '.bin', 'tslab');
  const specs = quiet(python, ['-c', 'import json; from jupyter_client.kernelspec import KernelSpecManager as M; print(json.dumps(M().find_kernel_specs()))']);
  const found = specs ? JSON.parse(specs).tslab : undefined;
  if (found) {
    const argv = JSON.parse(fs.readFileSync(path.join(found, 'kernel.json'), 'utf8')).argv || [];
    if (argv[0] === tslab) {
      step(`TypeScript kernel: registered (${found})`);
      return;
    }
  }
  // The kernel starts the absolute tslab of this project, so Jupyter, JupyterLab and VS Code find it
  // whatever their PATH.
  step('registering the TypeScript kernel (tslab) with Jupyter');
  if (!run(tslab, ['install', `--python=${python}`, `--binary=${tslab}`, ...(isRoot ? [] : ['--user'])])) fail('tslab install failed');
}

function healthy(port) {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/_admin/health', timeout: 1000 }, (response) => {
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

async function startMockServer() {
  if (await healthy(PORT)) {
    step(`mock Handle server: already serving on port ${PORT}`);
    return undefined;
  }
  step(`starting the mock Handle server on port ${PORT} (data in ${DATA.startsWith(ROOT) ? `./${path.relative(ROOT, DATA)}` : DATA})`);
  const child = spawn(process.execPath, ['bin/pid-mock.cjs', 'serve', '--data', DATA, '--port', String(PORT), '--quiet'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      process.stdout.write(chunk);
      if (out.includes('\nready\n')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the mock server exited with code ${code} (is port ${PORT} taken? set PID_MOCK_PORT)`)));
  }).catch((error) => fail(error.message));
  return child;
}

function startJupyter() {
  const credentials = path.join(DATA, 'credentials', 'cred_file.json');
  step(`opening Jupyter on notebooks/ (PID_CREDENTIALS=${credentials})`);
  const env = { ...process.env, PID_CREDENTIALS: credentials, PATH: `${path.join(ROOT, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH}` };
  const jupyterArgs = ['notebook', '--notebook-dir', path.join(ROOT, 'notebooks'), ...(isRoot ? ['--allow-root'] : []), ...(process.env.DISPLAY ? [] : ['--no-browser']), ...(process.env.JUPYTER_PORT ? ['--port', process.env.JUPYTER_PORT] : [])];
  return spawn('jupyter', jupyterArgs, { cwd: ROOT, env, stdio: 'inherit' });
}

async function main() {
  checkNode();
  ensureDependencies();
  ensureBuild();
  const python = ensureJupyter();
  ensureKernel(python);
  if (prepareOnly) {
    step('prepared: dependencies, build, Jupyter and the TypeScript kernel are ready');
    return;
  }
  const mock = await startMockServer();
  const jupyter = startJupyter();
  const stop = () => {
    jupyter.kill('SIGTERM');
    if (mock) mock.kill('SIGTERM');
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  jupyter.on('exit', (code) => {
    if (mock) mock.kill('SIGTERM');
    process.exit(code ?? 0);
  });
}

main().catch((error) => fail(error.message));
