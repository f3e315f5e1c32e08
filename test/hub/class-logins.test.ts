// The class's logins as `npm run class` keeps them (deploy/jupyterhub/class-logins.cjs), on real files:
// kept across runs, renewed one at a time, gone with the user, root-only, and hashed so that the hub's
// ClassAuthenticator (Python, hashlib.scrypt) accepts exactly the password Node generated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT } from '../support/paths.js';
import { JUPYTERHUB_PYTHON, requireSystemPackage } from '../support/system-packages.js';
import { temporaryFolder } from '../support/temporary-folders.js';

interface Login {
  user: string;
  password: string;
  role: string;
}
const { updateLogins, loginTable } = createRequire(join(ROOT, 'package.json'))(join(ROOT, 'deploy', 'jupyterhub', 'class-logins.cjs')) as {
  updateLogins(classDir: string, roster: { user: string; role: string }[], renew: string[]): { created: Login[]; unlisted: number; sheetFile: string };
  loginTable(created: Login[]): string;
};

const roster = (trainees: string[]) => [{ user: 'instructor', role: 'instructor' }, ...trainees.map((user) => ({ user, role: 'trainee' }))];
const store = (dir: string) => JSON.parse(readFileSync(join(dir, 'hub-logins.json'), 'utf8')).users as Record<string, { role: string; hash: string }>;
const sheet = (dir: string) => readFileSync(join(dir, 'logins.csv'), 'utf8');

/** Asks the hub's own code (pid_handson_hub.password_matches) whether each password matches the stored hash. */
function hubAccepts(hashes: string[], passwords: string[]): boolean[] {
  const program = [
    'import json, sys',
    `sys.path.insert(0, ${JSON.stringify(join(ROOT, 'deploy', 'jupyterhub'))})`,
    'import pid_handson_hub as hub',
    'pairs = json.load(sys.stdin)',
    'print(json.dumps([hub.password_matches(h, p) for h, p in pairs]))',
  ].join('\n');
  const run = spawnSync('/usr/bin/python3', ['-c', program], {
    input: JSON.stringify(hashes.map((h, i) => [h, passwords[i]])),
    encoding: 'utf8',
  });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as boolean[];
}

test('first run: a password per user, root-only files, the hash and not the password in the hub store', () => {
  const dir = temporaryFolder('pid-class-logins-unit-');
  try {
    const { created, unlisted } = updateLogins(dir, roster(['anna', 'ben']), []);
    assert.deepEqual(
      created.map((c) => [c.user, c.role]),
      [
        ['instructor', 'instructor'],
        ['anna', 'trainee'],
        ['ben', 'trainee'],
      ],
    );
    assert.equal(unlisted, 0);
    assert.equal(new Set(created.map((c) => c.password)).size, 3);
    assert.equal(sheet(dir), `user,password,role\n${created.map((c) => `${c.user},${c.password},${c.role}`).join('\n')}\n`);
    for (const file of ['hub-logins.json', 'logins.csv']) assert.equal(statSync(join(dir, file)).mode & 0o777, 0o600, file);
    const hashes = store(dir);
    for (const c of created) {
      assert.equal(hashes[c.user]!.role, c.role);
      assert.ok(!readFileSync(join(dir, 'hub-logins.json'), 'utf8').includes(c.password));
    }
    const table = loginTable(created);
    for (const c of created) assert.match(table, new RegExp(`^\\s+${c.user}\\s+${c.password}\\s+${c.role}$`, 'm'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the hub's Python check accepts the Node hash of a user's own password and nothing else", () => {
  requireSystemPackage(JUPYTERHUB_PYTHON);
  const dir = temporaryFolder('pid-class-logins-unit-');
  try {
    const { created } = updateLogins(dir, roster(['anna', 'ben']), []);
    const hashes = store(dir);
    const pairs = created.flatMap((owner) => created.map((other) => [hashes[owner.user]!.hash, other.password, owner === other] as const));
    const extra = [
      [hashes.anna!.hash, '', false],
      [hashes.anna!.hash, `${created[1]!.password} `, false],
      [hashes.anna!.hash.replace('scrypt$16384', 'scrypt$1048576'), created[1]!.password, false],
      ['plain text', 'plain text', false],
    ] as const;
    const all = [...pairs, ...extra];
    assert.deepEqual(
      hubAccepts(
        all.map((p) => p[0]),
        all.map((p) => p[1]),
      ),
      all.map((p) => p[2]),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('later runs keep passwords, renew only the ones asked for, add new users and drop removed ones', () => {
  const dir = temporaryFolder('pid-class-logins-unit-');
  try {
    const first = updateLogins(dir, roster(['anna', 'ben', 'carl']), []);
    const before = store(dir);
    const again = updateLogins(dir, roster(['anna', 'ben', 'carl']), []);
    assert.deepEqual(again.created, []);
    assert.deepEqual(store(dir), before);

    const next = updateLogins(dir, roster(['anna', 'ben', 'dora']), ['ben']);
    assert.deepEqual(
      next.created.map((c) => c.user),
      ['ben', 'dora'],
    );
    const after = store(dir);
    assert.equal(after.anna!.hash, before.anna!.hash);
    assert.equal(after.instructor!.hash, before.instructor!.hash);
    assert.notEqual(after.ben!.hash, before.ben!.hash);
    assert.equal(after.carl, undefined, 'a user taken off the roster cannot log in any more');
    const rows = sheet(dir);
    const anna = first.created.find((c) => c.user === 'anna')!;
    assert.match(rows, new RegExp(`^anna,${anna.password},trainee$`, 'm'));
    assert.doesNotMatch(rows, /^carl,/m);
    assert.match(rows, new RegExp(`^ben,${next.created[0]!.password},trainee$`, 'm'));

    // The instructor deleted the sheet after printing it: the passwords stay valid, and the count says so.
    rmSync(join(dir, 'logins.csv'));
    const resumed = updateLogins(dir, roster(['anna', 'ben', 'dora']), []);
    assert.equal(resumed.unlisted, 4);
    assert.equal(store(dir).anna!.hash, before.anna!.hash);
    assert.equal(sheet(dir), 'user,password,role\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a damaged hub store is reported, not replaced with new passwords', () => {
  const dir = temporaryFolder('pid-class-logins-unit-');
  try {
    writeFileSync(join(dir, 'hub-logins.json'), '{"users": [');
    assert.throws(() => updateLogins(dir, roster(['anna']), []), /JSON/);
    writeFileSync(join(dir, 'hub-logins.json'), '{"users": []}');
    assert.throws(() => updateLogins(dir, roster(['anna']), []), /has no "users" object/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
