// Jupyter for `npm start`: finds a Python that has it, or installs it. On Debian/Ubuntu as root from the
// Debian packages; anywhere else into a Python environment of the project's own (.jupyter/venv, or
// PID_JUPYTER_VENV), never with `pip install --user`, which PEP 668 refuses on Homebrew's and Debian 12's
// Python and which would mix the lesson's Jupyter into the user's own. Python is looked up by running each
// candidate with --version, as `which` exists neither on Windows nor in every minimal image.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { step, detail, fail, runLong } = require('./progress.cjs');

const DEBIAN_PACKAGES = ['jupyter-notebook', 'jupyter-nbconvert', 'python3-nbclient', 'python3-ipykernel'];
// Notebook 6 or 7: both serve the lesson, and the lesson's wording names the menus of both.
const PIP_PACKAGES = ['notebook>=6.4,<8', 'nbclient', 'nbconvert', 'ipykernel'];
const JUPYTER_MODULES = ['notebook', 'nbclient', 'ipykernel', 'jupyter_client'];
const OLDEST = [3, 9];

/** A Python to try: a command, and the arguments that select Python 3 (`py -3` on Windows). */
function python(command, prefix = []) {
  return { command, prefix, shown: [command, ...prefix].join(' ') };
}

function venvPython(venv, platform = process.platform) {
  return platform === 'win32' ? path.join(venv, 'Scripts', 'python.exe') : path.join(venv, 'bin', 'python');
}

/** What `python … args` prints, or undefined when it cannot run or fails. */
function ask(candidate, args, env) {
  const result = spawnSync(candidate.command, [...candidate.prefix, ...args], { encoding: 'utf8', env, windowsHide: true, timeout: 60_000 });
  return result.status === 0 ? `${result.stdout}`.trim() : undefined;
}

function hasCommand(command, args, env) {
  return spawnSync(command, args, { stdio: 'ignore', env, windowsHide: true, timeout: 30_000 }).status === 0;
}

/**
 * The Pythons to look at, in order: the project's own environment, then what the PATH gives, then the
 * places installers put Python where a PATH may not reach. Debian's /usr/bin/python3 counts only where
 * apt is, since apt is what puts Jupyter there; a pyenv or conda python3 earlier on the PATH would hide it.
 */
function candidates({ venv, platform, apt }) {
  const list = [python(venvPython(venv, platform))];
  if (platform === 'win32') list.push(python('py', ['-3']), python('python'), python('python3'));
  else {
    list.push(python('python3'));
    if (apt) list.push(python('/usr/bin/python3'));
    if (platform === 'darwin') list.push(python('/opt/homebrew/bin/python3'), python('/usr/local/bin/python3'));
    list.push(python('python'));
  }
  return list;
}

/** The candidate with its version ("3.11") when it runs and is Python 3.9 or newer. */
function working(candidate, env) {
  // Python 2 prints its version to stderr, so it never matches; neither does Windows' Store stub.
  const version = /^Python (\d+)\.(\d+)/.exec(ask(candidate, ['--version'], env) ?? '');
  if (!version) return undefined;
  const [major, minor] = [Number(version[1]), Number(version[2])];
  return major === OLDEST[0] && minor >= OLDEST[1] ? { ...candidate, version: `${major}.${minor}` } : undefined;
}

function workingPythons(list, env) {
  return list.map((candidate) => working(candidate, env)).filter(Boolean);
}

/** The first working candidate that imports Jupyter, with its notebook server's version ("6.4.12", "7.2.1"). */
function firstWithJupyter(list, env) {
  for (const candidate of list) {
    const found = working(candidate, env);
    const notebook = found && ask(found, ['-c', `import ${JUPYTER_MODULES.join(', ')}; print(notebook.__version__)`], env);
    if (notebook) return { python: found, notebook };
  }
  return undefined;
}

function installHint(platform) {
  if (platform === 'win32') return 'install Python 3 from https://www.python.org/downloads/ (or `winget install Python.Python.3.12`), then open a new terminal';
  if (platform === 'darwin') return 'install Python 3: `brew install python` (Homebrew) or https://www.python.org/downloads/';
  return 'install Python 3 and its venv module: `sudo apt-get install python3 python3-venv` (Debian/Ubuntu), `sudo dnf install python3` (Fedora)';
}

const DOCKER = 'or skip all of this and use Docker: `docker compose up` (README, "Workshop with Docker")';

