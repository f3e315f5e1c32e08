// The bulk progress bar (cli-progress) on stderr, drawn only when stderr is a terminal: redirected output never gets escape codes.

export interface BulkProgress {
  /** One more line done. */
  advance(failed: boolean): void;
  stop(): void;
}

const SILENT: BulkProgress = { advance: () => undefined, stop: () => undefined };

/**
 * A bar for `total` lines, or a silent stand-in when it would not be seen by a person.
 * @example const progress = await bulkProgress(lines.length, options.progress !== false);
 */
export async function bulkProgress(total: number, wanted: boolean, stream: NodeJS.WriteStream = process.stderr): Promise<BulkProgress> {
  if (!wanted || !stream.isTTY || total === 0) return SILENT;
  // Loaded only when a bar is drawn (see program.ts).
  const { SingleBar } = await import('cli-progress');
  const bar = new SingleBar({
    stream,
    format: 'bulk [{bar}] {value}/{total} lines | {failed} failed | {eta_formatted} left',
    barCompleteChar: '#',
    barIncompleteChar: '.',
    hideCursor: true,
    clearOnComplete: true,
  });
  let done = 0;
  let failed = 0;
  bar.start(total, 0, { failed });
  return {
    advance(lineFailed) {
      done++;
      if (lineFailed) failed++;
      bar.update(done, { failed });
    },
    stop: () => bar.stop(),
  };
}
