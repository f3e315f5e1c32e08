// `pid create <location>`: registers a PID for a file's location, with an optional checksum, extra values and further locations.
import { Command } from 'commander';
import { checkHandleSyntax } from '../../handle-syntax.js';
import { collect, keyValueRecord } from '../arguments.js';
import { createPid } from '../handle-operations.js';
import { printJson, printLine } from '../output.js';
import { withSession, type GlobalOptions } from '../session.js';

interface CreateOptions extends GlobalOptions {
  checksum?: string;
  extratype?: string[];
  loc10320?: string[];
  handle?: string;
  json?: boolean;
}

export function createCommand(): Command {
  return new Command('create')
    .description('register a new PID pointing at <location>; prints the new handle')
    .argument('<location>', 'URL of the data, stored as the URL value')
    .option('--checksum <checksum>', 'stored as the CHECKSUM value')
    .option('--extratype <TYPE=value>', 'one more value of the record (repeatable)', collect)
    .option('--loc10320 <url>', 'a further location, stored in 10320/LOC (repeatable)', collect)
    .option('--handle <prefix/suffix>', "the name to register (default: a UUID v4 suffix under the credentials' prefix)")
    .option('--json', 'print {"handle": …, "location": …} instead of the bare handle')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  pid create http://127.0.0.1:8000/files/surveys.csv',
        '  pid create http://127.0.0.1:8000/files/surveys.csv --checksum 5b4c… --extratype TYPE=file',
        '  pid create https://repo.example.org/a.csv --loc10320 https://mirror.example.org/a.csv --handle 21.T12995/my-first-pid',
        '  PID=$(pid create http://127.0.0.1:8000/files/surveys.csv)',
      ].join('\n'),
    )
    .action(async (location: string, _options: CreateOptions, command: Command) => {
      const options = command.optsWithGlobals<CreateOptions>();
      const extraValues = keyValueRecord(options.extratype ?? [], '--extratype');
      if (options.handle !== undefined) checkHandleSyntax(options.handle);
      const handle = await withSession(options, ({ client, credentials }) =>
        createPid(client, {
          handle: options.handle,
          prefix: credentials.prefix,
          location,
          checksum: options.checksum,
          extraValues,
          additionalUrls: options.loc10320,
        }),
      );
      if (options.json) printJson({ handle, location });
      else printLine(handle);
    });
}
