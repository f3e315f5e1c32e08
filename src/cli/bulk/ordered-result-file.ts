// Writes bulk result lines in input order as soon as every earlier line is done, so a long run leaves a usable partial file behind.
import { closeSync, openSync, writeSync } from 'node:fs';
import { UsageError } from '../exit-codes.js';

/**
 * Result lines arrive in any order (operations run concurrently) and are written in position order.
 * @example
 * const results = ResultFile.create('results.txt');
 * results.put(1, 'OK READ …'); results.put(0, 'OK CREATE …'); // both written now, CREATE first
 * results.close();
 */
export class ResultFile {
  private readonly waiting = new Map<number, string>();
  private nextPosition = 0;

  private constructor(
    private readonly descriptor: number,
    readonly path: string,
  ) {}

  /** Opens (and truncates) the file before any work starts, so a wrong path fails at once, not after the run. */
  static create(path: string): ResultFile {
    try {
      return new ResultFile(openSync(path, 'w'), path);
    } catch (error) {
      throw new UsageError(`cannot write the result file ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, {
        hint: 'pass --result with a path in a folder you can write to',
        cause: error,
      });
    }
  }

  put(position: number, line: string): void {
    this.waiting.set(position, line);
    let chunk = '';
    for (let next = this.waiting.get(this.nextPosition); next !== undefined; next = this.waiting.get(this.nextPosition)) {
      this.waiting.delete(this.nextPosition);
      chunk += `${next}\n`;
      this.nextPosition++;
    }
    if (chunk) writeSync(this.descriptor, chunk);
  }

  close(): void {
    closeSync(this.descriptor);
  }
}
