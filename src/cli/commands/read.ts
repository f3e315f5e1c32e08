// `pid read <handle>`: shows a handle record as a table, one value for scripts (--key), or the server's JSON (--json).
import { Command } from 'commander';
import { checkHandleSyntax } from '../../handle-syntax.js';
import { readRecord, readValue } from '../handle-operations.js';
import { printJson, printLine, valueText } from '../output.js';
import { resolverFor } from '../resolver.js';
import { withSession, type GlobalOptions } from '../session.js';

interface ReadOptions extends GlobalOptions {
  key?: string;
  json?: boolean;
}

export function readCommand(): Command {
  return new Command('read')
    .description('show the values of a handle record')
    .argument('<handle>', 'the PID, prefix/suffix')
    .option('--key <type>', 'print only the data of the first value of this type (exit 1 if there is none)')
    .option('--json', 'print the record as the server returned it (with --key: {"handle", "key", "value"})')
    .addHelpText(
      'after',
      ['', 'Examples:', '  pid read 11304/cf8956a2-39d3-11e5-8a18-f31aa6f4d448', '  pid read "$PID" --key URL', '  pid read "$PID" --json | jq .values'].join(
        '\n',
      ),
    )
    .action(async (handle: string, _options: ReadOptions, command: Command) => {
      const options = command.optsWithGlobals<ReadOptions>();
      checkHandleSyntax(handle);
      await withSession(options, async ({ client, credentials }) => {
        if (options.key !== undefined) {
          const value = await readValue(client, handle, options.key);
          if (options.json) printJson({ handle, key: options.key, value });
          else printLine(valueText(value));
          return;
        }
        const record = await readRecord(client, handle);
        if (options.json) return printJson(record);
        // Loaded on first use: only the table needs the record view (see program.ts).
        const { recordText } = await import('../../record-view/text.js');
        printLine(recordText(record, { resolverBaseUrl: resolverFor(undefined, credentials).baseUrl, apiBaseUrl: client.serverUrl }));
      });
    });
}
