// `pid modify <handle> <key> <value>`: sets one value of a record, replacing the value of that type or adding it.
import { Command } from 'commander';
import { checkHandleSyntax } from '../../handle-syntax.js';
import { printJson, printStatus } from '../output.js';
import { withSession, type GlobalOptions } from '../session.js';

interface ModifyOptions extends GlobalOptions {
  json?: boolean;
}

export function modifyCommand(): Command {
  return new Command('modify')
    .description('set the value of type <key> (added when the record has none); prints nothing unless --json')
    .argument('<handle>', 'the PID, prefix/suffix')
    .argument('<key>', 'the value type, e.g. URL, CHECKSUM, TYPE')
    .argument('<value>', 'the new data')
    .option('--json', 'print {"handle", "key", "value"}')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  pid modify "$PID" URL file:///home/me/surveys.csv',
        '  pid modify "$PID" TYPE file',
        '  pid modify "$PID" REPLICA 21.T12995/0b8e…',
      ].join('\n'),
    )
    .action(async (handle: string, key: string, value: string, _options: ModifyOptions, command: Command) => {
      const options = command.optsWithGlobals<ModifyOptions>();
      checkHandleSyntax(handle);
      await withSession(options, ({ client }) => client.modifyHandleValue(handle, { [key]: value }));
      if (options.json) printJson({ handle, key, value });
      else printStatus(`modified ${handle}: ${key}`);
    });
}
