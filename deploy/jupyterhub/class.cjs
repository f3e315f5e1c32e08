#!/usr/bin/env node
// `npm run class -- --users 30`: a whole class on this machine. Prepares the lesson (as `npm start` does),
// installs JupyterHub and its proxy when missing (Debian packages, as root), and runs JupyterHub with
// deploy/jupyterhub/jupyterhub_config.py on a class folder that keeps everything between runs: the hub's
// users and their logins, the mock Handle server's data (trainee identities, handles), each user's home.
// Every user gets a password of their own, printed once and written to <class-dir>/logins.csv (root only);
// the hub checks the scrypt hashes in <class-dir>/hub-logins.json. Each user's Jupyter server runs as a Unix
// user of their own (made by the hub on the first start), so the hub must run as root. Plain Node.
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { loginTable, updateLogins } = require('./class-logins.cjs');
const { secureClassFolder, unreachable } = require('./class-folder.cjs');

const ROOT = path.resolve(__dirname, '..', '..');
const CONFIG = path.join(__dirname, 'jupyterhub_config.py');
const JUPYTERHUB = process.env.PID_HANDSON_JUPYTERHUB || '/usr/bin/jupyterhub';
const DEBIAN_PROXY_MODULES = '/usr/share/nodejs';
const { CLASS_DEFAULTS, classSettings, describeSettings, hubSettingsEnv } = require('./class-settings.cjs');

const USAGE = `usage: npm run class -- (--users N | --names a,b,c) [options]

  --users N            trainees trainee01 … traineeNN, each with a login of their own
  --names a,b,c        these trainee user names instead
                       (needed on the first run; later runs keep the class's list unless given again)
  --instructor NAME    hub admin and instructor (repeatable; default "instructor")
  --new-password NAME  give this user a new password, e.g. for a lost sheet (repeatable)
  --class-dir DIR      where the class lives between runs (default ./class)
  --ip ADDRESS         address the hub listens on (default 127.0.0.1; 0.0.0.0 for a classroom network)
  --port N             the hub's port (default 8000, or the one of the previous run; 0 = any free port)
  --unix-prefix P      start of each user's Unix user name (default "pid-": pid-trainee01, …)
  --api-token TOKEN    also accept this token on the hub's REST API with admin rights (scripts, tests)
  --logins-only        write the logins (hub-logins.json, logins.csv) into the class folder and stop:
                       for a hub elsewhere, e.g. on Kubernetes (docs/class-on-kubernetes.md)
  --no-install         never install anything; say what is missing instead
  --no-prepare         skip the lesson's preparation (build, Jupyter, kernel) when it is known to be done

  settings for a class on one machine (docs/class-on-one-machine.md has the measured figures):
  --spawn-limit N      servers starting at once; a trainee beyond it is told to try again (default ${CLASS_DEFAULTS.spawnLimit})
  --active-limit N     servers running at once; 0 = no limit (default ${CLASS_DEFAULTS.activeLimit})
  --start-timeout S    seconds a server may take to start before the hub gives up (default ${CLASS_DEFAULTS.startTimeout})
  --cull-idle MINUTES  a kernel nobody has used (and no open notebook shows) for this long is stopped, and
                       a server with no kernel and no activity for this long stops itself; 0 = never
                       (default ${CLASS_DEFAULTS.cullIdle})
  --mem-limit SIZE     e.g. 1G or 800M: each user's server and kernels; enforced through a memory cgroup
                       where this machine lets root make one, advisory otherwise (default none)
  --kernel-snapshot on|off  start kernels from the Node start-up snapshot: about half the CPU per kernel
                       start, about 35 MB more per kernel (default ${CLASS_DEFAULTS.kernelSnapshot}, off with the compile service)
  --compile-service on|off  one process compiles every trainee's cells, so that no kernel loads TypeScript:
                       kernels of about 85 MB that give a first output in about 0.6 s (default ${CLASS_DEFAULTS.compileService})`;