/**
 * A Python that imports Jupyter, installed if needed and allowed. Returns { python, notebook } where
 * python is a candidate (command + prefix) and notebook the notebook server's version.
 */
async function ensureJupyter({ venv, allowInstall, isRoot, env = process.env, platform = process.platform, shownVenv = venv }) {
  const apt = platform === 'linux' && hasCommand('apt-get', ['--version'], env);
  const ready = firstWithJupyter(candidates({ venv, platform, apt }), env);
  if (ready) {
    step(`Jupyter: found (${ready.python.shown}, Python ${ready.python.version}, Notebook ${ready.notebook})`);
    return ready;
  }
  const pythons = workingPythons(candidates({ venv, platform, apt }), env);
  if (!allowInstall) {
    if (pythons.length === 0) fail('Python 3 (3.9 or newer) and Jupyter are not installed', `${installHint(platform)}; ${DOCKER}`);
    const ways = apt ? `sudo apt-get install -y ${DEBIAN_PACKAGES.join(' ')}, or ` : '';
    fail('Jupyter is not installed', `${ways}run npm start without --no-install to install it into ${shownVenv}; ${DOCKER}`);
  }
  if (apt && isRoot) {
    step(`Jupyter: not found; installing the Debian packages ${DEBIAN_PACKAGES.join(' ')} (1 to 3 minutes)`);
    const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' };
    await runLong('installing the Debian packages', 'apt-get', ['update', '-qq'], { env: aptEnv });
    if (!(await runLong('installing the Debian packages', 'apt-get', ['install', '-y', '-qq', ...DEBIAN_PACKAGES], { env: aptEnv })))
      fail('apt-get could not install Jupyter', `apt says why above; ${DOCKER}`);
  } else {
    await installIntoVenv({ pythons, venv, env, platform, shownVenv });
  }
  const installed = firstWithJupyter(candidates({ venv, platform, apt }), env);
  if (!installed) fail('Jupyter was installed but no Python here can import it', `open a new terminal and run npm start again; ${DOCKER}`);
  detail(`Jupyter: ${installed.python.shown}, Python ${installed.python.version}, Notebook ${installed.notebook}`);
  return installed;
}

/** An argument as a POSIX shell takes it back, for a command shown to be copied. */
function quoted(arg) {
  return /^[\w@%+=:,./-]+$/.test(arg) && !/[<>]/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`;
}

async function installIntoVenv({ pythons, venv, env, platform, shownVenv }) {
  const own = venvPython(venv, platform);
  const existing = pythons.find((candidate) => candidate.command === own);
  if (existing) step(`Jupyter: not found; installing it into the project's Python environment ${shownVenv}`);
  else {
    const base = pythons[0];
    if (!base) fail('Python 3 (3.9 or newer) is not installed, and Jupyter needs it', `${installHint(platform)}; ${DOCKER}`);
    step(`Jupyter: not found; installing it into a Python environment of the project's own, ${shownVenv}`);
    detail(`making the environment: ${base.shown} -m venv ${venv} (Python ${base.version})`);
    const made = spawnSync(base.command, [...base.prefix, '-m', 'venv', venv], { stdio: 'inherit', env, windowsHide: true });
    if (made.status !== 0) {
      const fix = platform === 'linux' ? "install Python's venv module: `sudo apt-get install python3-venv` (Debian/Ubuntu)" : installHint(platform);
      fail(`${base.shown} could not make a Python environment in ${shownVenv}`, `${fix}; ${DOCKER}`);
    }
  }
  const pipArgs = ['-m', 'pip', 'install', '--disable-pip-version-check', ...PIP_PACKAGES];
  detail(`installing Jupyter with pip (about 60 MB to download, 1 to 3 minutes): ${[own, ...pipArgs].map(quoted).join(' ')}`);
  if (!(await runLong('installing Jupyter with pip', own, pipArgs, { env })))
    fail(
      `pip could not install Jupyter (${PIP_PACKAGES.map((p) => p.replace(/[<>=].*/, '')).join(', ')}) into ${shownVenv}`,
      `pip says why above (no network? behind a proxy, set HTTPS_PROXY); run npm start again once it can download, ${DOCKER}`,
    );
}

module.exports = { ensureJupyter, candidates, workingPythons, venvPython, DEBIAN_PACKAGES, PIP_PACKAGES };
