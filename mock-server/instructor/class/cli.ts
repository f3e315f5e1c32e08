// `pid-mock class provision|list|revoke|add`: the instructor's roster commands, straight on a data
// folder's SQLite file, writing one bundle (folder and zip) per trainee.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { HandleStore } from '../../storage/store.js';
import { withDataFolder } from '../../data-folder/open.js';
import { InstructorCommandError } from '../command-error.js';
import { addTrainee, ClassError, ensureTrainees, listTrainees, MAX_TRAINEES, readRoster, revokeTrainee, type EnsureResult } from './roster.js';
import { writeBundle } from './bundle.js';
import { readAddresses } from '../../data-folder/addresses.js';
import { dataFolderLayout } from '../../data-folder/layout.js';
import { fetchClassProgress, progressTable } from '../class-progress/cli.js';

function dataOption(): [string, string, string] {
  return ['--data <dir>', 'data folder', process.env.PID_MOCK_DATA || './data'];
}

/** `--trainees N`: a whole number from 1 to MAX_TRAINEES. */
export function parseTraineeCount(text: string): number {
  if (!/^\s*-?\d+\s*$/.test(text)) throw new ClassError(400, `--trainees must be a whole number from 1 to ${MAX_TRAINEES}, not "${text}"`);
  const n = Number(text);
  if (n <= 0) throw new ClassError(400, `--trainees must be at least 1, not ${n}`);
  if (n > MAX_TRAINEES) throw new ClassError(400, `--trainees ${n} is more than this server provisions at once (at most ${MAX_TRAINEES})`);
  return n;
}

/** A names file: one name a line; blank lines and lines starting with # are skipped. */
export function readNamesFile(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InstructorCommandError(`cannot read the names file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

export function defaultNames(count: number): string[] {
  const width = Math.max(2, String(count).length);
  return Array.from({ length: count }, (_, i) => `TRAINEE${String(i + 1).padStart(width, '0')}`);
}

function writeBundles(store: HandleStore, dir: string, outDir: string, results: EnsureResult[]) {
  const addresses = readAddresses(store);
  if (!addresses) throw new InstructorCommandError(`the server on ${dir} has not said where it answers yet: start "pid-mock serve --data ${dir}" once more`);
  const state = readRoster(store);
  return results.map(({ trainee, created }) => ({
    name: trainee.name,
    identity: trainee.passwordIdentity,
    created,
    ...writeBundle(outDir, dir, state, trainee, addresses),
  }));
}

function report(rows: Array<{ name: string; identity: string; created: boolean; folder: string; zip: string }>): string {
  const made = rows.filter((r) => r.created).length;
  const lines = rows.map((r) => `  ${r.name.padEnd(16)} ${r.identity.padEnd(32)} ${r.created ? 'new     ' : 'existing'} ${r.zip}`);
  return [`${made} new, ${rows.length - made} already there; bundles (folder and zip) in ${resolve(rows[0]?.folder ?? '.', '..')}`, ...lines, ''].join('\n');
}

export function registerClassCommands(program: Command): void {
  const group = program.command('class').description('provision a class: one password and one certificate identity per trainee, with a bundle each');

  group
    .command('provision')
    .description('create N trainees (or the names in FILE) and write their bundles')
    .requiredOption('--trainees <n>', `how many trainees (1 to ${MAX_TRAINEES})`)
    .option('--names <file>', 'names, one per line (letters, digits, . _ -); default TRAINEE01, TRAINEE02, ...')
    .option('--prefix <prefix>', "prefix of the trainees' identity handles (default: the server's first prefix)")
    .option(...dataOption())
    .option('--out <dir>', 'where the bundles go (default: <data>/instructor/class/bundles)')
    .addHelpText(
      'after',
      '\nExample:\n  pid-mock class provision --trainees 30 --data ./class-data\n  pid-mock class provision --trainees 3 --names names.txt --data ./class-data --out ./handouts',
    )
    .action(async (opts: { trainees: string; names?: string; prefix?: string; data: string; out?: string }) => {
      const count = parseTraineeCount(opts.trainees);
      const names = opts.names !== undefined ? readNamesFile(opts.names) : defaultNames(count);
      if (names.length !== count) {
        throw new ClassError(400, `--trainees ${count} but ${opts.names} holds ${names.length} name${names.length === 1 ? '' : 's'}: give the same number`);
      }
      await withDataFolder(opts.data, async (store, dir) => {
        const results = await ensureTrainees(store, dir, names, { prefix: opts.prefix, actor: 'pid-mock class provision' });
        process.stdout.write(report(writeBundles(store, dir, opts.out ?? dataFolderLayout(dir).instructor.bundles, results)));
      });
    });

  group
    .command('list')
    .description('the trainees of this server (no secrets)')
    .option(...dataOption())
    .option('--json', 'as JSON', false)
    .action((opts: { data: string; json: boolean }) => {
      withDataFolder(opts.data, (store) => {
        const trainees = listTrainees(store);
        if (opts.json) return process.stdout.write(`${JSON.stringify({ trainees }, null, 2)}\n`);
        const lines = trainees.map(
          (t) =>
            `  ${t.name.padEnd(16)} ${t.passwordIdentity.padEnd(32)} ${t.certificateIdentity.padEnd(32)} ${t.revoked ? 'revoked' : 'active '} ${t.created}`,
        );
        return process.stdout.write([`${trainees.length} trainee${trainees.length === 1 ? '' : 's'}`, ...lines, ''].join('\n'));
      });
    });

  group
    .command('progress')
    .description("the class as the instructor's board sees it: each trainee's state, exercise verdicts and errors (asks the running server)")
    .option(...dataOption())
    .option('--json', 'as JSON (the same as GET /_admin/class/progress)', false)
    .option('--url <url>', 'server URL (default: the one in <data>/instructor/cred_instructor.json)')
    .action(async (opts: { data: string; json: boolean; url?: string }) => {
      const view = await fetchClassProgress(opts.data, opts.url);
      process.stdout.write(opts.json ? `${JSON.stringify(view, null, 2)}\n` : progressTable(view));
    });

  group
    .command('revoke <name>')
    .description("take a trainee's password and certificate away (their handles stay)")
    .option(...dataOption())
    .action((name: string, opts: { data: string }) => {
      withDataFolder(opts.data, (store) => {
        const { trainee, changed } = revokeTrainee(store, name, 'pid-mock class revoke');
        process.stdout.write(
          changed
            ? `revoked ${trainee.name}: ${trainee.passwordIdentity} and ${trainee.certificateIdentity} can no longer authenticate\n`
            : `${trainee.name} was already revoked\n`,
        );
      });
    });

  group
    .command('add <name>')
    .description('add one trainee, or restore a revoked one with new secrets, and write their bundle')
    .option('--prefix <prefix>', "prefix of the identity handle (default: the server's first prefix)")
    .option(...dataOption())
    .option('--out <dir>', 'where the bundle goes (default: <data>/instructor/class/bundles)')
    .action(async (name: string, opts: { prefix?: string; data: string; out?: string }) => {
      await withDataFolder(opts.data, async (store, dir) => {
        const result = await addTrainee(store, dir, name, { prefix: opts.prefix, actor: 'pid-mock class add' });
        process.stdout.write(report(writeBundles(store, dir, opts.out ?? dataFolderLayout(dir).instructor.bundles, [result])));
      });
    });
}
