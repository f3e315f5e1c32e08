// `pid resolve <handle>`: asks the resolver where a PID points, as a browser would, and prints the status and the target.
import { Command } from 'commander';
import { checkHandleSyntax } from '../../handle-syntax.js';
import { chooseCredentialsFile, loadCredentials } from '../credentials-source.js';
import { printJson, printLine } from '../output.js';
import { resolveHandle, resolverFor } from '../resolver.js';
import type { GlobalOptions } from '../session.js';

interface ResolveOptions extends GlobalOptions {
  resolver?: string;
  json?: boolean;
}

export function resolveCommand(): Command {
  return new Command('resolve')
    .description('print the HTTP status and the redirect target of <resolver>/<handle>, without following it')
    .argument('<handle>', 'the PID, prefix/suffix')
    .option('--resolver <url>', 'resolver to ask, e.g. https://hdl.handle.net (default: the Handle server of the credentials; then no credentials are needed)')
    .option('--json', 'print {"handle", "resolver", "status", "location"}')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  pid resolve 11304/cf8956a2-39d3-11e5-8a18-f31aa6f4d448',
        '      302 http://127.0.0.1:8000/files/landing/11304/cf8956a2-39d3-11e5-8a18-f31aa6f4d448',
        '  pid resolve 10.3389/fgene.2013.00289 --resolver https://doi.org',
        '  pid resolve "$PID" --json',
        '',
        'A record without URL or 10320/LOC is not redirected: the status is 200 and no target is printed.',
      ].join('\n'),
    )
    .action(async (handle: string, _options: ResolveOptions, command: Command) => {
      const options = command.optsWithGlobals<ResolveOptions>();
      checkHandleSyntax(handle);
      const credentials =
        options.resolver === undefined ? await loadCredentials(chooseCredentialsFile(options.credentials, process.env, process.cwd())) : undefined;
      const resolution = await resolveHandle(handle, resolverFor(options.resolver, credentials));
      if (options.json) printJson({ handle, resolver: resolution.resolverUrl, status: resolution.status, location: resolution.location });
      else printLine(resolution.location === null ? String(resolution.status) : `${resolution.status} ${resolution.location}`);
    });
}
