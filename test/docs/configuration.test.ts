// docs/configuration.md is the one list of the project's settings. These tests read the real files: every
// PID_* variable the code reads is in the table, every variable in the table is read somewhere, and every
// option of `pid-mock`, `npm start` and `npm run class` is in the table, so the document cannot fall behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, join, relative } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const DOC = join(ROOT, 'docs', 'configuration.md');

/** Where the project's settings are read: the product, the ways to run it, the lesson, CI. */
const PRODUCT_FOLDERS = ['src', 'mock-server', 'deploy', 'bin', 'notebooks', 'lesson', '.ci'];
/** The tests' and benchmarks' own settings are in the table too; their code names PID_* constants that are no variables. */
const ALL_FOLDERS = [...PRODUCT_FOLDERS, 'test', 'bench'];
const CODE_EXTENSIONS = new Set(['.ts', '.cts', '.mts', '.js', '.cjs', '.mjs', '.py', '.sh', '.yml', '.yaml', '.ipynb', '.Dockerfile']);
const SKIPPED_FOLDERS = new Set(['node_modules', 'dist', '.ipynb_checkpoints', '.jupyter']);

function isCode(file: string): boolean {
  const name = basename(file);
  if (name === 'Dockerfile' || CODE_EXTENSIONS.has(extname(name))) return true;
  // Extension-less scripts (deploy/docker/start, .ci/run).
  return extname(name) === '' && readFileSync(file, 'utf8').startsWith('#!');
}

function codeFiles(folders: string[]): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) {
        if (!SKIPPED_FOLDERS.has(entry)) walk(path);
      } else if (isCode(path)) {
        found.push(path);
      }
    }
  };
  for (const folder of folders) if (existsSync(join(ROOT, folder))) walk(join(ROOT, folder));
  for (const entry of readdirSync(ROOT)) if (/^docker-compose.*\.ya?ml$|^Dockerfile/.test(entry)) found.push(join(ROOT, entry));
  return found;
}

const NAME = '[A-Z][A-Z0-9_]*';
/**
 * The ways code reads a variable: a property (`process.env.X`, `env.X`), a quoted name (`env['X']`,
 * `env('X')`, `os.environ.get("X")`, `setting("X")`, a table of names), a shell or compose expansion
 * (`$X`, `${X:-…}`).
 */
const READS = [new RegExp(`(?<!\\.\\.)\\.(${NAME})\\b`, 'g'), new RegExp(`['"](${NAME})['"]`, 'g'), new RegExp(`\\$\\{?(${NAME})\\b`, 'g')];
const COMMENT = /^\s*(\/\/|\/\*|\*|#)/;

/** Variable name → the files that read it. */
function variablesRead(folders: string[]): Map<string, Set<string>> {
  const reads = new Map<string, Set<string>>();
  for (const file of codeFiles(folders)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (COMMENT.test(line)) continue;
      for (const pattern of READS) {
        for (const match of line.matchAll(pattern)) {
          const name = match[1]!;
          if (!reads.has(name)) reads.set(name, new Set());
          reads.get(name)!.add(relative(ROOT, file));
        }
      }
    }
  }
  return reads;
}

/** The first cell of every row of the table, its code spans with `\|` read as `|`. */
function documentedNames(): string[][] {
  const rows = readFileSync(DOC, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('| ') && !/^\| (name|---) /.test(line));
  assert.ok(rows.length > 0, 'docs/configuration.md has no table');
  return rows.map((row) => {
    const firstCell = row.slice(2).split(/(?<!\\)\|/)[0]!;
    return [...firstCell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!.replace(/\\\|/g, '|'));
  });
}

const documentedVariables = (): Set<string> =>
  new Set(
    documentedNames()
      .flat()
      .filter((span) => new RegExp(`^${NAME}$`).test(span)),
  );

test('every PID_* variable the code reads is in docs/configuration.md', () => {
  const listed = documentedVariables();
  const missing = [...variablesRead(PRODUCT_FOLDERS)].filter(([name]) => name.startsWith('PID_') && !listed.has(name));
  assert.deepEqual(
    missing.map(([name, files]) => `${name} (read in ${[...files].sort().join(', ')})`),
    [],
    'add a row to the table in docs/configuration.md for each of these',
  );
});

test('every variable in docs/configuration.md is read somewhere', () => {
  const reads = variablesRead(ALL_FOLDERS);
  const unread = [...documentedVariables()].filter((name) => !reads.has(name));
  assert.deepEqual(unread, [], 'no code reads these any more: remove their rows from docs/configuration.md');
});

