// Runs the lines of a bulk file with bounded concurrency, records one result line per operation in input order, and counts the outcome.
import { runBatch } from '../../batch.js';
import { describeFailure } from '../failure-line.js';
import { executeBulkOperation, type BulkContext } from './bulk-execution.js';
import { parseBulkLine, type BulkLine, type BulkOperation } from './bulk-line.js';
import { HandleOrder } from './handle-order.js';
import type { ResultFile } from './ordered-result-file.js';
import type { BulkProgress } from './progress.js';

export interface BulkSummary {
  /** Lines that were operations (or meant to be): blank lines and comments do not count. */
  operations: number;
  ok: number;
  failed: number;
  seconds: number;
}

type WorkLine = Exclude<BulkLine, { kind: 'skip' }>;

/** The handles a line reads or writes: lines sharing one keep their file order. */
function handlesOf(operation: BulkOperation): string[] {
  switch (operation.op) {
    case 'SEARCH':
      return [];
    case 'CREATE':
      return operation.handle !== undefined ? [operation.handle] : [];
    case 'RELATION':
      return [operation.parent, operation.child];
    default:
      return [operation.handle];
  }
}

/**
 * The operation lines of a bulk file's text, numbered from 1 as an editor shows them.
 * @example bulkWorkLines('# demo\nREAD 21.T12995/abc\n') // [{ kind: 'operation', lineNumber: 2, … }]
 */
export function bulkWorkLines(text: string): WorkLine[] {
  return text
    .split(/\r?\n/)
    .map((line, index) => parseBulkLine(line, index + 1))
    .filter((line): line is WorkLine => line.kind !== 'skip');
}

/**
 * Runs every line; a failing line becomes an ERROR result and never stops the run.
 * @example const summary = await runBulk(bulkWorkLines(text), context, ResultFile.create('results.txt'), progress, 8);
 */
export async function runBulk(
  lines: readonly WorkLine[],
  context: BulkContext,
  results: ResultFile,
  progress: BulkProgress,
  concurrency: number,
): Promise<BulkSummary> {
  const started = performance.now();
  const order = new HandleOrder();
  let ok = 0;
  await runBatch(
    lines,
    async (line, position) => {
      let resultLine: string;
      try {
        if (line.kind === 'invalid') throw line.reason;
        const fields = await order.run(handlesOf(line.operation), () => executeBulkOperation(line.operation, context));
        resultLine = `OK ${fields.join(' ')}`;
        ok++;
      } catch (error) {
        const op = line.kind === 'invalid' ? line.op : line.operation.op;
        resultLine = `ERROR ${line.lineNumber} ${op} ${describeFailure(error)}`;
      }
      results.put(position, resultLine);
      progress.advance(!resultLine.startsWith('OK '));
    },
    { concurrency },
  );
  return { operations: lines.length, ok, failed: lines.length - ok, seconds: (performance.now() - started) / 1000 };
}
