// A class hub nobody can break into from the inside (issue 21, items 1 and 2), on a real JupyterHub started
// by `npm run class`'s launcher: every user logs in with their own password and with no other user's, only
// the instructor is a hub admin, each user's Jupyter server runs as a Unix user of their own in a home only
// they can read, and a trainee's kernel is refused (EACCES) on another trainee's credentials and on the
// class's secrets. The hub's start-up log has no error line.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  hubApi,
  logIn,
  logInWithForm,
  postLoginForm,
  readLogins,
  requireJupyterHub,
  startClassHub,
  startServer,
  unixUsers,
  userApi,
  type ClassHub,
} from '../support/class-hub';
import { KernelChannel } from './kernel-channel';
import { temporaryFolder } from '../support/temporary-folders.js';

const TRAINEES = ['trainee01', 'trainee02', 'trainee03'];
const INSTRUCTOR = 'instructor';
const EVERYONE = [...TRAINEES, INSTRUCTOR];
const SPAWNED = ['trainee01', 'trainee02', INSTRUCTOR];
let classDir: string;
let hub: ClassHub;
const tokens = new Map<string, string>();

const mode = (path: string) => statSync(path).mode & 0o777;
const owner = (path: string) => statSync(path).uid;
const octal = (n: number) => `0${n.toString(8)}`;

before(async () => {
  requireJupyterHub();
  classDir = temporaryFolder('pid-class-logins-');
  hub = await startClassHub(classDir, TRAINEES.length);
});

after(async () => {
  await hub?.close();
  if (classDir) rmSync(classDir, { recursive: true, force: true });
});

