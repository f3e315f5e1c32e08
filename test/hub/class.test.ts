// A class of three on a real JupyterHub (`npm run class`'s launcher, Debian's jupyterhub, the mock server as
// a hub service): each trainee logs in, gets their own server, identity and notebooks, runs chapters 3 and
// 5 over the kernel websocket, owns the handles they made and cannot change another trainee's; the
// instructor's side of the mock lists the class; a restart of the hub keeps identities and edits.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Agent } from 'undici';
import { hubApi, logIn, logInWithForm, requireJupyterHub, startClassHub, startServer, userApi, type ClassHub } from '../support/class-hub';
import { KernelChannel, type CellRun } from './kernel-channel';
import { processesWith } from '../support/processes.js';
import { temporaryFolder } from '../support/temporary-folders.js';

const USERS = ['trainee01', 'trainee02', 'trainee03'];
const MARKER = 'edited by trainee01 before the hub restarted';
let classDir: string;
let hub: ClassHub;
const tokens = new Map<string, string>();
const registered = new Map<string, string>();

const classState = () => JSON.parse(readFileSync(join(classDir, 'class.json'), 'utf8')) as { mockPort: number; adminToken: string };
const credentials = (user: string, file: string) => JSON.parse(readFileSync(join(classDir, 'homes', user, 'credentials', file), 'utf8'));

before(async () => {
  requireJupyterHub();
  classDir = temporaryFolder('pid-class-hub-');
  hub = await startClassHub(classDir, USERS.length);
});

after(async () => {
  await hub?.close();
  if (classDir) rmSync(classDir, { recursive: true, force: true });
});

/** Opens the notebook from the user's home as the notebook page does and runs its code cells in order. */
async function runNotebook(user: string, path: string, sources: string[]): Promise<CellRun[]> {
  const token = tokens.get(user)!;
  const session = await userApi(hub, user, token, 'sessions', { method: 'POST', body: { path, name: path, type: 'notebook' } });
  assert.equal(session.status, 201, JSON.stringify(session.body));
  // No kernel was named: the server's default must be tslab.
  assert.equal(session.body.kernel.name, 'tslab');
  const channel = await KernelChannel.open(
    `${hub.url.replace(/^http/, 'ws')}user/${user}/api/kernels/${session.body.kernel.id}/channels?session_id=${session.body.id}`,
    token,
  );
  const runs: CellRun[] = [];
  try {
    for (const source of sources) runs.push(await channel.execute(source));
  } finally {
    channel.close();
    await userApi(hub, user, token, `sessions/${session.body.id}`, { method: 'DELETE' });
  }
  return runs;
}

async function notebookCells(user: string, path: string): Promise<string[]> {
  const notebook = await userApi(hub, user, tokens.get(user)!, `contents/${path}`);
  assert.equal(notebook.status, 200, `${path} is in ${user}'s home`);
  return (notebook.body.content.cells as { cell_type: string; source: string }[]).filter((c) => c.cell_type === 'code' && c.source.trim()).map((c) => c.source);
}

function assertAllRan(user: string, path: string, runs: CellRun[]): void {
  for (const run of runs) {
    assert.deepEqual(
      { status: run.status, errors: run.errors, stderr: run.stderr },
      { status: 'ok', errors: [], stderr: '' },
      `${user} ${path}: ${run.source.slice(0, 160)}\n${run.output}`,
    );
  }
}

test('three trainees log in, each runs chapters 3 and 5 in their own server with their own identity', async () => {
  for (const user of USERS) tokens.set(user, await logIn(hub, user));
  await Promise.all(USERS.map((user) => startServer(hub, user, tokens.get(user)!)));

  await Promise.all(
    USERS.map(async (user) => {
      for (const path of ['03-registering-a-file.ipynb', '05-linking.ipynb']) {
        const runs = await runNotebook(user, path, await notebookCells(user, path));
        assertAllRan(user, path, runs);
        if (path.startsWith('03')) {
          const pid = /registered: (\S+)/.exec(runs.map((r) => r.output).join('\n'))?.[1];
          assert.ok(pid, `chapter 3 printed the PID ${user} registered`);
          registered.set(user, pid);
        }
      }
    }),
  );

  // Each trainee has their own identity, in credentials in their own home.
  const identities = USERS.map((user) => credentials(user, 'cred_basic.json').username as string);
  assert.equal(new Set(identities.map((i) => i.toLowerCase())).size, USERS.length);
  for (const [i, user] of USERS.entries()) {
    assert.match(identities[i]!, new RegExp(`^300:[^/]+/${user}$`, 'i'));
    assert.equal(credentials(user, 'cred_file.json').private_key, join(classDir, 'homes', user, 'credentials', `${user}_privkey.pem`));
  }
});

