// `pid-mock state export|import|reset`: keep a class's results in one JSON file, bring them back, or
// start the class again from the first-start state (identities and roster stay).
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { withDataFolder } from '../../data-folder/open.js';
import { InstructorCommandError } from '../command-error.js';
import { holdsLessonRecords, resetToFirstStart } from '../../data-folder/provisioning.js';
import { readState } from '../../data-folder/provisioning-state.js';
import { writeCredentials } from '../../data-folder/credentials.js';
import { readAddresses } from '../../data-folder/addresses.js';
import { exportState, importState } from './snapshot.js';
import { parseStateText, StateFileError } from './schema.js';

/** A refused state file is a usage mistake (exit 2, as for a bad option), told in one line. */
const REFUSED_FILE_EXIT = 2;

function dataOption(): [string, string, string] {
  return ['--data <dir>', 'data folder', process.env.PID_MOCK_DATA || './data'];
}

export function registerStateCommands(program: Command): void {
  const group = program.command('state').description("save, restore or reset a server's whole state (records, identities, journal)");

  group
    .command('export <file>')
    .description("write every record, identity and journal entry to FILE (JSON; it holds the trainees' secrets: keep it safe)")
    .option(...dataOption())
    .action((file: string, opts: { data: string }) => {
      withDataFolder(opts.data, (store, dir) => {
        const state = exportState(store, dir);
        writeFileSync(file, `${JSON.stringify(state, null, 1)}\n`, { mode: 0o600 });
        process.stdout.write(
          `exported ${state.handles.length} handles, ${state.provisioning.trainees.length} trainees and ${state.events.length} journal entries to ${file}\n`,
        );
      });
    });

  group
    .command('import <file>')
    .description('replace the whole state with FILE (checked first: a broken or foreign file changes nothing)')
    .option(...dataOption())
    .action((file: string, opts: { data: string }) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        throw new InstructorCommandError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
      let parsed: ReturnType<typeof parseStateText>;
      try {
        parsed = parseStateText(text);
      } catch (error) {
        if (!(error instanceof StateFileError)) throw error;
        process.stderr.write(`pid-mock: ${file}: ${error.message}\n`);
        process.exitCode = REFUSED_FILE_EXIT;
        return;
      }
      withDataFolder(opts.data, (store, dir) => {
        const counts = importState(store, dir, parsed);
        const addresses = readAddresses(store);
        // The self-study credentials files must carry the imported USER01 password.
        if (addresses) writeCredentials(dir, readState(store)!, addresses.httpsUrl);
        process.stdout.write(
          `imported ${counts.handles} handles, ${counts.trainees} trainees, ${counts.events} journal entries and ${counts.progressReports} progress reports from ${file}\n`,
        );
      });
    });

  group
    .command('reset')
    .description('back to the first-start records (prefix handles, identities, seeds); every other handle and the journal go')
    .option(...dataOption())
    .action((opts: { data: string }) => {
      withDataFolder(opts.data, (store) => {
        const addresses = readAddresses(store);
        if (!addresses) throw new InstructorCommandError(`start "pid-mock serve --data ${opts.data}" once more first: the seeds need the server's address`);
        // A plain server's folder gets its first-start records back without the lesson's seeds and prefixes.
        resetToFirstStart(store, addresses.httpUrl, readState, holdsLessonRecords(store));
        process.stdout.write(`reset: ${store.allHandles().length} handles\n`);
      });
    });
}
