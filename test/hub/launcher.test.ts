// `npm run class` refuses bad input with one clear line and exit code 2, before starting or writing anything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../support/paths.js';
import { temporaryFolder } from '../support/temporary-folders.js';

function launch(...args: string[]) {
  return spawnSync(process.execPath, [join(ROOT, 'deploy', 'jupyterhub', 'class.cjs'), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
}

test('bad options are refused with what was expected, and no class folder is made', () => {
  const parent = temporaryFolder('pid-class-launcher-');
  const classDir = join(parent, 'class');
  try {
    for (const [args, message] of [
      [['--users', 'thirty'], /--users must be a number from 1 to 9999, not "thirty"/],
      [['--users', '0'], /--users must be a number from 1 to 9999, not "0"/],
      [['--port', '70000'], /--port must be a number from 0 to 65535, not "70000"/],
      [['--users', '3', '--names', 'a,b'], /give --users or --names, not both/],
      [['--names', 'anna,Ben,c d'], /--names: Ben, c d must be lower-case letters/],
      // Every user has their own password now: the shared workshop password is gone.
      [['--users', '3', '--password', 'workshop-password'], /Unknown option '--password'/],
      [['--users', '3', '--unix-prefix', 'Pid'], /--unix-prefix must be a lower-case letter and up to 11 more/],
      [['--users', '3', '--new-password', '../x'], /--names: \.\.\/x must be lower-case letters/],
      [['--users', '3', '--instructor', 'trainee02'], /trainee02: a user is a trainee or an instructor, not both/],
      [[], /which trainees\? Give --users N or --names a,b,c/],
      [['--api-token', 'short'], /--api-token must have at least 16 characters/],
      [['--userz', '3'], /Unknown option '--userz'/],
    ] as const) {
      const run = launch(...args, '--class-dir', classDir, '--no-prepare', '--no-install');
      assert.equal(run.status, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message);
      assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
      assert.equal(existsSync(classDir), false);
    }
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});

test('--help says how to run a class', () => {
  const run = launch('--help');
  assert.equal(run.status, 0);
  assert.match(run.stdout, /usage: npm run class -- \(--users N \| --names a,b,c\)/);
  assert.match(run.stdout, /--class-dir DIR/);
});

test('--logins-only writes the logins of a class whose hub runs elsewhere, and starts nothing', () => {
  const parent = temporaryFolder('pid-class-launcher-');
  const classDir = join(parent, 'k8s-class');
  try {
    const run = launch('--logins-only', '--names', 'anna,ben', '--class-dir', classDir);
    assert.equal(run.status, 0, run.stderr);
    const sheet = readFileSync(join(classDir, 'logins.csv'), 'utf8').trim().split('\n');
    assert.equal(sheet[0], 'user,password,role');
    assert.deepEqual(
      sheet.slice(1).map((row) => [row.split(',')[0], row.split(',')[2]]),
      [
        ['instructor', 'instructor'],
        ['anna', 'trainee'],
        ['ben', 'trainee'],
      ],
    );
    for (const row of sheet.slice(1)) assert.ok(run.stdout.includes(row.split(',')[1]!), `${row.split(',')[0]}'s password is printed`);
    for (const file of ['logins.csv', 'hub-logins.json']) assert.equal(statSync(join(classDir, file)).mode & 0o777, 0o600, file);
    assert.doesNotMatch(run.stdout, /class hub:/);
    // Again: nothing new, the same passwords.
    const again = launch('--logins-only', '--class-dir', classDir);
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /^no new logins$/m);
    assert.equal(readFileSync(join(classDir, 'logins.csv'), 'utf8').trim().split('\n').length, 4);
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
});
