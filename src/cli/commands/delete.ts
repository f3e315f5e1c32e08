// `pid delete <handle>`: deletes a whole handle, or with --key only its values of that type.
import { Command } from 'commander';
import { checkHandleSyntax } from '../../handle-syntax.js';
import { collect } from '../arguments.js';
import { printJson, printStatus } from '../output.js';
import { withSession, type GlobalOptions } from '../session.js';

interface DeleteOptions extends GlobalOptions {
  key?: string[];
  json?: boolean;
}

export function deleteCommand(): Command {
  return new Command('delete')
    .description('delete a handle, or with --key every value of that type; prints nothing unless --json')
    .argument('<handle>', 'the PID, prefix/suffix')
    .option('--key <type>', 'delete only the values of this type, keep the handle (repeatable)', collect)
    .option('--json', 'print {"handle", "deleted": "handle" | "values", "keys"}')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  pid delete "$PID" --key CHECKSUM',
        '  pid delete "$PID" --key TYPE --key CHECKSUM',
        '  pid delete "$PID"                # the whole handle: there is no undo',
      ].join('\n'),
    )
    .action(async (handle: string, _options: DeleteOptions, command: Command) => {
      const options = command.optsWithGlobals<DeleteOptions>();
      checkHandleSyntax(handle);
      const keys = options.key;
      await withSession(options, ({ client }) => (keys ? client.deleteHandleValue(handle, keys) : client.deleteHandle(handle)));
      if (options.json) printJson(keys ? { handle, deleted: 'values', keys } : { handle, deleted: 'handle' });
      else printStatus(keys ? `deleted the ${keys.join(', ')} values of ${handle}` : `deleted ${handle}`);
    });
}
