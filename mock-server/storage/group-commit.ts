// Group commit for the SQLite store: the writes of all requests handled in one event-loop turn share one
// transaction and so one fsync (synchronous=FULL stays), and no reply that depends on them leaves before
// that COMMIT has returned. See docs/performance.md ("Durable writes") for the reasoning.
import type Database from 'better-sqlite3';
import type { WriteHealth } from './write-health.js';

/** Why a reply could not be acknowledged: the transaction holding its write (or what it read) is not durable. */
export class CommitFailedError extends Error {}

interface OpenGroup {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(error: Error): void;
  writes: number;
}

export class GroupCommit {
  private open: OpenGroup | undefined;
  private depth = 0;
  private readonly begin: Database.Statement;
  private readonly commitStatement: Database.Statement;
  /** Transactions committed and writes they held, so tests and benchmarks can see the grouping. */
  readonly stats = { commits: 0, writes: 0, failedCommits: 0 };

  constructor(
    private readonly db: Database.Database,
    /** When the group is committed; setImmediate lets every request already read from sockets join it. */
    private readonly schedule: (commit: () => void) => void = (commit) => setImmediate(commit),
    /** Called after a group was rolled back, so caches of what was read inside it can be dropped. */
    private readonly onRollback: () => void = () => undefined,
    /** Called after a group was committed (the store's background checkpoints start from here). */
    private readonly onCommit: () => void = () => undefined,
    /** Told of every refused and every durable write, so the health probe can say whether writes work. */
    private readonly health?: WriteHealth,
  ) {
    // IMMEDIATE takes the write lock up front, so a second process's writer cannot make our first write fail.
    this.begin = db.prepare('BEGIN IMMEDIATE');
    this.commitStatement = db.prepare('COMMIT');
  }

  /**
   * Runs one request's write inside the open group (opening it if needed) as a SAVEPOINT, so a write that
   * throws is rolled back alone and the others in the group stay.
   */
  write<T>(work: () => T): T {
    if (this.open && !this.db.inTransaction) {
      // SQLite rolled the whole transaction back by itself (I/O error, disk full): nothing in it is durable.
      this.fail(this.open, new CommitFailedError('the transaction was rolled back by SQLite before COMMIT'));
    }
    if (!this.open) {
      // A caller's own explicit transaction (provisioning, data-folder tools) keeps its own COMMIT.
      if (this.db.inTransaction) return this.db.transaction(work)();
      this.start();
    }
    // A write made inside another (a checked create's own replaceRecord) is part of that one request's write.
    this.depth++;
    let result: T;
    try {
      result = this.db.transaction(work)();
    } catch (error) {
      // A disk that is full fails the statement itself when SQLite must spill pages to the WAL.
      if (this.depth === 1) this.health?.failed(error, 1);
      throw error;
    } finally {
      this.depth--;
    }
    if (this.depth === 0) this.open!.writes++;
    return result;
  }

  /**
   * The commit every reply sent now must wait for: undefined when no write is pending. A reply of a
   * request that only read also waits, since what it read may be a neighbour's write not yet durable.
   */
  barrier(): Promise<void> | undefined {
    return this.open?.promise;
  }

  /** Commits the open group now (before closing the database). */
  flush(): void {
    if (this.open) this.commit(this.open);
  }

  private start(): void {
    let resolve!: () => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // A group nobody waits for (a write outside any request) must not crash the process when it fails.
    promise.catch(() => undefined);
    this.begin.run();
    const group: OpenGroup = { promise, resolve, reject, writes: 0 };
    this.open = group;
    this.schedule(() => {
      if (this.open === group) this.commit(group);
    });
  }

  private commit(group: OpenGroup): void {
    this.open = undefined;
    try {
      if (!this.db.inTransaction) throw new CommitFailedError('the transaction was rolled back by SQLite before COMMIT');
      this.commitStatement.run();
    } catch (error) {
      this.failCommitted(group, error);
      return;
    }
    this.stats.commits++;
    this.stats.writes += group.writes;
    if (group.writes > 0) this.health?.succeeded();
    group.resolve();
    this.onCommit();
  }

  private fail(group: OpenGroup, error: Error): void {
    this.open = undefined;
    this.failCommitted(group, error);
  }

  private failCommitted(group: OpenGroup, error: unknown): void {
    if (this.db.inTransaction) {
      try {
        this.db.exec('ROLLBACK');
      } catch {
        // Already rolled back by SQLite; the database is consistent either way.
      }
    }
    this.stats.failedCommits++;
    this.health?.failed(error, group.writes);
    this.onRollback();
    const reason = error instanceof Error ? error.message : String(error);
    group.reject(error instanceof CommitFailedError ? error : new CommitFailedError(`COMMIT failed: ${reason}`));
  }
}