test('the hub starts with no error line in its log', async () => {
  // The launcher prints "ready" once its probe of the hub's API is answered; the hub's own log line for that
  // request travels through another pipe and may come a moment later.
  const probed = /JupyterHub .*200 GET \/hub\/api\//;
  for (let waited = 0; !probed.test(hub.output()) && waited < 5_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
  const colour = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');
  const errors = hub
    .output()
    .replace(colour, '')
    .split('\n')
    .filter((line) => /\[E |\berror\b|Traceback|ECONNREFUSED|^\s+at |"level":[56]0/i.test(line));
  assert.deepEqual(errors, []);
  assert.match(hub.output(), /JupyterHub is now running at/);
  assert.match(hub.output(), probed);
});

test('every user gets a password of their own, printed once and kept in root-only files', () => {
  const logins = readLogins(classDir);
  assert.deepEqual([...logins.keys()].sort(), [...EVERYONE].sort());
  assert.equal(logins.get(INSTRUCTOR)!.role, 'instructor');
  for (const user of TRAINEES) assert.equal(logins.get(user)!.role, 'trainee');
  const passwords = [...logins.values()].map((l) => l.password);
  assert.equal(new Set(passwords).size, EVERYONE.length, 'no two users share a password');
  for (const password of passwords) assert.match(password, /^[a-zA-Z2-9]{4}-[a-zA-Z2-9]{4}-[a-zA-Z2-9]{4}$/);

  // The table printed before "ready" names each user with their password, once.
  const printed = hub.output().slice(hub.output().indexOf('class hub: '));
  for (const [user, { password, role }] of logins) {
    assert.match(printed, new RegExp(`^\\s+${user}\\s+${password}\\s+${role}$`, 'm'));
    assert.equal(printed.split(password).length, 2, `${user}'s password is printed once`);
  }
  // The hub's copy holds scrypt hashes, not the passwords; the shared workshop password is gone.
  const store = readFileSync(join(classDir, 'hub-logins.json'), 'utf8');
  for (const password of passwords) assert.ok(!store.includes(password), 'hub-logins.json holds no password');
  assert.match(store, /"hash": "scrypt\$16384\$8\$1\$/);
  const state = JSON.parse(readFileSync(join(classDir, 'class.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(state.password, undefined);

  for (const file of ['logins.csv', 'hub-logins.json', 'class.json', 'jupyterhub.sqlite', 'jupyterhub_cookie_secret']) {
    assert.equal(octal(mode(join(classDir, file))), '0600', file);
    assert.equal(owner(join(classDir, file)), 0, file);
  }
  assert.equal(octal(mode(join(classDir, 'mock-data'))), '0700');
  assert.equal(octal(mode(join(classDir, 'homes'))), '0711');
  assert.equal(octal(mode(classDir)), '0711');
});

test("no password logs in as another user: every user × every user's password, by form and by API", async () => {
  const logins = readLogins(classDir);
  const outcomes: string[] = [];
  for (const user of EVERYONE) {
    for (const owner of EVERYONE) {
      const password = logins.get(owner)!.password;
      const form = await postLoginForm(hub, user, password);
      const api = await fetch(`${hub.url}hub/api/users/${user}/tokens`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ auth: { username: user, password }, note: 'login matrix' }),
      });
      const token = ((await api.json()) as { token?: string }).token;
      const again = form.status === 200 && form.page.includes('Invalid username or password') ? ' (login page again)' : '';
      outcomes.push(`${user} with ${owner}'s password: form ${form.status}${again}${form.cookie ? ' cookie' : ''}, api ${api.status}${token ? ' token' : ''}`);
    }
  }
  const expected = EVERYONE.flatMap((user) =>
    EVERYONE.map((owner) =>
      user === owner
        ? `${user} with ${owner}'s password: form 302 cookie, api 201 token`
        : `${user} with ${owner}'s password: form 200 (login page again), api 403`,
    ),
  );
  assert.deepEqual(outcomes, expected);
  // Names the class does not have, an empty password, a name spelt otherwise.
  for (const [user, password] of [
    ['trainee04', logins.get('trainee01')!.password],
    ['admin', logins.get(INSTRUCTOR)!.password],
    [INSTRUCTOR, ''],
    ['trainee01 ', logins.get('trainee02')!.password],
  ] as const) {
    const refused = await postLoginForm(hub, user, password);
    assert.equal(refused.status, 200, `${JSON.stringify(user)} refused`);
    assert.match(refused.page, /Invalid username or password/);
    assert.equal(refused.cookie, undefined);
  }
});

test('only the instructor is a hub admin', async () => {
  const trainee = await logInWithForm(hub, 'trainee01');
  const instructor = await logInWithForm(hub, INSTRUCTOR);
  assert.equal((await fetch(`${hub.url}hub/admin`, { headers: { Cookie: trainee }, redirect: 'manual' })).status, 403);
  assert.equal((await fetch(`${hub.url}hub/admin`, { headers: { Cookie: instructor }, redirect: 'manual' })).status, 200);
  for (const user of EVERYONE) tokens.set(user, await logIn(hub, user));
  assert.equal((await hubApi(hub, 'users', { token: tokens.get('trainee01') })).status, 403);
  const users = await hubApi(hub, 'users', { token: tokens.get(INSTRUCTOR) });
  assert.equal(users.status, 200);
  const admins = (users.body as { name: string; admin: boolean }[]).filter((u) => u.admin).map((u) => u.name);
  assert.deepEqual(admins, [INSTRUCTOR]);
  // A trainee cannot start (or reach) another trainee's server.
  const other = await hubApi(hub, 'users/trainee02/server', { method: 'POST', token: tokens.get('trainee01') });
  assert.ok([403, 404].includes(other.status), `trainee01 starting trainee02's server: ${other.status}`);
});

/**
 * Every process this hub started for the user (their server and its kernels), by JUPYTERHUB_USER and the
 * home under this class folder: another hub (a test running beside this one) may have a user of that name.
 */
function processesOf(user: string, home: string): { pid: string; uid: number; environment: string; command: string }[] {
  const found = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const environment = readFileSync(`/proc/${pid}/environ`, 'utf8');
      const variables = environment.split('\0');
      if (!variables.includes(`JUPYTERHUB_USER=${user}`) || !variables.includes(`HOME=${home}`)) continue;
      const uid = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
      found.push({ pid, uid, environment, command: readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ') });
    } catch {
      // a process that ended meanwhile
    }
  }
  return found;
}

test("each user's server runs as their own Unix user, in a 0700 home with 0600 credentials of theirs", async () => {
  assert.equal(tokens.size, EVERYONE.length, 'the admin test logged everyone in');
  await Promise.all(SPAWNED.map((user) => startServer(hub, user, tokens.get(user)!)));
  const accounts = unixUsers(hub.unixPrefix);
  const uids = new Map<string, number>();
  for (const user of SPAWNED) {
    const account = accounts.find((a) => a.name === `${hub.unixPrefix}${user}`);
    assert.ok(account, `a Unix user ${hub.unixPrefix}${user} in ${accounts.map((a) => a.name).join(', ')}`);
    assert.ok(account.uid >= 1000, `${account.name} is an ordinary user (uid ${account.uid})`);
    const home = join(classDir, 'homes', user);
    assert.equal(account.home, home);
    uids.set(user, account.uid);

    const processes = processesOf(user, home);
    assert.ok(
      processes.some((p) => /jupyterhub-singleuser/.test(p.command)),
      `${user}'s server process: ${JSON.stringify(processes)}`,
    );
    for (const p of processes) {
      assert.equal(p.uid, account.uid, `${user}'s process ${p.pid} (${p.command}) runs as ${account.name}`);
      assert.doesNotMatch(p.command, /--allow-root/);
      assert.equal(/(^|\0)PID_MOCK_ADMIN_TOKEN=/.test(p.environment), user === INSTRUCTOR, `the admin token is in ${user}'s environment only if instructor`);
    }

    assert.equal(octal(mode(home)), '0700', `${user}'s home`);
    assert.equal(owner(home), account.uid);
    const credentials = join(home, 'credentials');
    assert.equal(octal(mode(credentials)), '0700');
    assert.equal(owner(credentials), account.uid);
    const files = readdirSync(credentials);
    assert.ok(files.includes('cred_basic.json') && files.includes('cred_file.json'), files.join(', '));
    for (const file of files) {
      assert.equal(octal(mode(join(credentials, file))), '0600', `${user}/credentials/${file}`);
      assert.equal(owner(join(credentials, file)), account.uid, `${user}/credentials/${file}`);
    }
    assert.equal(owner(join(home, 'notebooks', '03-registering-a-file.ipynb')), account.uid);
  }
  assert.equal(new Set(uids.values()).size, SPAWNED.length, 'one uid per user');
});

test("a trainee's kernel is refused on another trainee's credentials and on the class's secrets", async () => {
  const user = 'trainee01';
  const token = tokens.get(user)!;
  const own = join(classDir, 'homes', user, 'credentials', 'cred_basic.json');
  const refused = [
    join(classDir, 'homes', 'trainee02', 'credentials', 'cred_basic.json'),
    join(classDir, 'homes', 'trainee02', 'credentials', 'trainee02_privkey.pem'),
    `${join(classDir, 'homes', 'trainee02')}/`,
    join(classDir, 'homes', INSTRUCTOR, 'credentials', 'cred_basic.json'),
    `${join(classDir, 'homes')}/`,
    join(classDir, 'class.json'),
    join(classDir, 'logins.csv'),
    join(classDir, 'hub-logins.json'),
    join(classDir, 'jupyterhub.sqlite'),
    join(classDir, 'jupyterhub_cookie_secret'),
    `${join(classDir, 'mock-data')}/`,
  ];
  const session = await userApi(hub, user, token, 'sessions', { method: 'POST', body: { path: 'probe.ipynb', name: 'probe.ipynb', type: 'notebook' } });
  assert.equal(session.status, 201, JSON.stringify(session.body));
  const channel = await KernelChannel.open(
    `${hub.url.replace(/^http/, 'ws')}user/${user}/api/kernels/${session.body.kernel.id}/channels?session_id=${session.body.id}`,
    token,
  );
  try {
    const run = await channel.execute(
      [
        "import { readdirSync, readFileSync } from 'node:fs';",
        'const outcome: Record<string, string> = {};',
        `for (const path of ${JSON.stringify([own, ...refused])}) {`,
        '  try {',
        "    if (path.endsWith('/')) readdirSync(path); else readFileSync(path);",
        "    outcome[path] = 'read';",
        '  } catch (error) {',
        '    outcome[path] = (error as NodeJS.ErrnoException).code ?? String(error);',
        '  }',
        '}',
        'console.log(JSON.stringify({ uid: process.getuid!(), outcome }));',
      ].join('\n'),
    );
    assert.equal(run.status, 'ok', run.output + run.errors.join('\n'));
    const { uid, outcome } = JSON.parse(run.output.trim().split('\n').at(-1)!) as { uid: number; outcome: Record<string, string> };
    assert.equal(uid, unixUsers(hub.unixPrefix).find((a) => a.name === `${hub.unixPrefix}${user}`)!.uid);
    assert.deepEqual(outcome, Object.fromEntries([[own, 'read'], ...refused.map((path) => [path, 'EACCES'])]));
  } finally {
    channel.close();
    await userApi(hub, user, token, `sessions/${session.body.id}`, { method: 'DELETE' });
  }
});