/** Documented options as "command words --option", from spans such as `pid-mock class provision\|add --prefix <prefix>`. */
function documentedOptions(program: string): Set<string> {
  const options = new Set<string>();
  for (const span of documentedNames().flat()) {
    if (!span.startsWith(`${program} `)) continue;
    const words = span.slice(program.length + 1).split(' ');
    const commandEnd = words.findIndex((word) => /^[-<[]/.test(word));
    const command = words.slice(0, commandEnd === -1 ? words.length : commandEnd);
    const flags = words.filter((word) => word.startsWith('--'));
    // `provision|add` names two commands with the same option.
    let paths = [''];
    for (const word of command) paths = paths.flatMap((path) => word.split('|').map((alternative) => `${path}${alternative} `));
    for (const path of paths) for (const flag of flags) options.add(`${path}${flag}`);
  }
  return options;
}

/** Options listed in a commander-style help text, and its subcommands. */
function helpOf(args: string[]): { options: string[]; commands: string[] } {
  const run = spawnSync(process.execPath, [join(ROOT, 'bin', 'pid-mock.cjs'), ...args, '--help'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  assert.equal(run.status, 0, `pid-mock ${args.join(' ')} --help failed (is the package built? npm run build): ${run.stderr}`);
  const section = (title: string): string[] => {
    const start = run.stdout.indexOf(`\n${title}:\n`);
    if (start === -1) return [];
    const lines: string[] = [];
    for (const line of run.stdout.slice(start + title.length + 3).split('\n')) {
      if (line.trim() === '' || !line.startsWith(' ')) break;
      lines.push(line);
    }
    return lines;
  };
  return {
    options: section('Options')
      .flatMap((line) => /^\s+(?:-\w, )?(--[a-z][a-z-]*)/.exec(line)?.[1] ?? [])
      .filter((flag) => flag !== '--help'),
    commands: section('Commands')
      .flatMap((line) => /^\s{2}([a-z][a-z-]*)/.exec(line)?.[1] ?? [])
      .filter((name) => name !== 'help'),
  };
}

test('every option of every pid-mock command is in docs/configuration.md', () => {
  const documented = documentedOptions('pid-mock');
  const missing: string[] = [];
  let dataFlags = 0;
  const visit = (path: string[]): void => {
    const help = helpOf(path);
    for (const flag of help.options) {
      // Every command's --data is one row of the table (with serve's); the others are listed one by one.
      if (flag === '--data') dataFlags++;
      else if (!documented.has(`${path.join(' ')} ${flag}`)) missing.push(`pid-mock ${path.join(' ')} ${flag}`);
    }
    for (const command of help.commands) visit([...path, command]);
  };
  visit([]);
  assert.ok(dataFlags > 1, 'pid-mock --help lists no --data option: the help text changed shape');
  assert.ok(documented.has('serve --data'), 'pid-mock serve --data is not in docs/configuration.md');
  assert.deepEqual(missing, [], 'add these options to docs/configuration.md');
});

test('every option of npm start and npm run class is in docs/configuration.md', () => {
  const startFlags = [...readFileSync(join(ROOT, 'deploy', 'local', 'start.cjs'), 'utf8').matchAll(/args\.has\('(--[a-z-]+)'\)/g)].map((m) => m[1]!);
  assert.ok(startFlags.length > 0, 'deploy/local/start.cjs reads no flag: the test no longer finds them');
  const documentedStart = documentedOptions('npm start --');
  assert.deepEqual(
    startFlags.filter((flag) => !documentedStart.has(flag)),
    [],
    'npm start options missing from docs/configuration.md',
  );

  const usage = spawnSync(process.execPath, [join(ROOT, 'deploy', 'jupyterhub', 'class.cjs'), '--help'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  const classFlags = [...`${usage.stdout}${usage.stderr}`.matchAll(/^\s+(--[a-z][a-z-]*)/gm)].map((m) => m[1]!);
  assert.ok(classFlags.length > 0, `npm run class -- --help shows no option: ${usage.stdout}${usage.stderr}`);
  const documentedClass = documentedOptions('npm run class --');
  assert.deepEqual(
    [...classFlags, '--help'].filter((flag) => !documentedClass.has(flag)),
    [],
    'npm run class options missing from docs/configuration.md',
  );
});
