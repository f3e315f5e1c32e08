// WAL checkpoints off the event loop. SQLite copies the write-ahead log back into the database file
// inside whichever COMMIT crosses 1000 pages: a pause of several milliseconds (page copies and an
// fsync of the database file) for every request of that turn, about a tenth of a write-heavy
// server's busy time. A worker thread with its own connection runs PASSIVE checkpoints instead,
// at most every CHECKPOINT_EVERY_MS while writes come in; a checkpoint is crash-safe wherever it
// is interrupted, so durability stays as it is (docs/performance.md, "Durable writes").
import { Worker } from 'node:worker_threads';

const CHECKPOINT_EVERY_MS = 100;
/** How long close() waits for a checkpoint in progress (a checkpoint must not be cut off mid-way). */
const CLOSE_WAIT_MS = 10_000;

// Plain JavaScript run with `eval`, so the same code works from dist/ and from the TypeScript sources.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlite);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 5000');
const closed = new Int32Array(workerData.closed);
parentPort.on('message', (message) => {
  if (message === 'close') {
    db.close();
    Atomics.store(closed, 0, 1);
    Atomics.notify(closed, 0);
    parentPort.close();
    return;
  }
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage('done');
  } catch (error) {
    parentPort.postMessage({ failed: String(error && error.message || error) });
  }
});
`;

export class BackgroundCheckpointer {
  private readonly worker: Worker;
  private readonly closed = new Int32Array(new SharedArrayBuffer(4));
  private running = false;
  private wanted = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Checkpoints the worker has finished, and why it stopped if it did (tests and benchmarks read these). */
  readonly stats: { checkpoints: number; stoppedBecause?: string } = { checkpoints: 0 };

  /** `fallBack` is called if the worker cannot run, so the connection checkpoints by itself again. */
  constructor(
    file: string,
    private readonly fallBack: (reason: string) => void,
  ) {
    this.worker = new Worker(WORKER, { eval: true, workerData: { file, sqlite: require.resolve('better-sqlite3'), closed: this.closed.buffer } });
    this.worker.unref();
    this.worker.on('message', (message: unknown) => {
      this.running = false;
      if (typeof message === 'object' && message !== null) return this.stop(`checkpoint failed: ${(message as { failed: string }).failed}`);
      this.stats.checkpoints++;
      if (this.wanted) this.schedule();
    });
    this.worker.on('error', (error) => this.stop(`checkpoint worker failed: ${error.message}`));
  }

  /** After a commit: a checkpoint soon, but not more often than every CHECKPOINT_EVERY_MS. */
  afterCommit(): void {
    if (this.stopped) return;
    this.wanted = true;
    if (!this.running && !this.timer) this.schedule();
  }

  /** Waits for a checkpoint in progress, then closes the worker's connection (before the store's own). */
  close(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    this.worker.postMessage('close');
    Atomics.wait(this.closed, 0, 0, CLOSE_WAIT_MS);
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.stopped) return;
      this.wanted = false;
      this.running = true;
      this.worker.postMessage('checkpoint');
    }, CHECKPOINT_EVERY_MS);
    this.timer.unref();
  }

  private stop(reason: string): void {
    if (this.stopped) return;
    this.stopped = true;
    this.stats.stoppedBecause = reason;
    clearTimeout(this.timer);
    void this.worker.terminate();
    this.fallBack(reason);
  }
}
