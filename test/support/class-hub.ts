// A real class hub for tests: `node deploy/jupyterhub/class.cjs` (JupyterHub, its proxy, the mock server
// as a hub service) on free loopback ports and a class folder of the test's; its REST API and the users'
// Jupyter servers as a browser reaches them through the hub's proxy. Each hub gets a Unix user prefix of its
// own (two test files may run hubs with the same user names at once), and its Unix users go when it stops.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { assertDistExists, ROOT } from './paths.js';
import { stopChild } from './processes.js';
import { JUPYTERHUB, requireSystemPackage } from './system-packages.js';

export const HUB_API_TOKEN = 'hub-test-api-token-0123456789abcdef';

export interface ClassHub {
  url: string;
  classDir: string;
  unixPrefix: string;
  /** Each user's password, from the class's logins.csv. */
  passwords: Map<string, string>;
  output(): string;
  stop(): Promise<void>;
  /** Stops the hub and removes the Unix users its spawns made. */
  close(): Promise<void>;
}

/** The logins the launcher wrote: user → { password, role }. */
export function readLogins(classDir: string): Map<string, { password: string; role: string }> {
  const [header, ...rows] = readFileSync(join(classDir, 'logins.csv'), 'utf8').trim().split('\n');
  if (header !== 'user,password,role') throw new Error(`logins.csv starts with ${header}`);
  return new Map(
    rows.map((row) => {
      const [user, password, role] = row.split(',');
      return [user!, { password: password!, role: role! }];
    }),
  );
}

/** The Unix users whose names start with prefix (from the passwd database). */
export function unixUsers(prefix: string): { name: string; uid: number; gid: number; home: string }[] {
  const passwd = spawnSync('getent', ['passwd'], { encoding: 'utf8' }).stdout;
  return passwd
    .split('\n')
    .map((line) => line.split(':'))
    .filter((f) => f[0]?.startsWith(prefix))
    .map((f) => ({ name: f[0]!, uid: Number(f[2]), gid: Number(f[3]), home: f[5]! }));
}

function removeUnixUsers(prefix: string): void {
  for (const { name } of unixUsers(prefix)) spawnSync('userdel', [name], { stdio: 'ignore' });
}

export function requireJupyterHub(): void {
  requireSystemPackage(...JUPYTERHUB);
  assertDistExists();
}

export async function startClassHub(
  classDir: string,
  users: number,
  unixPrefix = `t${randomBytes(3).toString('hex')}-`,
  /** More of `npm run class`'s options (the class settings). */
  extraArgs: string[] = [],
): Promise<ClassHub> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      join(ROOT, 'deploy', 'jupyterhub', 'class.cjs'),
      '--users',
      String(users),
      '--class-dir',
      classDir,
      '--port',
      '0',
      '--unix-prefix',
      unixPrefix,
      '--api-token',
      HUB_API_TOKEN,
      '--no-prepare',
      '--no-install',
      ...extraArgs,
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: false },
  );
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the class hub did not get ready within 90 s:\n${output}`)), 90_000);
    const check = () => {
      const match = /class hub: (http:\/\/\S+)[\s\S]*\nready\n/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the class hub exited with ${code} before ready:\n${output}`));
    });
  });
  const passwords = new Map([...readLogins(classDir)].map(([user, { password }]) => [user, password]));
  const stop = () => stopChild(child);
  return {
    url,
    classDir,
    unixPrefix,
    passwords,
    output: () => output,
    stop,
    close: async () => {
      await stop();
      removeUnixUsers(unixPrefix);
    },
  };
}

export async function hubApi(
  hub: ClassHub,
  path: string,
  init: { method?: string; token?: string; body?: unknown } = {},
  // biome-ignore lint/suspicious/noExplicitAny: the hub REST API answers JSON of many shapes, each test reads the fields it checks
): Promise<{ status: number; body: any }> {
  const response = await fetch(`${hub.url}hub/api/${path}`, {
    method: init.method ?? 'GET',
    headers: { Authorization: `token ${init.token ?? HUB_API_TOKEN}`, ...(init.body ? { 'Content-Type': 'application/json' } : {}) },
    ...(init.body ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** Logs a user in with their password (from logins.csv) through the REST API; returns their own API token. */
export async function logIn(hub: ClassHub, user: string): Promise<string> {
  const answer = await fetch(`${hub.url}hub/api/users/${user}/tokens`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ auth: { username: user, password: hub.passwords.get(user) }, note: 'test login' }),
  });
  const body = (await answer.json()) as { token?: string };
  if (![200, 201].includes(answer.status) || !body.token) throw new Error(`login of ${user} failed: ${answer.status} ${JSON.stringify(body)}`);
  return body.token;
}

/** Starts the user's server with their own token and waits until the hub says it is ready. */
export async function startServer(hub: ClassHub, user: string, token: string): Promise<void> {
  const started = await hubApi(hub, `users/${user}/server`, { method: 'POST', token });
  if (![201, 202].includes(started.status)) throw new Error(`starting ${user}'s server: ${started.status} ${JSON.stringify(started.body)}`);
  for (let i = 0; i < 240; i += 1) {
    const state = await hubApi(hub, `users/${user}`, { token });
    const server = state.body?.servers?.[''];
    if (server?.ready) return;
    if (!server?.pending && !server?.ready && i > 2) throw new Error(`${user}'s server stopped while starting:\n${hub.output().slice(-3000)}`);
    await sleep(500);
  }
  throw new Error(`${user}'s server was not ready within 120 s`);
}

/** The user's Jupyter server REST API, through the hub's proxy. */
export async function userApi(
  hub: ClassHub,
  user: string,
  token: string,
  path: string,
  init: { method?: string; body?: unknown } = {},
  // biome-ignore lint/suspicious/noExplicitAny: the hub REST API answers JSON of many shapes, each test reads the fields it checks
): Promise<{ status: number; body: any }> {
  const response = await fetch(`${hub.url}user/${user}/api/${path}`, {
    method: init.method ?? 'GET',
    headers: { Authorization: `token ${token}`, ...(init.body ? { 'Content-Type': 'application/json' } : {}) },
    ...(init.body ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

/** Posts the hub's login form, as a browser does: the status and the login cookie, if one was set. */
export async function postLoginForm(hub: ClassHub, user: string, password: string): Promise<{ status: number; page: string; cookie?: string }> {
  const answer = await fetch(`${hub.url}hub/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: user, password }).toString(),
  });
  const page = await answer.text();
  const cookies = answer.headers.getSetCookie().map((c) => c.split(';')[0]!);
  return { status: answer.status, page, ...(cookies.some((c) => c.startsWith('jupyterhub-hub-login=')) ? { cookie: cookies.join('; ') } : {}) };
}

/** Logs a user in through the hub's login form with their own password; returns the Cookie header to send. */
export async function logInWithForm(hub: ClassHub, user: string): Promise<string> {
  const { status, cookie } = await postLoginForm(hub, user, hub.passwords.get(user) ?? '');
  if (status !== 302 || !cookie) throw new Error(`form login of ${user} failed: ${status}`);
  return cookie;
}
