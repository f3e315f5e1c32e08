#!/usr/bin/env node
// `npm run site`: the lesson as a static website, for people who read it before (or instead of) running it.
// Every learner notebook is executed headless on the lesson's own tslab kernel against a real mock server
// (a fresh one per chapter, as the first chapter a trainee opens), then Jupyter's nbconvert turns the executed
// notebooks into pages with the template in deploy/site/template/ (see convert.py). Plain Node, like the rest of
// deploy/: it needs the build and the registered kernel (`npm run prepare:lesson`), nothing else of npm.
//
//   --out DIR   where the site goes (default ./site); an existing folder is replaced only if it holds a site
// Environment: SITE_PARALLEL (2) chapters executed at a time.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { jupyterEnv, JUPYTER_DATA } = require('../local/start.cjs');
const { linkPackage } = require('../local/workspace.cjs');

const ROOT = path.resolve(__dirname, '..', '..');
const NOTEBOOKS = path.join(ROOT, 'notebooks');
/** Left in every built site, so a rebuild replaces an old site but never a folder that is something else. */
const MARKER = '.pid-handson-site';
const CHAPTER = /^\d\d-[a-z0-9-]+\.ipynb$/;

function fail(message, fix) {
  const error = new Error(message);
  error.fix = fix;
  throw error;
}

function options(argv) {
  let out = path.join(ROOT, 'site');
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out' && argv[i + 1]) out = path.resolve(argv[++i]);
    else fail(`unknown option: ${argv[i]}`, 'usage: npm run site [-- --out DIR]');
  }
  const parallel = Number(process.env.SITE_PARALLEL || 2);
  if (!Number.isInteger(parallel) || parallel < 1) fail(`SITE_PARALLEL must be a whole number from 1, not ${process.env.SITE_PARALLEL}`);
  return { out, parallel };
}

/** Debian's Python has Jupyter (nbclient, nbconvert); a pyenv `python3` first on PATH may not. */
function python() {
  return fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

function checkPrepared() {
  for (const file of [path.join(ROOT, 'dist', 'lesson', 'index.js'), path.join(ROOT, 'dist', 'mock-server', 'main.js')])
    if (!fs.existsSync(file)) fail(`${path.relative(ROOT, file)} is missing: the site runs the built lesson`, 'run npm run build (or npm run prepare:lesson)');
  if (!fs.existsSync(path.join(JUPYTER_DATA, 'kernels', 'tslab', 'kernel.json'))) fail('the TypeScript kernel is not registered', 'run npm run prepare:lesson');
}

/** A child process's exit, with what it wrote to stderr; rejects on a non-zero exit. */
function finished(child, what) {
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => (code === 0 ? resolve(stderr) : reject(new Error(`${what} failed (${signal ?? `exit ${code}`}):\n${stderr.trim()}`))));
  });
}

/** `pid-mock serve` on a free loopback port and a data folder of its own; resolves once it is ready. */
async function startMockServer(dataDir) {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'pid-mock.cjs'), 'serve', '--data', dataDir, '--port', '0', '--quiet'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the mock server did not get ready within 30 s:\n${stdout}${stderr}`)), 30_000);
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const ready = /on port (\d+)[\s\S]*\nready\n/.exec(stdout);
      if (ready) {
        clearTimeout(timer);
        resolve(Number(ready[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the mock server exited with ${code} before it was ready:\n${stdout}${stderr}`));
    });
  });
  return { port, credentials: path.join(dataDir, 'credentials', 'cred_file.json'), stop: () => stopChild(child) };
}

// A browser-less client closes its sockets, so SIGTERM ends the server at once; SIGKILL only if it hangs.
function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function executeChapter(file, work) {
  const started = Date.now();
  const dataDir = path.join(work, 'servers', path.basename(file, '.ipynb'));
  const server = await startMockServer(dataDir);
  try {
    const target = path.join(work, 'executed', file);
    const child = spawn(python(), [path.join(__dirname, 'execute.py'), file, target, `127.0.0.1:${server.port}`, dataDir], {
      cwd: NOTEBOOKS,
      env: { ...jupyterEnv(process.env), PID_CREDENTIALS: server.credentials },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    await finished(child, `executing notebooks/${file}`);
    process.stdout.write(`  ${file}: executed (${Math.round((Date.now() - started) / 1000)} s)\n`);
  } finally {
    await server.stop();
  }
}

/** Runs `task` over `items`, `parallel` at a time; the first failure stops new starts and is thrown. */
async function inPool(items, parallel, task) {
  const queue = [...items];
  let failure;
  const worker = async () => {
    while (queue.length && !failure) {
      const item = queue.shift();
      try {
        await task(item);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, worker));
  if (failure) throw failure;
}

/** Fails before any work when `out` is something other than nothing, an empty folder or an earlier site. */
function checkOutput(out) {
  if (!fs.existsSync(out)) return;
  if (!fs.statSync(out).isDirectory()) fail(`${out} exists and is not a folder`, 'choose another folder with --out');
  const entries = fs.readdirSync(out);
  if (entries.length && !entries.includes(MARKER))
    fail(`${out} exists and is not a site built here`, 'choose another folder with --out, or remove it yourself');
}

/** The new site replaces the old one only once it is complete: a failed build leaves the old one as it was. */
function publish(built, out) {
  fs.writeFileSync(path.join(built, MARKER), 'Built by npm run site (deploy/site/build.cjs); a rebuild replaces this folder.\n');
  fs.rmSync(out, { recursive: true, force: true });
  fs.cpSync(built, out, { recursive: true });
}

async function build(argv) {
  const { out, parallel } = options(argv);
  checkOutput(out);
  checkPrepared();
  // The notebooks import `pid-handson/lesson`, found through the package's link in node_modules.
  linkPackage(ROOT);
  const chapters = fs
    .readdirSync(NOTEBOOKS)
    .filter((f) => CHAPTER.test(f))
    .sort();
  if (!chapters.length) fail('notebooks/ holds no chapter notebooks', 'run npm run notebooks');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'pid-site-'));
  try {
    fs.mkdirSync(path.join(work, 'executed'));
    process.stdout.write(`▸ executing ${chapters.length} learner notebooks on the TypeScript kernel, ${parallel} at a time\n`);
    await inPool(chapters, parallel, (file) => executeChapter(file, work));
    process.stdout.write('▸ converting them to pages (nbconvert)\n');
    const built = path.join(work, 'site');
    const convert = spawn(python(), [path.join(__dirname, 'convert.py'), path.join(work, 'executed'), path.join(NOTEBOOKS, 'instructor'), built], {
      cwd: ROOT,
      env: jupyterEnv(process.env),
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    await finished(convert, 'converting the notebooks');
    publish(built, out);
    const shown = out.startsWith(`${ROOT}${path.sep}`) ? `./${path.relative(ROOT, out)}` : out;
    process.stdout.write(`✓ the site is in ${shown}: open ${path.join(shown, 'index.html')}, or serve the folder with any static file server\n`);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

module.exports = { build, MARKER };

if (require.main === module)
  build(process.argv.slice(2)).catch((error) => {
    process.stderr.write(`\n✗ ${error.message}\n${error.fix ? `  → ${error.fix}\n` : ''}`);
    process.exit(1);
  });
