// The `pid` command line (commander): global options, the commands, and command-line mistakes turned into usage errors with a hint.
// The heavy modules (client and undici, zod, notebook helpers, cli-progress) are imported where first used,
// so `pid --help` and usage errors answer without loading them.
import { Command, type CommanderError } from 'commander';
import { DEFAULT_CREDENTIALS_FILE } from './credentials-source.js';
import { UsageError } from './exit-codes.js';
import { bulkCommand } from './commands/bulk.js';
import { createCommand } from './commands/create.js';
import { deleteCommand } from './commands/delete.js';
import { modifyCommand } from './commands/modify.js';
import { readCommand } from './commands/read.js';
import { relationCommand } from './commands/relation.js';
import { resolveCommand } from './commands/resolve.js';
import { searchCommand } from './commands/search.js';

const PROGRAM_HELP = [
  '',
  `Credentials: --credentials FILE, else $PID_CREDENTIALS, else ./${DEFAULT_CREDENTIALS_FILE} (where pid-mock serve writes them).`,
  '',
  'Output: results on stdout (one per line, or one JSON document with --json); errors on stderr, one line with a hint.',
  '',
  'Exit codes:',
  '  0  success',
  '  1  not found: no such handle, no value of that type, no search match',
  '  2  usage: unknown command or option, missing argument, malformed handle or KEY=VALUE',
  '  3  not allowed: authentication failed, no permission, unusable credentials',
  '  4  anything else: server error, server unreachable, handle already exists, bulk lines failed',
  '',
  'Examples:',
  '  pid create http://127.0.0.1:8000/files/surveys.csv --checksum 5b4c…',
  '  pid read 11304/cf8956a2-39d3-11e5-8a18-f31aa6f4d448',
  "  pid --credentials my_cred.json search URL 'irods:*'",
  '  pid bulk --input operations.txt --result results.txt',
].join('\n');

/** Commander reports mistakes by throwing; each becomes a UsageError naming the help to read. --help itself passes through. */
function rejectAsUsage(commandPath: string) {
  return (error: CommanderError): never => {
    if (error.exitCode === 0) throw error;
    if (error.code === 'commander.help') {
      // Commander ends here for a bare `pid` and for `pid help <unknown>`.
      throw new UsageError('a command is needed: create, read, modify, delete, search, relation, bulk or resolve', {
        hint: 'run "pid --help" for what each one does',
      });
    }
    throw new UsageError(error.message.replace(/^error: /, ''), { hint: `run "${commandPath} --help" for the arguments and examples` });
  };
}

/** Every message goes through main's one-line error report instead of commander's own stderr output. */
function reportThroughMain(command: Command, commandPath: string): Command {
  return command
    .configureOutput({ writeErr: () => undefined, outputError: () => undefined })
    .exitOverride(rejectAsUsage(commandPath))
    .showSuggestionAfterError(true);
}

/**
 * The whole `pid` program, ready for parseAsync.
 * @example await pidProgram().parseAsync(['node', 'pid', 'read', '21.T12995/abc'])
 */
export function pidProgram(): Command {
  const program = new Command('pid')
    .description("Create, read, change, link, find and resolve Handle PIDs (the lesson's epicclient2, built on the pid-handson client)")
    .option('--credentials <file>', 'credentials JSON file (B2HANDLE format)')
    .addHelpText('after', PROGRAM_HELP);
  reportThroughMain(program, 'pid');
  for (const command of [
    createCommand(),
    readCommand(),
    modifyCommand(),
    deleteCommand(),
    searchCommand(),
    relationCommand(),
    bulkCommand(),
    resolveCommand(),
  ]) {
    program.addCommand(reportThroughMain(command, `pid ${command.name()}`));
  }
  return program;
}