test('kernels compile through the class compile service: it runs as nobody, kernels hold no TypeScript', async () => {
  // jupyterhub_config.py names the class's socket after its folder, so that two classes on a machine have one each.
  const socket = `@pid-handson-compile-${createHash('sha256').update(classDir).digest('hex').slice(0, 16)}`;
  const [service, ...others] = processesWith('compile-service.js', socket);
  assert.ok(service && others.length === 0, 'one compile service for the class');
  const status = readFileSync(`/proc/${service.pid}/status`, 'utf8');
  assert.match(status, /^Uid:\s+65534\s/m, 'the service runs as nobody');

  const user = 'trainee01';
  const token = tokens.get(user)!;
  const session = await userApi(hub, user, token, 'sessions', { method: 'POST', body: { path: 'service.ipynb', name: 'service', type: 'notebook' } });
  const channel = await KernelChannel.open(
    `${hub.url.replace(/^http/, 'ws')}user/${user}/api/kernels/${session.body.kernel.id}/channels?session_id=${session.body.id}`,
    token,
  );
  try {
    const cell = await channel.execute("import { lessonUrls } from 'pid-handson/lesson';\nconst kind: string = typeof lessonUrls;\nconsole.log(kind);");
    assert.deepEqual({ status: cell.status, output: cell.output.trim() }, { status: 'ok', output: 'function' });
    const kernels = processesWith('launch.js', '--config-path').filter(({ pid }) =>
      readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`PID_HANDSON_COMPILE_SERVICE=${socket}`),
    );
    assert.equal(kernels.length, 1, 'the kernel was told where the service is');
    // A kernel that loaded TypeScript holds about 200 MB; one compiling through the service about 85 MB.
    const resident = Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${kernels[0]!.pid}/status`, 'utf8'))?.[1]) / 1024;
    assert.ok(resident < 150, `the kernel's peak memory: ${resident.toFixed(0)} MB`);
    // The service's end of the kernel's connection: the listening socket and at least one accepted.
    const connections = readFileSync('/proc/net/unix', 'utf8')
      .split('\n')
      .filter((line) => line.includes(` ${socket}`));
    assert.ok(connections.length >= 2, `connections to the service: ${connections.length}`);
  } finally {
    channel.close();
    await userApi(hub, user, token, `sessions/${session.body.id}`, { method: 'DELETE' });
  }
});

test("each trainee's handles are theirs, and another trainee's write is refused", async () => {
  assert.equal(registered.size, USERS.length, 'the first test registered a PID per trainee');
  const { mockPort } = classState();
  const dispatcher = new Agent({ connect: { ca: readFileSync(join(classDir, 'homes', USERS[0]!, 'credentials', 'ca.pem'), 'utf8') } });
  const record = async (pid: string) => {
    // Node's fetch accepts the npm undici's Agent, whose types differ from the undici-types @types/node uses.
    const answer = await fetch(`https://127.0.0.1:${mockPort}/api/handles/${pid}`, { dispatcher } as unknown as RequestInit);
    assert.equal(answer.status, 200, pid);
    // biome-ignore lint/suspicious/noExplicitAny: HS_ADMIN values are objects, URL values strings: each assertion reads the one it expects
    return (await answer.json()) as { values: { type: string; data: { value: any } }[] };
  };
  for (const user of USERS) {
    const admin = (await record(registered.get(user)!)).values.find((v) => v.type === 'HS_ADMIN')!;
    assert.match(String(admin.data.value.handle), new RegExp(`/${user}$`, 'i'), `${user}'s PID is administered by ${user}`);
  }

  // trainee02, from their own server and credentials, tries to change trainee01's PID.
  const victim = registered.get('trainee01')!;
  const [attempt] = await runNotebook('trainee02', 'cross-user-write.ipynb', [
    [
      "import { loadLessonCredentials, HandleClient } from 'pid-handson/lesson';",
      'const client = await HandleClient.withCredentials(loadLessonCredentials());',
      'try {',
      `  await client.modifyHandleValue(${JSON.stringify(victim)}, { URL: 'https://elsewhere.example/' });`,
      "  console.log('written');",
      '} catch (error) {',
      "  console.log('refused:', (error as Error).name);",
      '}',
      'await client.close();',
    ].join('\n'),
  ]);
  assert.equal(attempt!.status, 'ok', attempt!.output + attempt!.errors.join('\n'));
  assert.match(attempt!.output, /^refused: HandlePermissionError/m);
  const url = (await record(victim)).values.find((v) => v.type === 'URL')!;
  assert.doesNotMatch(String(url.data.value), /elsewhere/);
  await dispatcher.close();
});

