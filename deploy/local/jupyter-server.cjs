// The Jupyter server of `npm start`: its command line for Notebook 6 (NotebookApp) and Notebook 7
// (jupyter_server's ServerApp), a runtime folder of its own per run, and a clean stop. Plain Node.
//
// The clean stop: the server runs in its own process group, so the terminal's Ctrl+C does not reach it nor
// its kernels. Interrupted together, a kernel dies while the server is still shutting it down, and Jupyter
// prints a 97-line traceback ("Event loop stopped before Future completed") and leaves the kernel's
// connection file behind. Instead the server is asked once, through its API, to shut down: it stops every
// kernel and exits 0. SIGTERM, and then SIGKILL, only when it does not answer.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/** The arguments of `python -m notebook` for the notebook server of major version `major` (6 or 7). */
function jupyterArgs({ major, root, port, instructor, hideGlobs, isRoot, openBrowser }) {
  const server = major >= 7 ? 'ServerApp' : 'NotebookApp';
  return [
    major >= 7 ? `--ServerApp.root_dir=${root}` : `--notebook-dir=${root}`,
    '--ip=127.0.0.1',
    `--port=${port}`,
    `--${server}.port_retries=0`,
    '--MappingKernelManager.default_kernel_name=tslab',
    ...hideGlobs.map((glob) => `--ContentsManager.hide_globs=${glob}`),
    // Jupyter's informational lines drown the one line that matters; warnings and errors still show.
    '--log-level=WARN',
    ...(instructor ? [`--${major >= 7 ? 'JupyterNotebookApp' : 'NotebookApp'}.default_url=/tree/instructor`] : []),
    ...(isRoot ? ['--allow-root'] : []),
    ...(openBrowser ? [] : ['--no-browser']),
  ];
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/**
 * A fresh runtime folder for this run, `<base>/<pid>`. The folders of earlier runs whose process is gone
 * (a start killed hard) are removed on the way.
 */
function runtimeFolder(base, pid = process.pid) {
  fs.mkdirSync(base, { recursive: true });
  for (const entry of fs.readdirSync(base)) {
    if (/^\d+$/.test(entry) && Number(entry) !== pid && !alive(Number(entry))) fs.rmSync(path.join(base, entry), { recursive: true, force: true });
  }
  const folder = path.join(base, String(pid));
  fs.rmSync(folder, { recursive: true, force: true });
  fs.mkdirSync(folder, { recursive: true });
  return folder;
}

function exited(child, ms) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function signalGroup(child, signal) {
  try {
    // The negative pid is the whole group: the server and the kernels it started.
    if (process.platform !== 'win32') process.kill(-child.pid, signal);
    else child.kill(signal);
  } catch {
    // gone already
  }
}

async function api(origin, token, method, route) {
  const response = await fetch(`${origin}${route}`, { method, headers: { Authorization: `token ${token}` }, signal: AbortSignal.timeout(5000) });
  if (!response.ok) throw new Error(`${method} ${route}: ${response.status}`);
  return response.status === 204 ? undefined : response.json().catch(() => undefined);
}

/**
 * Stops the server and its kernels. Resolves with how many kernels were running and how the server went:
 * 'api' (it shut down when asked), 'signal' or 'killed'.
 */
async function shutdownJupyter(child, origin, token) {
  if (child.exitCode !== null || child.signalCode !== null) return { kernels: 0, how: 'gone' };
  let kernels = 0;
  try {
    kernels = ((await api(origin, token, 'GET', '/api/kernels')) ?? []).length;
    await api(origin, token, 'POST', '/api/shutdown');
    if (await exited(child, 15_000)) {
      // A kernel that outlived its server would keep its port and its connection file.
      signalGroup(child, 'SIGTERM');
      return { kernels, how: 'api' };
    }
  } catch {
    // Not answering yet (still starting) or any more: signals instead.
  }
  signalGroup(child, 'SIGTERM');
  if (await exited(child, 10_000)) return { kernels, how: 'signal' };
  signalGroup(child, 'SIGKILL');
  await exited(child, 5000);
  return { kernels, how: 'killed' };
}

module.exports = { jupyterArgs, runtimeFolder, shutdownJupyter, signalGroup };
