// `pid bulk --input FILE --result FILE`: runs an epicclient2-style file of operations, one result line per operation, with a progress bar on a terminal.
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { wholeNumber } from '../arguments.js';
import { HandleError } from '../../errors.js';
import { UsageError } from '../exit-codes.js';
import { printJson } from '../output.js';
import { resolverFor } from '../resolver.js';
import { withSession, type GlobalOptions } from '../session.js';
import { ResultFile } from '../bulk/ordered-result-file.js';
import { bulkProgress } from '../bulk/progress.js';
import { type BulkSummary, bulkWorkLines, runBulk } from '../bulk/run-bulk.js';

interface BulkOptions extends GlobalOptions {
  input: string;
  result: string;
  concurrency: string;
  resolver?: string;
  progress: boolean;
  json?: boolean;
}

/** Some lines failed: the run finished, but a script must not take it for a clean one (exit 4). */
export class BulkIncompleteError extends HandleError {}

function readInput(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read the bulk input ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, {
      hint: 'check the path given to --input',
    });
  }
}

export function bulkCommand(): Command {
  return new Command('bulk')
    .description('run the operations of a bulk file; exit 0 when every line succeeded, 4 when any failed (see the result file)')
    .addOption(new Option('--input <file>', 'operations, one per line: SEARCH, READ, CREATE, MODIFY, DELETE, RELATION').makeOptionMandatory())
    .addOption(new Option('--result <file>', 'written with one line per operation, in input order: OK … or ERROR <line> …').makeOptionMandatory())
    .option('--concurrency <n>', 'operations in flight at once (1–64); lines about the same handle still run in file order', '8')
    .option('--resolver <url>', 'resolver the links written by RELATION go through (default: the Handle server of the credentials)')
    .option('--no-progress', 'no progress bar, even on a terminal')
    .option('--json', 'print the summary as {"operations", "ok", "failed", "seconds", "result"} on stdout')
    .addHelpText(
      'after',
      [
        '',
        'Input lines (fields separated by spaces; blank lines and # comments are skipped):',
        '  SEARCH   KEY VALUE                  e.g. SEARCH URL irods:*',
        '  READ     HANDLE [KEY]',
        '  CREATE   HANDLE|- LOCATION [CHECKSUM [LOC1;LOC2 [TYPE=value;TYPE=value]]]   (- or PREFIX/uuid: generated name; none skips a field)',
        '  MODIFY   HANDLE KEY VALUE',
        '  DELETE   HANDLE [KEY]',
        '  RELATION PARENT CHILD',
        '',
        'Example:',
        '  pid bulk --input operations.txt --result results.txt',
        '  grep ^ERROR results.txt',
      ].join('\n'),
    )
    .action(async (_options: BulkOptions, command: Command) => {
      const options = command.optsWithGlobals<BulkOptions>();
      const concurrency = wholeNumber(options.concurrency, '--concurrency', 1, 64);
      const lines = bulkWorkLines(readInput(options.input));
      const results = ResultFile.create(options.result);
      let summary: BulkSummary;
      try {
        summary = await withSession(
          options,
          async ({ client, credentials }) => {
            const context = { client, prefix: credentials.prefix, resolverBaseUrl: resolverFor(options.resolver, credentials).baseUrl };
            const progress = await bulkProgress(lines.length, options.progress);
            try {
              return await runBulk(lines, context, results, progress, concurrency);
            } finally {
              progress.stop();
            }
          },
          concurrency,
        );
      } finally {
        results.close();
      }
      process.stderr.write(
        `pid bulk: ${summary.operations} operations, ${summary.ok} OK, ${summary.failed} ERROR, ${summary.seconds.toFixed(1)} s; results in ${results.path}\n`,
      );
      if (options.json) printJson({ ...summary, result: results.path });
      if (summary.failed > 0) {
        throw new BulkIncompleteError(`${summary.failed} of ${summary.operations} operations failed`, {
          hint: `the ERROR lines of ${results.path} say which input line failed and why`,
        });
      }
    });
}