function fail(message, fix) {
  process.stderr.write(`class: ${message}\n${fix ? `  → ${fix}\n` : ''}`);
  process.exit(2);
}

function options() {
  let parsed;
  try {
    parsed = parseArgs({
      args: process.argv.slice(2),
      options: {
        users: { type: 'string' },
        names: { type: 'string' },
        instructor: { type: 'string', multiple: true },
        'new-password': { type: 'string', multiple: true },
        'unix-prefix': { type: 'string' },
        'class-dir': { type: 'string' },
        ip: { type: 'string' },
        port: { type: 'string' },
        'api-token': { type: 'string' },
        'spawn-limit': { type: 'string' },
        'active-limit': { type: 'string' },
        'start-timeout': { type: 'string' },
        'cull-idle': { type: 'string' },
        'mem-limit': { type: 'string' },
        'kernel-snapshot': { type: 'string' },
        'compile-service': { type: 'string' },
        'logins-only': { type: 'boolean', default: false },
        'no-install': { type: 'boolean', default: false },
        'no-prepare': { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (error) {
    fail(error.message, USAGE);
  }
  if (parsed.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  if (parsed.users !== undefined && !/^[1-9][0-9]{0,3}$/.test(parsed.users)) fail(`--users must be a number from 1 to 9999, not "${parsed.users}"`);
  if (parsed.port !== undefined && !(/^[0-9]{1,5}$/.test(parsed.port) && Number(parsed.port) <= 65535))
    fail(`--port must be a number from 0 to 65535, not "${parsed.port}"`);
  if (parsed.users !== undefined && parsed.names !== undefined) fail('give --users or --names, not both');
  if (parsed['unix-prefix'] !== undefined && !/^[a-z][a-z0-9_-]{0,11}$/.test(parsed['unix-prefix']))
    fail(`--unix-prefix must be a lower-case letter and up to 11 more of a-z, 0-9, "_" and "-", not "${parsed['unix-prefix']}"`);
  if (parsed['api-token'] !== undefined && parsed['api-token'].length < 16) fail('--api-token must have at least 16 characters');
  if (parsed.names !== undefined) namesOf(parsed.names);
  const settings = classSettings(parsed);
  if (settings.error) fail(settings.error);
  parsed.settings = settings.value;
  for (const name of [...(parsed.instructor ?? []), ...(parsed['new-password'] ?? [])]) namesOf(name);
  return parsed;
}

function namesOf(value) {
  const list = value
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  // JupyterHub compares lower-cased names; a name it would change could never log in.
  const bad = list.filter((n) => !/^[a-z0-9][a-z0-9._-]{0,39}$/.test(n));
  if (bad.length || list.length === 0)
    fail(`--names: ${bad.join(', ') || 'no name'} must be lower-case letters, digits, ".", "_" or "-" (up to 40, starting with a letter or digit)`);
  return list;
}

function traineeNames(opts, previous) {
  if (opts.users !== undefined) {
    const n = Number(opts.users);
    const width = Math.max(2, String(n).length);
    // The names of `pid-mock class provision --trainees N` (TRAINEE01…), lower case as the hub spells them.
    return Array.from({ length: n }, (_, i) => `trainee${String(i + 1).padStart(width, '0')}`);
  }
  if (opts.names !== undefined) return namesOf(opts.names);
  return previous ?? [];
}

async function freePort(host) {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen({ host, port: 0 }, () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

function hasCommand(file) {
  return spawnSync('sh', ['-c', `command -v ${file}`], { stdio: 'ignore' }).status === 0;
}

function ensureHubInstalled(allowInstall) {
  const proxyOk = () => hasCommand('configurable-http-proxy');
  if (fs.existsSync(JUPYTERHUB) && proxyOk()) return;
  // Debian's jupyterhub brings its proxy (node-configurable-http-proxy) and the notebook server.
  const packages = ['jupyterhub'];
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!allowInstall || !isRoot) fail('JupyterHub or its proxy is not installed', `sudo apt-get install -y ${packages.join(' ')}`);
  process.stdout.write(`class: installing ${packages.join(' ')} (Debian packages)\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env }).status !== 0 ||
    spawnSync('apt-get', ['install', '-y', '-qq', ...packages], { stdio: 'inherit', env }).status !== 0
  ) {
    fail('apt-get install failed', `install them yourself: apt-get install -y ${packages.join(' ')}`);
  }
}

function readState(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    if (error.code === 'ENOENT') return {};
    fail(`${file} is not readable JSON (${error.message})`, 'fix or delete it (a new one gets new ports and a new admin token)');
  }
}

function roster(state) {
  const both = state.trainees.filter((name) => state.instructors.includes(name));
  if (both.length) fail(`${both.join(', ')}: a user is a trainee or an instructor, not both`);
  return [...state.instructors.map((user) => ({ user, role: 'instructor' })), ...state.trainees.map((user) => ({ user, role: 'trainee' }))];
}

/** Resolves once the hub says it runs (its own log line), forwarding everything it writes. */
function whenRunning(hub) {
  return new Promise((resolve) => {
    let tail = '';
    const watch = (chunk, out) => {
      out.write(chunk);
      if (tail === null) return;
      tail = (tail + chunk.toString()).slice(-4096);
      if (/JupyterHub is now running at/.test(tail)) {
        tail = null;
        resolve();
      }
    };
    hub.stdout.on('data', (chunk) => watch(chunk, process.stdout));
    hub.stderr.on('data', (chunk) => watch(chunk, process.stderr));
  });
}

/** The logins of a class whose hub runs elsewhere: written, printed, nothing started. */
function loginsOnly(opts) {
  const classDir = path.resolve(opts['class-dir'] ?? path.join(ROOT, 'class'));
  const previous = readState(path.join(classDir, 'class.json'));
  const trainees = traineeNames(opts, previous.trainees);
  if (trainees.length === 0) fail('which trainees? Give --users N or --names a,b,c: each gets a login of their own', USAGE);
  const instructors = opts.instructor ?? previous.instructors ?? ['instructor'];
  fs.mkdirSync(classDir, { recursive: true, mode: 0o700 });
  const logins = updateLogins(classDir, roster({ trainees, instructors }), opts['new-password'] ?? []);
  fs.writeFileSync(path.join(classDir, 'class.json'), `${JSON.stringify({ ...previous, trainees, instructors }, null, 2)}\n`, { mode: 0o600 });
  process.stdout.write(
    [
      logins.created.length ? `new logins (shown once):\n${loginTable(logins.created)}` : 'no new logins',
      `all logins: ${logins.sheetFile} (for the instructor); the hub's hashes: ${path.join(classDir, 'hub-logins.json')}`,
      '',
    ].join('\n'),
  );
}

/**
 * The snapshot the lesson's preparation built beside its own kernel spec (lesson/kernel/launch.ts), or ''
 * for kernels without one: asked for and missing is an error, the default without one says so and goes on.
 */
function kernelSnapshotFile(settings, asked) {
  if (settings.kernelSnapshot !== 'on') return '';
  const blob = path.join(ROOT, '.jupyter', 'share', 'jupyter', 'kernels', 'tslab', 'typescript.blob');
  if (fs.existsSync(blob)) return blob;
  if (asked)
    fail(
      `--kernel-snapshot on: there is no kernel snapshot at ${blob}`,
      'run `npm run prepare:lesson` (without PID_HANDSON_KERNEL_SNAPSHOT=0), or give --kernel-snapshot off',
    );
  process.stdout.write(`class: no kernel snapshot at ${blob}: kernels start without one (slower, lighter)\n`);
  settings.kernelSnapshot = 'off';
  return '';
}

async function main() {
  const opts = options();
  if (opts['logins-only']) return loginsOnly(opts);
  if (typeof process.getuid === 'function' && process.getuid() !== 0)
    fail("the class hub must run as root: it runs each user's Jupyter server as a Unix user of their own", 'sudo npm run class -- …');
  if (!opts['no-prepare']) {
    const prepared = spawnSync(
      process.execPath,
      [path.join(ROOT, 'deploy', 'local', 'start.cjs'), '--prepare-only', ...(opts['no-install'] ? ['--no-install'] : [])],
      { stdio: 'inherit' },
    );
    if (prepared.status !== 0) process.exit(prepared.status ?? 1);
  }
  ensureHubInstalled(!opts['no-install']);

  const classDir = path.resolve(opts['class-dir'] ?? path.join(ROOT, 'class'));
  const stateFile = path.join(classDir, 'class.json');
  const previous = readState(stateFile);
  const trainees = traineeNames(opts, previous.trainees);
  if (trainees.length === 0) fail('which trainees? Give --users N or --names a,b,c: each gets a login of their own', USAGE);
  const instructors = opts.instructor ?? previous.instructors ?? ['instructor'];
  const users = roster({ trainees, instructors });
  const strangers = (opts['new-password'] ?? []).filter((name) => !users.some((u) => u.user === name));
  if (strangers.length) fail(`--new-password: ${strangers.join(', ')} is not a user of this class`);
  // Each user's server runs as their own Unix user, who must reach the package and the kernel from /.
  const snapshotFile = kernelSnapshotFile(opts.settings, opts['kernel-snapshot'] !== undefined);
  const closed = unreachable([
    ...(snapshotFile ? [snapshotFile] : []),
    path.dirname(classDir),
    path.join(ROOT, 'dist', 'lesson', 'kernel', 'launch.js'),
    path.join(ROOT, 'node_modules', 'tslab', 'package.json'),
    path.join(ROOT, 'notebooks', 'README.md'),
    path.join(__dirname, 'pid_handson_hub.py'),
    process.execPath,
  ]);
  if (closed.length)
    fail(
      `each user's Jupyter server runs as their own Unix user, who cannot reach: ${closed.join('; ')}`,
      'open these to other users, or put the package and the class folder where everyone may read (e.g. /srv)',
    );
  secureClassFolder(classDir);
  const ip = opts.ip ?? previous.ip ?? '127.0.0.1';
  const requestedPort = opts.port !== undefined ? Number(opts.port) : undefined;
  // Ports are kept between runs: the trainees' credentials name the mock server's port, and their
  // browsers the hub's.
  const hubPort = requestedPort || previous.hubPort || (requestedPort === 0 ? await freePort(ip) : 8000);
  const state = {
    ip,
    hubPort,
    proxyApiPort: previous.hubPort === hubPort && previous.proxyApiPort ? previous.proxyApiPort : await freePort('127.0.0.1'),
    hubApiPort: previous.hubPort === hubPort && previous.hubApiPort ? previous.hubApiPort : await freePort('127.0.0.1'),
    mockPort: previous.mockPort ?? (await freePort('127.0.0.1')),
    adminToken: previous.adminToken ?? crypto.randomBytes(24).toString('hex'),
    trainees,
    instructors,
    unixPrefix: opts['unix-prefix'] ?? previous.unixPrefix ?? 'pid-',
  };
  const logins = updateLogins(classDir, users, opts['new-password'] ?? []);
  fs.writeFileSync(stateFile, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  fs.chmodSync(stateFile, 0o600);

  const env = {
    ...process.env,
    PID_HANDSON_ROOT: ROOT,
    PID_HANDSON_CLASS_DIR: classDir,
    PID_HANDSON_HUB_IP: ip,
    PID_HANDSON_HUB_PORT: String(state.hubPort),
    PID_HANDSON_PROXY_API_PORT: String(state.proxyApiPort),
    PID_HANDSON_HUB_API_PORT: String(state.hubApiPort),
    PID_MOCK_PORT: String(state.mockPort),
    PID_MOCK_ADMIN_TOKEN: state.adminToken,
    PID_HANDSON_USERS: state.trainees.join(','),
    PID_HANDSON_INSTRUCTORS: state.instructors.join(','),
    PID_HANDSON_UNIX_PREFIX: state.unixPrefix,
    PID_HANDSON_NODE: process.execPath,
    PID_HANDSON_HUB_API_TOKEN: opts['api-token'] ?? process.env.PID_HANDSON_HUB_API_TOKEN ?? '',
    ...hubSettingsEnv(opts.settings, snapshotFile),
    // Debian's configurable-http-proxy finds its modules only there with a Node that is not Debian's.
    NODE_PATH: [process.env.NODE_PATH, DEBIAN_PROXY_MODULES].filter(Boolean).join(path.delimiter),
  };
  // Its own process group: the terminal's Ctrl+C would otherwise reach the hub, its proxy and the mock
  // server at once, and the hub would then get the forwarded signal a second time in the middle of its
  // clean-up. The hub gets one SIGTERM, stops the users' servers, the proxy and its services, and exits.
  const hub = spawn(JUPYTERHUB, ['-f', CONFIG], { cwd: classDir, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  hub.once('error', (error) => fail(`cannot run ${JUPYTERHUB}: ${error.message}`));
  let stopping;
  for (const [signal, reason] of [
    ['SIGINT', 'Ctrl+C'],
    ['SIGTERM', 'SIGTERM'],
    ['SIGHUP', 'terminal closed'],
  ])
    process.on(signal, () => {
      if (stopping) return;
      stopping = reason;
      hub.kill('SIGTERM');
    });
  hub.once('exit', (code, signal) => {
    if (stopping && (code === 0 || signal === 'SIGTERM'))
      process.stdout.write(
        `\n■ ${stopping}: stopped the class hub, its users' servers and the mock Handle server; \`npm run class\` again resumes the class.\n`,
      );
    process.exit(code ?? (signal ? 0 : 1));
  });
  // This script ending any other way must not leave the hub running on its own.
  process.on('exit', () => {
    if (hub.exitCode === null && hub.signalCode === null) hub.kill('SIGTERM');
  });

  // The hub's own line, rather than polling the proxy: a poll before the hub has set its routes makes
  // the proxy log a 404 (or a refused connection) per attempt, which reads as trouble when there is none.
  const started = await Promise.race([whenRunning(hub), new Promise((resolve) => setTimeout(() => resolve('timeout'), 120_000))]);
  const url = `http://${ip === '0.0.0.0' ? '127.0.0.1' : ip}:${state.hubPort}/`;
  if (started === 'timeout') {
    hub.kill('SIGTERM');
    fail('the hub did not start within 120 s');
  }
  const answer = await fetch(`${url}hub/api/`, { signal: AbortSignal.timeout(10_000) }).catch((error) => ({ ok: false, status: error.message }));
  if (!answer.ok) fail(`the hub runs but ${url}hub/api/ answers ${answer.status}`);
  const sheet = logins.created.length
    ? [`  new logins (shown once; all current logins are in ${logins.sheetFile}, readable by root only):`, loginTable(logins.created)]
    : [`  logins: ${logins.sheetFile} (readable by root only; --new-password NAME gives a user a new one)`];
  if (logins.unlisted) sheet.push(`  ${logins.unlisted} kept passwords are no longer in ${logins.sheetFile}; --new-password NAME renews one`);
  process.stdout.write(
    [
      '',
      `class hub: ${url}`,
      `  ${state.trainees.length} trainees (${state.trainees.slice(0, 3).join(', ')}${state.trainees.length > 3 ? ', …' : ''}), each with their own password`,
      `  instructors (hub admins, live page under Services → pid-mock): ${state.instructors.join(', ')}`,
      ...sheet,
      `  live page token: ${stateFile} ("adminToken")`,
      `  each user's server runs as the Unix user ${state.unixPrefix}<name>, in a home only they can read`,
      `  settings: ${describeSettings(opts.settings)}`,
      `  class folder: ${classDir} (Ctrl-C stops the hub; running it again resumes the class)`,
      'ready',
      '',
    ].join('\n'),
  );
}

void main();
