// `pid search <key> <value>`: the reverse look-up, handles whose value of type <key> matches <value> (`*` is a wildcard).
import { Command } from 'commander';
import { handleNotFound } from '../../error-kinds.js';
import { printJson, printLine } from '../output.js';
import { withSession, type GlobalOptions } from '../session.js';

interface SearchOptions extends GlobalOptions {
  prefix?: string;
  json?: boolean;
}

export function searchCommand(): Command {
  return new Command('search')
    .description('find handles by a value (reverse look-up on this server only); one handle per line, exit 1 when none matches')
    .argument('<key>', 'the value type to match, e.g. URL, CHECKSUM, EUDAT/CHECKSUM')
    .argument('<value>', 'the data to match; * matches any text (quote it for the shell)')
    .option('--prefix <prefix>', 'keep only handles under this prefix')
    .option('--json', 'print a JSON array of handles (also [] when none matches)')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        "  pid search URL 'irods:*'",
        '  pid search CHECKSUM 5b4c… --json',
        "  pid search URL '*surveys.csv' --prefix 21.T12995",
        '',
        'Needs reverselookup_username and reverselookup_password in the credentials.',
      ].join('\n'),
    )
    .action(async (key: string, value: string, _options: SearchOptions, command: Command) => {
      const options = command.optsWithGlobals<SearchOptions>();
      const handles = await withSession(options, ({ client }) =>
        client.searchHandle({ [key]: value }, options.prefix !== undefined ? { prefix: options.prefix } : {}),
      );
      if (options.json) printJson(handles);
      else for (const handle of handles) printLine(handle);
      // Like grep: no match is a result a script can test with the exit code.
      if (handles.length === 0)
        throw handleNotFound(undefined, `no handle has a ${key} value matching "${value}"`, {
          hint: 'use * as a wildcard, e.g. "*surveys*"; values are matched case-sensitively',
        });
    });
}
