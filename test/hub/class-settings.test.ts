// `npm run class`'s settings for a class on one machine, on a real hub: how many servers start and run at
// once (the hub's 429 answers), idle kernels culled by each server, the memory limit as a cgroup the server
// and its kernels live in, kernels started from the Node snapshot; and bad values refused up front.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { hubApi, logIn, requireJupyterHub, startClassHub, startServer, userApi, type ClassHub } from '../support/class-hub';
import { ROOT } from '../support/paths.js';
import { processesWith } from '../support/processes.js';
import { temporaryFolder } from '../support/temporary-folders.js';
import { KernelChannel } from './kernel-channel';

const MEMORY_CGROUPS = ['/sys/fs/cgroup/memory/pid-handson', '/sys/fs/cgroup/pid-handson'];
let classDir: string;
let hub: ClassHub;

function launch(...args: string[]) {
  return spawnSync(process.execPath, [join(ROOT, 'deploy', 'jupyterhub', 'class.cjs'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
}

/** The memory cgroup a process is in ("/pid-handson/<user>" or "/"), from /proc/<pid>/cgroup (v1 or v2). */
function memoryCgroupOf(pid: string): string {
  const lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n');
  const line = lines.find((l) => /^\d+:[^:]*\bmemory\b[^:]*:/.test(l)) ?? lines.find((l) => l.startsWith('0::'));
  return line?.split(':')[2] ?? '';
}

before(async () => {
  requireJupyterHub();
  classDir = temporaryFolder('pid-class-settings-');
  hub = await startClassHub(classDir, 3, undefined, [
    '--spawn-limit',
    '1',
    '--active-limit',
    '2',
    '--cull-idle',
    '1',
    '--mem-limit',
    '900M',
    '--kernel-snapshot',
    'on',
    '--start-timeout',
    '90',
  ]);
});

after(async () => {
  await hub?.close();
  for (const root of MEMORY_CGROUPS)
    for (const user of ['trainee01', 'trainee02', 'trainee03'])
      if (existsSync(join(root, `${hub?.unixPrefix}${user}`))) rmdirSync(join(root, `${hub.unixPrefix}${user}`));
  if (classDir) rmSync(classDir, { recursive: true, force: true });
});

test('bad values of the class settings are refused with what was expected', () => {
  const parent = temporaryFolder('pid-class-settings-bad-');
  try {
    for (const [args, message] of [
      [['--spawn-limit', '0'], /--spawn-limit must be a number from 1 to 1000, not "0"/],
      [['--active-limit', 'ten'], /--active-limit must be a number from 0 to 10000, not "ten"/],
      [['--start-timeout', '5'], /--start-timeout must be a number from 10 to 3600 \(seconds\), not "5"/],
      [['--cull-idle=-1'], /--cull-idle must be a number from 0 to 10080 \(minutes\), not "-1"/],
      [['--mem-limit', '100M'], /--mem-limit must be a size of at least 300M, such as 800M or 2G, not "100M"/],
      [['--mem-limit', '2 GB'], /--mem-limit must be a size of at least 300M/],
      [['--kernel-snapshot', 'yes'], /--kernel-snapshot must be on or off, not "yes"/],
      [['--compile-service', '1'], /--compile-service must be on or off, not "1"/],
    ] as const) {
      const run = launch('--users', '3', ...args, '--class-dir', join(parent, 'class'), '--no-prepare', '--no-install');
      assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message);
      assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
      assert.equal(existsSync(join(parent, 'class')), false);
    }
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});

test('the hub says which settings it runs with', () => {
  assert.match(
    hub.output(),
    /settings: 1 starting at once, at most 2 running, start timeout 90 s, idle kernels and servers stop after 1 min, memory limit 900M per user, kernel snapshot on, compile service on/,
  );
});

test('one server starts at a time, two run at once: beyond that the hub answers 429 with what to do', async () => {
  // While trainee01's server is starting (seconds: the hub's hook provisions the identity, Python starts
  // the server), the hub turns trainee02 away.
  const first = hubApi(hub, 'users/trainee01/server', { method: 'POST' });
  for (let i = 0; (await hubApi(hub, 'users/trainee01')).body.servers['']?.pending !== 'spawn'; i += 1) {
    assert.ok(i < 100, "trainee01's server is pending");
    await sleep(50);
  }
  const crowded = await hubApi(hub, 'users/trainee02/server', { method: 'POST' });
  assert.equal(crowded.status, 429, 'a second start while the first is pending');
  assert.match(crowded.body.message, /Too many users trying to log in right now/);
  assert.ok([201, 202].includes((await first).status));
  for (let i = 0; !(await hubApi(hub, 'users/trainee01')).body.servers['']?.ready; i += 1) {
    assert.ok(i < 240, "trainee01's server is ready within 120 s");
    await sleep(500);
  }
  // Once it runs, the other may start (two may run at once), but not a third.
  await startServer(hub, 'trainee02', await logIn(hub, 'trainee02'));
  const full = await hubApi(hub, 'users/trainee03/server', { method: 'POST' });
  assert.equal(full.status, 429, 'a third running server');
  assert.match(full.body.message, /Active user limit exceeded/);
});

test('servers and kernels run inside a memory cgroup of 900M per user, kernels from the snapshot, and an idle kernel is culled', async () => {
  const token = await logIn(hub, 'trainee01');
  const spec = JSON.parse(readFileSync(join(classDir, 'jupyter', 'kernels', 'tslab', 'kernel.json'), 'utf8')) as { argv: string[]; env: object };
  assert.deepEqual(spec.argv.slice(1, 3), ['--snapshot-blob', join(ROOT, '.jupyter', 'share', 'jupyter', 'kernels', 'tslab', 'typescript.blob')]);
  assert.deepEqual(spec.env, { NODE_OPTIONS: '' });

  const session = await userApi(hub, 'trainee01', token, 'sessions', { method: 'POST', body: { path: '01-warming-up.ipynb', name: 'x', type: 'notebook' } });
  assert.equal(session.status, 201, JSON.stringify(session.body));
  const channel = await KernelChannel.open(
    `${hub.url.replace(/^http/, 'ws')}user/trainee01/api/kernels/${session.body.kernel.id}/channels?session_id=${session.body.id}`,
    token,
  );
  const cell = await channel.execute("import { lessonUrls } from 'pid-handson/lesson';\nconsole.log(typeof lessonUrls);");
  channel.close();
  assert.deepEqual({ status: cell.status, errors: cell.errors, output: cell.output.trim() }, { status: 'ok', errors: [], output: 'function' });

  const user = `${hub.unixPrefix}trainee01`;
  const servers = processesWith('jupyterhub-singleuser').filter(({ pid }) =>
    readFileSync(`/proc/${pid}/environ`, 'utf8').includes('JUPYTERHUB_USER=trainee01\0'),
  );
  assert.equal(servers.length > 0, true, "trainee01's server process");
  assert.ok(servers[0]!.cmdline.includes('--MappingKernelManager.cull_idle_timeout=60'), servers[0]!.cmdline.join(' '));
  assert.ok(servers[0]!.cmdline.includes('--SingleUserNotebookApp.shutdown_no_activity_timeout=60'));
  const kernel = processesWith('--snapshot-blob', 'launch.js', session.body.kernel.id);
  assert.equal(kernel.length, 1, 'the kernel runs from the snapshot');
  const cgroupRoot = MEMORY_CGROUPS.find((root) => existsSync(join(root, user)));
  if (cgroupRoot) {
    for (const { pid } of [servers[0]!, kernel[0]!])
      assert.ok(memoryCgroupOf(pid).endsWith(`/pid-handson/${user}`), `process ${pid} is in the user's cgroup: ${memoryCgroupOf(pid)}`);
    const limitFile = existsSync(join(cgroupRoot, user, 'memory.limit_in_bytes')) ? 'memory.limit_in_bytes' : 'memory.max';
    assert.equal(readFileSync(join(cgroupRoot, user, limitFile), 'utf8').trim(), String(900 * 1024 * 1024));
  } else {
    assert.match(hub.output(), /mem_limit for trainee01 is advisory only/, 'without a memory cgroup the hub says the limit is advisory');
  }

  // Nobody is connected and the kernel is idle: after 1 minute (checked every 15 s) the server stops it.
  for (let i = 0; i < 60; i += 1) {
    const kernels = await userApi(hub, 'trainee01', token, 'kernels');
    if (Array.isArray(kernels.body) && kernels.body.length === 0) return;
    await sleep(2000);
  }
  assert.fail('the idle kernel was not culled within 120 s');
});
