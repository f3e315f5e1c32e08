// Whether the store can take writes right now, as the health probe and the instructor's pages report it:
// the storage layer records each failed and each durable write here, the routes only read it.

/** SQLite's answers that say the disk, not the request, is the problem (extended codes share the prefix). */
const STORAGE_FAULTS: Record<string, string> = {
  SQLITE_FULL: 'disk full',
  SQLITE_IOERR: 'I/O error',
  SQLITE_READONLY: 'database is read-only',
  SQLITE_CANTOPEN: 'database file cannot be opened',
  SQLITE_CORRUPT: 'database file is corrupt',
  SQLITE_NOTADB: 'database file is not SQLite',
};

/** What GET /_admin/health answers: `{"status":"serving"}` while writes succeed, more while they fail. */
export type WriteHealthReport =
  | { status: 'serving' }
  | {
      status: 'degraded';
      /** One sentence for a person: what fails, since when (UTC) and how many writes were refused. */
      reason: string;
      /** SQLite's code of the latest failure (SQLITE_FULL, SQLITE_IOERR_WRITE, …). */
      error: string;
      since: string;
      refusedWrites: number;
    };

interface Failing {
  code: string;
  since: Date;
  refused: number;
}

/** The SQLite code of a storage fault, or undefined for anything else (a constraint, a bug). */
export function storageFaultCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  return Object.keys(STORAGE_FAULTS).some((base) => code === base || code.startsWith(`${base}_`)) ? code : undefined;
}

function describe(code: string): string {
  const base = Object.keys(STORAGE_FAULTS).find((b) => code === b || code.startsWith(`${b}_`));
  return base ? STORAGE_FAULTS[base]! : 'storage error';
}

export class WriteHealth {
  private failing: Failing | undefined;
  private readonly listeners = new Set<() => void>();

  /**
   * Writes that were not stored because of `error`. An error without a storage fault's code (SQLite
   * rolled the transaction back after an earlier fault) counts only while writes are already failing.
   */
  failed(error: unknown, writes: number): void {
    const code = storageFaultCode(error);
    if (!code && !this.failing) return;
    const first = !this.failing;
    this.failing ??= { code: code!, since: new Date(), refused: 0 };
    if (code) this.failing.code = code;
    this.failing.refused += writes;
    if (first) this.notify();
  }

  /** A write was committed: the store takes writes again. */
  succeeded(): void {
    if (!this.failing) return;
    this.failing = undefined;
    this.notify();
  }

  report(): WriteHealthReport {
    const failing = this.failing;
    if (!failing) return { status: 'serving' };
    const since = failing.since.toISOString();
    const refused = `${failing.refused} write${failing.refused === 1 ? '' : 's'} refused`;
    return {
      status: 'degraded',
      reason: `writes are failing: ${failing.code} (${describe(failing.code)}) since ${since.slice(11, 19)} UTC; ${refused}`,
      error: failing.code,
      since,
      refusedWrites: failing.refused,
    };
  }

  /** Called when writes start failing and when they work again; returns the unsubscribe. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}