test("the instructor reaches the mock server from the hub's Services menu, and it lists the three trainees", async () => {
  const { adminToken } = classState();
  // The instructor is a hub admin: the Admin page and the Services menu's pid-mock entry.
  const home = await fetch(`${hub.url}hub/home`, { headers: { Cookie: await logInWithForm(hub, 'instructor') } });
  assert.equal(home.status, 200);
  const page = await home.text();
  assert.match(page, /href="\/hub\/admin"/);
  assert.match(page, /<a class="dropdown-item" href="\/services\/pid-mock\/">pid-mock<\/a>/);
  const menu = await fetch(`${hub.url}services/pid-mock/`, { redirect: 'manual' });
  assert.equal(menu.status, 302);
  assert.equal(menu.headers.get('location'), '/services/pid-mock/_admin/live');
  // The class roster through the same hub path, with the instructor's token.
  const roster = await fetch(`${hub.url}services/pid-mock/_admin/class/trainees`, { headers: { Authorization: `Bearer ${adminToken}` } });
  assert.equal(roster.status, 200);
  const names = ((await roster.json()) as { trainees: { name: string }[] }).trainees.map((t) => t.name.toLowerCase());
  for (const user of USERS) assert.ok(names.includes(user), `${user} in ${names.join(', ')}`);
  const refused = await fetch(`${hub.url}services/pid-mock/_admin/class/trainees`);
  assert.equal(refused.status, 401);
  // The live page's event stream, through the hub, shows the three trainees' rows (they ran chapters 3 and 5).
  const stream = await fetch(`${hub.url}services/pid-mock/_admin/live/stream`, { headers: { Authorization: `Bearer ${adminToken}` } });
  assert.equal(stream.status, 200);
  const reader = stream.body!.getReader();
  let text = '';
  while (!/event: snapshot\ndata: .*\n\n/.test(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  await reader.cancel();
  const snapshot = JSON.parse(/event: snapshot\ndata: (.*)\n\n/.exec(text)![1]!) as { trainees: { name: string }[] };
  const live = snapshot.trainees.map((t) => t.name.toLowerCase());
  for (const user of USERS) assert.ok(live.includes(user), `${user} on the live page: ${live.join(', ')}`);
});

test('restarting the hub keeps each trainee identity and their notebook edits', async () => {
  const user = 'trainee01';
  const token = tokens.get(user)!;
  const path = '03-registering-a-file.ipynb';
  const saved = await userApi(hub, user, token, `contents/${path}`);
  saved.body.content.cells.unshift({ cell_type: 'markdown', metadata: {}, source: MARKER });
  const put = await userApi(hub, user, token, `contents/${path}`, { method: 'PUT', body: { type: 'notebook', format: 'json', content: saved.body.content } });
  assert.equal(put.status, 200, JSON.stringify(put.body));
  const before = Object.fromEntries(USERS.map((u) => [u, readFileSync(join(classDir, 'homes', u, 'credentials', 'cred_basic.json'), 'utf8')]));

  await hub.stop();
  hub = await startClassHub(classDir, USERS.length, hub.unixPrefix);
  assert.equal((await hubApi(hub, `users/${user}`)).body.servers[''], undefined, 'the restart stopped the servers');
  tokens.set(user, await logIn(hub, user));
  await startServer(hub, user, tokens.get(user)!);

  const reopened = await userApi(hub, user, tokens.get(user)!, `contents/${path}`);
  assert.equal(reopened.body.content.cells[0].source, MARKER);
  assert.equal(readFileSync(join(classDir, 'homes', user, 'credentials', 'cred_basic.json'), 'utf8'), before[user]);
  const [check] = await runNotebook(user, path, [
    "import { loadLessonCredentials, HandleClient } from 'pid-handson/lesson';\n" +
      'const client = await HandleClient.withCredentials(loadLessonCredentials());\n' +
      `console.log('url:', await client.getValueFromHandle(${JSON.stringify(registered.get(user))}, 'URL'));\n` +
      'await client.close();',
  ]);
  assert.equal(check!.status, 'ok', check!.output + check!.errors.join('\n'));
  assert.match(check!.output, /^url: http:\/\/127\.0\.0\.1:\d+\/files\/\S*surveys\.csv/m);
  const { adminToken } = classState();
  const roster = await fetch(`${hub.url}services/pid-mock/_admin/class/trainees`, { headers: { Authorization: `Bearer ${adminToken}` } });
  const trainees = ((await roster.json()) as { trainees: { name: string; passwordIdentity: string }[] }).trainees;
  for (const u of USERS) {
    const entry = trainees.find((t) => t.name.toLowerCase() === u)!;
    assert.equal(entry.passwordIdentity.toLowerCase(), JSON.parse(before[u]!).username.toLowerCase());
  }
});
