// `pid relation <parent> <child>`: links a child PID from its parent by adding the child's resolver URL to the parent's 10320/LOC.
import { Command } from 'commander';
import { checkHandleSyntax } from '../../handle-syntax.js';
import { relatePids } from '../handle-operations.js';
import { printJson, printStatus } from '../output.js';
import { resolverFor } from '../resolver.js';
import { withSession, type GlobalOptions } from '../session.js';

interface RelationOptions extends GlobalOptions {
  resolver?: string;
  bare?: boolean;
  json?: boolean;
}

export function relationCommand(): Command {
  return new Command('relation')
    .description("add <child> as a location of <parent> (in the parent's 10320/LOC); prints nothing unless --json")
    .argument('<parent>', 'the PID that gets the link')
    .argument('<child>', 'the PID linked to; it must exist')
    .option('--resolver <url>', 'resolver the link goes through (default: the Handle server of the credentials)')
    .option('--bare', 'store the child PID itself instead of its resolver URL, as epicclient2 did')
    .option('--json', 'print {"parent", "child", "location"}')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  pid relation "$COLLECTION" "$FILE"',
        '  pid relation "$COLLECTION" "$FILE" --resolver https://hdl.handle.net',
        '  pid relation "$COLLECTION" "$FILE" --bare',
      ].join('\n'),
    )
    .action(async (parent: string, child: string, _options: RelationOptions, command: Command) => {
      const options = command.optsWithGlobals<RelationOptions>();
      checkHandleSyntax(parent);
      checkHandleSyntax(child);
      const location = await withSession(options, ({ client, credentials }) =>
        relatePids(client, parent, child, resolverFor(options.resolver, credentials).baseUrl, options.bare ?? false),
      );
      if (options.json) printJson({ parent, child, location });
      else printStatus(`${parent} now lists ${location}`);
    });
}
