// The mock's only storage: SQLite (WAL) with one row per handle value, shaped like the real server's
// SQL `handles` table, plus the homed prefixes, server settings and a change-event journal.
import Database from 'better-sqlite3';
import type { StoredValue } from '../vocabulary/model.js';
import { storageKey } from '../vocabulary/handle-names.js';
import { GroupCommit } from './group-commit.js';
import { BackgroundCheckpointer } from './checkpointer.js';
import { WriteHealth } from './write-health.js';

export interface ChangeEvent {
  id: number;
  at: string;
  actor: string;
  action: 'create' | 'replace' | 'add-values' | 'remove-values' | 'delete';
  handle: string;
  /** Indexes and types touched; never value data (an HS_SECKEY must not leak into the journal). */
  detail: { indexes: number[]; types: string[] };
}

/**
 * One journal entry with the values themselves, for the per-handle history page. The values keep
 * their permission bits so that the page can apply the same read rules as GET /api/handles.
 */
export interface HistoryEntry extends ChangeEvent {
  /** The touched indexes as they were before the change ([] for a new handle). */
  before: StoredValue[];
  /** The touched indexes as they are after it ([] for removals and deletes). */
  after: StoredValue[];
}

/** A journal entry as a state file carries it; entries journalled before values were kept have none. */
export interface PortableEvent extends ChangeEvent {
  before?: PortableValue[];
  after?: PortableValue[];
}

/**
 * One verdict a trainee's exercise check or formative question reported. `trainee` is the identity
 * handle that authenticated the report; `at` is the trainee's clock, `received` the server's.
 */
export interface ProgressReport {
  trainee: string;
  exercise: string;
  kind: 'exercise' | 'question';
  verdict: 'correct' | 'wrong' | 'error' | 'unattempted';
  attempt: number;
  at: string;
  received: string;
}

/** Everything a store holds about handles: records, journal and homed prefixes (not the settings). */
export interface StoreContents {
  handles: Array<{ handle: string; values: PortableValue[] }>;
  events: PortableEvent[];
  prefixes: string[];
}

export type EventInput = Pick<ChangeEvent, 'actor' | 'action'>;

export interface SearchField {
  type: string;
  /** Pattern where `*` is a wildcard (and, as in the EUDAT servlet's SQL LIKE, `%` and `_` are too). */
  patterns: string[];
}

/** One stored value as SQLite returns it. */
interface ValueRow {
  handle: string;
  idx: number;
  type: string;
  data: Buffer;
  ttl_type: number;
  ttl: number;
  timestamp: number;
  refs: string;
  admin_read: number;
  admin_write: number;
  pub_read: number;
  pub_write: number;
}

/** SQLite's own default, restored if the background checkpoints cannot run. */
const SQLITE_AUTOCHECKPOINT_PAGES = 1000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS handles (
  handle TEXT NOT NULL,
  idx INTEGER NOT NULL,
  type TEXT NOT NULL,
  data BLOB NOT NULL,
  ttl_type INTEGER NOT NULL DEFAULT 0,
  ttl INTEGER NOT NULL DEFAULT 86400,
  timestamp INTEGER NOT NULL,
  refs TEXT NOT NULL DEFAULT '[]',
  admin_read INTEGER NOT NULL DEFAULT 1,
  admin_write INTEGER NOT NULL DEFAULT 1,
  pub_read INTEGER NOT NULL DEFAULT 1,
  pub_write INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (handle, idx)
) WITHOUT ROWID;
-- pub_read too, so that the class's reverse look-up (public values only) is answered from the index alone.
CREATE INDEX IF NOT EXISTS handles_by_type_data ON handles (type, data, pub_read);
-- A handle may exist with no values at all (PUT {"values": []}), which one-row-per-value cannot show.
CREATE TABLE IF NOT EXISTS handle_names (handle TEXT PRIMARY KEY) WITHOUT ROWID;
INSERT OR IGNORE INTO handle_names SELECT DISTINCT handle FROM handles;
CREATE TABLE IF NOT EXISTS prefixes (prefix TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  handle TEXT NOT NULL,
  detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_by_handle ON events (handle, id);
-- What trainees' exercise checks reported (POST /_lesson/progress): the report's fields and who sent it, nothing else.
CREATE TABLE IF NOT EXISTS progress (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  trainee TEXT NOT NULL,
  exercise TEXT NOT NULL,
  kind TEXT NOT NULL,
  verdict TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  at TEXT NOT NULL,
  received TEXT NOT NULL
);
`;

/** Journals written before the history page existed lack the value columns; they are added in place. */
const HISTORY_COLUMNS = ['before_values', 'after_values'];

/**
 * A value in a form JSON can carry (the data in base64): how the journal keeps values, and how a
 * state file moves whole stores.
 */
export interface PortableValue {
  index: number;
  type: string;
  data: string;
  ttlType: 0 | 1;
  ttl: number;
  timestamp: number;
  references: StoredValue['references'];
  adminRead: boolean;
  adminWrite: boolean;
  publicRead: boolean;
  publicWrite: boolean;
}

interface HistoryRow {
  id: number;
  at: string;
  actor: string;
  action: string;
  handle: string;
  detail: string;
  before_values: string | null;
  after_values: string | null;
}

function toPortableValue(value: StoredValue): PortableValue {
  return { ...value, data: value.data.toString('base64') };
}

function fromPortableValue(value: PortableValue): StoredValue {
  return { ...value, data: Buffer.from(value.data, 'base64') };
}

function toJournalValues(values: StoredValue[]): string {
  return JSON.stringify(values.map(toPortableValue));
}

function fromJournalValues(text: string | null): StoredValue[] {
  if (!text) return [];
  return (JSON.parse(text) as PortableValue[]).map(fromPortableValue);
}

function rowToValue(row: ValueRow): StoredValue {
  return {
    index: row.idx,
    type: row.type,
    data: row.data,
    ttlType: row.ttl_type === 1 ? 1 : 0,
    ttl: row.ttl,
    timestamp: row.timestamp,
    references: JSON.parse(row.refs) as StoredValue['references'],
    adminRead: row.admin_read === 1,
    adminWrite: row.admin_write === 1,
    publicRead: row.pub_read === 1,
    publicWrite: row.pub_write === 1,
  };
}

/** GLOB pattern for a reverse look-up value; `%`/`_` keep their LIKE meaning as on the real servlet. */
function toGlob(pattern: string): string {
  return pattern.replace(/[[\]?*%_]/g, (c) => {
    if (c === '*' || c === '%') return '*';
    if (c === '_') return '?';
    return `[${c}]`;
  });
}

const WILDCARD = /[*%_]/;

/** Records kept in memory; beyond this the cache starts afresh (a class's working set is far smaller). */
const RECORD_CACHE_SIZE = 20_000;

/** Smallest blob greater than every blob starting with `prefix`, so `data >= p AND data < next` uses the index. */
function nextBlob(prefix: Buffer): Buffer | undefined {
  const out = Buffer.from(prefix);
  for (let i = out.length - 1; i >= 0; i--) {
    if (out[i]! < 0xff) {
      out[i]! += 1;
      return out.subarray(0, i + 1);
    }
  }
  return undefined;
}

export interface SearchOptions {
  handlePrefix?: string;
  limit: number;
  page: number;
  /** Match only values whose public-read bit is set, so a restricted value neither matches nor narrows. */
  publicOnly?: boolean;
}

function searchQuery(fields: SearchField[], options: SearchOptions): { sql: string; params: unknown[] } {
  const joins: string[] = [];
  const where: string[] = [];
  const params: unknown[] = [];
  fields.forEach((field, i) => {
    const alias = `v${i}`;
    joins.push(i === 0 ? `handles ${alias}` : `JOIN handles ${alias} ON ${alias}.handle = v0.handle`);
    where.push(`${alias}.type = ?`);
    params.push(field.type);
    if (options.publicOnly) where.push(`${alias}.pub_read = 1`);
    for (const pattern of field.patterns) {
      const wildcardAt = pattern.search(WILDCARD);
      if (wildcardAt < 0) {
        where.push(`${alias}.data = ?`);
        params.push(Buffer.from(pattern, 'utf8'));
        continue;
      }
      const literal = Buffer.from(pattern.slice(0, wildcardAt), 'utf8');
      if (literal.length) {
        where.push(`${alias}.data >= ?`);
        params.push(literal);
        const upper = nextBlob(literal);
        if (upper) {
          where.push(`${alias}.data < ?`);
          params.push(upper);
        }
      }
      where.push(`CAST(${alias}.data AS TEXT) GLOB ?`);
      params.push(toGlob(pattern));
    }
  });
  if (options.handlePrefix !== undefined) {
    // The servlet filters with LIKE '{prefix}%' (no slash), so 1111 also matches 11112/...
    const key = storageKey(options.handlePrefix);
    where.push('substr(v0.handle, 1, ?) = ?');
    params.push(key.length, key);
  }
  params.push(options.limit, options.page * options.limit);
  return {
    sql: `SELECT DISTINCT v0.handle AS handle FROM ${joins.join(' ')} WHERE ${where.join(' AND ')} ORDER BY v0.handle LIMIT ? OFFSET ?`,
    params,
  };
}

export class HandleStore {
  private readonly db: Database.Database;
  private readonly statements;
  private homed: Set<string> | undefined;
  private homedVersion = -1;
  private readonly dataVersionQuery: Database.Statement;
  /** Reverse look-ups differ only in how many keys and wildcards they have: a few shapes, compiled once. */
  private readonly searchStatements = new Map<string, Database.Statement>();
  private group: GroupCommit | undefined;
  /** Whether the server's grouped writes currently reach the disk (read by the health probe and the live page). */
  readonly writeHealth = new WriteHealth();
  private checkpointer: BackgroundCheckpointer | undefined;
  /**
   * Records as last read (null = no such handle): a resolve is then no SQL at all. Own writes drop their
   * key; another process's commit (data_version, checked once per event-loop turn) or a failed group
   * commit drops everything.
   */
  private readonly records = new Map<string, readonly StoredValue[] | null>();
  private checkedThisTurn = false;
  private readonly endTurn = () => {
    this.checkedThisTurn = false;
  };

  private constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // FULL makes each commit durable in WAL mode: an acknowledged write survives a power cut.
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    // Folders made before the index covered pub_read get it rebuilt once (IF NOT EXISTS keeps an old one).
    const indexed = this.db.prepare<[], { name: string }>("PRAGMA index_info('handles_by_type_data')").all();
    if (indexed.length === 2) this.db.exec('DROP INDEX handles_by_type_data');
    this.db.exec(SCHEMA);
    const columns = new Set(
      this.db
        .prepare<[], { name: string }>('PRAGMA table_info(events)')
        .all()
        .map((c) => c.name),
    );
    for (const column of HISTORY_COLUMNS) if (!columns.has(column)) this.db.exec(`ALTER TABLE events ADD COLUMN ${column} TEXT`);
    this.dataVersionQuery = this.db.prepare('PRAGMA data_version').pluck();
    this.statements = {
      values: this.db.prepare<[string], ValueRow>('SELECT * FROM handles WHERE handle = ? ORDER BY idx'),
      exists: this.db.prepare<[string], { one: number }>('SELECT 1 AS one FROM handle_names WHERE handle = ?'),
      register: this.db.prepare<[string]>('INSERT OR IGNORE INTO handle_names (handle) VALUES (?)'),
      unregister: this.db.prepare<[string]>('DELETE FROM handle_names WHERE handle = ?'),
      insert: this.db.prepare(
        `INSERT OR REPLACE INTO handles (handle, idx, type, data, ttl_type, ttl, timestamp, refs, admin_read, admin_write, pub_read, pub_write)
         VALUES (@handle, @idx, @type, @data, @ttl_type, @ttl, @timestamp, @refs, @admin_read, @admin_write, @pub_read, @pub_write)`,
      ),
      deleteHandle: this.db.prepare<[string]>('DELETE FROM handles WHERE handle = ?'),
      deleteValue: this.db.prepare<[string, number]>('DELETE FROM handles WHERE handle = ? AND idx = ?'),
      event: this.db.prepare(
        'INSERT INTO events (at, actor, action, handle, detail, before_values, after_values) VALUES (@at, @actor, @action, @handle, @detail, @before, @after)',
      ),
      homed: this.db.prepare<[], { prefix: string }>('SELECT prefix FROM prefixes ORDER BY prefix'),
      home: this.db.prepare<[string]>('INSERT OR IGNORE INTO prefixes (prefix) VALUES (?)'),
      getSetting: this.db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?'),
      setSetting: this.db.prepare<[string, string]>('INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)'),
      addProgress: this.db.prepare(
        'INSERT INTO progress (trainee, exercise, kind, verdict, attempt, at, received) VALUES (@trainee, @exercise, @kind, @verdict, @attempt, @at, @received)',
      ),
      progressAfter: this.db.prepare<[number, number], ProgressReport & { id: number }>('SELECT * FROM progress WHERE id > ? ORDER BY id LIMIT ?'),
    };
  }

  /** `:memory:` for tests; a file path otherwise. */
  static open(file: string): HandleStore {
    return new HandleStore(file);
  }

  close(): void {
    this.group?.flush();
    this.checkpointer?.close();
    this.db.close();
  }

  transaction<T>(work: () => T): T {
    return this.db.transaction(work)();
  }

  /**
   * A read-modify-write that other processes (the CLI and the server share the file) must not
   * interleave with: BEGIN IMMEDIATE takes the write lock before the first read, since a deferred
   * transaction that read an older snapshot could not commit.
   */
  atomically<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }

  /** SQLite's data_version: changes when another connection has committed to the file since the last look. */
  dataVersion(): number {
    return this.dataVersionQuery.get() as number;
  }

  /**
   * A read-check-write as one unit across processes: BEGIN IMMEDIATE (the group's, or its own) takes the
   * write lock before the first read, so no other connection can create the handle between "absent" and
   * the insert; what other processes committed before the lock is re-read first.
   */
  checkedWrite<T>(work: () => T): T {
    const checked = () => {
      this.checkedThisTurn = false;
      this.checkForeignCommits();
      return work();
    };
    return this.group ? this.group.write(checked) : this.db.transaction(checked).immediate();
  }

  /**
   * From now on, writes of one event-loop turn share one transaction and one fsync; the server then
   * holds back every reply until `commitBarrier()` has resolved (a Fastify hook in app.ts).
   */
  enableGroupCommit(): GroupCommit {
    if (this.group) return this.group;
    // A server on a file checkpoints its WAL in a worker thread, not inside a COMMIT on the event loop.
    if (!this.db.memory) {
      this.db.pragma('wal_autocheckpoint = 0');
      this.checkpointer = new BackgroundCheckpointer(this.db.name, () => this.db.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT_PAGES}`));
    }
    this.group = new GroupCommit(
      this.db,
      undefined,
      // A rolled-back group may have been read into the cache: forget everything read since.
      () => this.forgetAll(),
      () => this.checkpointer?.afterCommit(),
      this.writeHealth,
    );
    return this.group;
  }

  /** What the background checkpoints have done (undefined when the store checkpoints inline). */
  checkpointStats(): BackgroundCheckpointer['stats'] | undefined {
    return this.checkpointer?.stats;
  }

  /** The COMMIT a reply sent now must wait for, or undefined when nothing is pending. */
  commitBarrier(): Promise<void> | undefined {
    return this.group?.barrier();
  }

  /** Every write goes through here: grouped when group commit is on, its own transaction otherwise. */
  private write<T>(work: () => T, key?: string): T {
    try {
      return this.group ? this.group.write(work) : this.db.transaction(work)();
    } finally {
      // After the work, since the work itself may have read (and cached) the record it changes.
      if (key === undefined) this.forgetAll();
      else this.records.delete(key);
    }
  }

  private forgetAll(): void {
    this.records.clear();
    this.homed = undefined;
  }

  /**
   * Another process (`pid-mock identity add`, `prefix add`) may have committed to the file. Anything
   * that reaches this process over a socket arrives in a later event-loop turn than that commit, so one
   * check of SQLite's data_version per turn keeps every cached read as fresh as a query would be.
   */
  private checkForeignCommits(): void {
    if (this.checkedThisTurn) return;
    this.checkedThisTurn = true;
    setImmediate(this.endTurn).unref();
    const version = this.dataVersion();
    if (version !== this.homedVersion) {
      this.forgetAll();
      this.homedVersion = version;
    }
  }

  /** The record's values in index order; undefined when the handle does not exist ([] when it is empty). */
  /** The array and its values are frozen and shared between callers: copy before changing anything. */
  getValues(handle: string): StoredValue[] | undefined {
    const key = storageKey(handle);
    this.checkForeignCommits();
    let record = this.records.get(key);
    if (record === undefined) {
      const rows = this.statements.values.all(key);
      // Frozen: callers share one copy, so none may change it.
      if (rows.length) record = Object.freeze(rows.map((row) => Object.freeze(rowToValue(row))));
      else record = this.statements.exists.get(key) ? Object.freeze([]) : null;
      if (this.records.size >= RECORD_CACHE_SIZE) this.records.clear();
      this.records.set(key, record);
    }
    return (record ?? undefined) as StoredValue[] | undefined;
  }

  exists(handle: string): boolean {
    return this.getValues(handle) !== undefined;
  }

  /** Makes the record exactly `values` (create, or full replace). */
  replaceRecord(handle: string, values: StoredValue[], event: EventInput): void {
    const key = storageKey(handle);
    this.write(() => {
      const before = this.getValues(key) ?? [];
      this.statements.deleteHandle.run(key);
      this.statements.register.run(key);
      for (const value of values) this.insertValue(key, value);
      this.journal(key, event, values, before, values);
    }, key);
  }

  /** Adds values or replaces those with the same index. */
  putValues(handle: string, values: StoredValue[], event: EventInput): void {
    const key = storageKey(handle);
    this.write(() => {
      const touched = new Set(values.map((v) => v.index));
      const before = (this.getValues(key) ?? []).filter((v) => touched.has(v.index));
      for (const value of values) this.insertValue(key, value);
      this.journal(key, event, values, before, values);
    }, key);
  }

  removeValues(handle: string, indexes: number[], event: EventInput): void {
    const key = storageKey(handle);
    this.write(() => {
      const removed = (this.getValues(key) ?? []).filter((v) => indexes.includes(v.index));
      for (const index of indexes) this.statements.deleteValue.run(key, index);
      this.journal(key, event, removed, removed, []);
    }, key);
  }

  deleteHandle(handle: string, event: EventInput): void {
    const key = storageKey(handle);
    this.write(() => {
      const removed = this.getValues(key) ?? [];
      this.statements.deleteHandle.run(key);
      this.statements.unregister.run(key);
      this.journal(key, event, removed, removed, []);
    }, key);
  }

  /** Handles whose name starts with `prefix/`, in name order (the real server's order is its hash order). */
  listHandles(prefix: string, page?: { page: number; pageSize: number }): { total: number; handles: string[] } {
    const like = `${storageKey(prefix).replace(/[\\%_]/g, (c) => `\\${c}`)}/%`;
    const total = this.db.prepare<[string], { n: number }>("SELECT COUNT(*) AS n FROM handle_names WHERE handle LIKE ? ESCAPE '\\'").get(like)!.n;
    const limit = page ? page.pageSize : -1;
    const offset = page ? page.page * page.pageSize : 0;
    const handles = this.db
      .prepare<[string, number, number], { handle: string }>("SELECT handle FROM handle_names WHERE handle LIKE ? ESCAPE '\\' ORDER BY handle LIMIT ? OFFSET ?")
      .all(like, limit, offset)
      .map((r) => r.handle);
    return { total, handles };
  }

  allHandles(): string[] {
    return this.db
      .prepare<[], { handle: string }>('SELECT handle FROM handle_names ORDER BY handle')
      .all()
      .map((r) => r.handle);
  }

  homedPrefixes(): string[] {
    return this.statements.homed.all().map((r) => r.prefix);
  }

  /**
   * Asked on every request, so the set is cached; it is read again after this process writes or when
   * another process (`pid-mock prefix add`) has committed to the file (SQLite's data_version).
   */
  isHomed(prefix: string): boolean {
    this.checkForeignCommits();
    this.homed ??= new Set(this.homedPrefixes());
    return this.homed.has(storageKey(prefix));
  }

  homePrefix(prefix: string): void {
    this.write(() => this.statements.home.run(storageKey(prefix)));
  }

  getSetting(key: string): string | undefined {
    return this.statements.getSetting.get(key)?.value;
  }

  setSetting(key: string, value: string): void {
    this.write(() => this.statements.setSetting.run(key, value));
  }

  /**
   * Reverse look-up: handles having, for every field, one value of that type matching all of its
   * patterns. Exact patterns are index equality on (type, data); wildcard patterns with a literal
   * start become an index range, so no look-up scans the whole table.
   */
  search(fields: SearchField[], options: SearchOptions): string[] {
    const { sql, params } = searchQuery(fields, options);
    let statement = this.searchStatements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      if (this.searchStatements.size < 256) this.searchStatements.set(sql, statement);
    }
    return statement.all(...params).map((r) => (r as { handle: string }).handle);
  }

  /** The query plan of a search, so tests can prove that look-ups use the (type, data) index. */
  explainSearch(fields: SearchField[]): string {
    const { sql, params } = searchQuery(fields, { limit: 1, page: 0 });
    return this.db
      .prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .all(...params)
      .map((r) => (r as { detail: string }).detail)
      .join('\n');
  }

  events(options: { afterId?: number; handle?: string; limit?: number } = {}): ChangeEvent[] {
    const rows = this.db
      .prepare<[number, string | null, string | null, number], { id: number; at: string; actor: string; action: string; handle: string; detail: string }>(
        // Not the values before and after (up to megabytes each): a change event names indexes and types only.
        'SELECT id, at, actor, action, handle, detail FROM events WHERE id > ? AND (? IS NULL OR handle = ?) ORDER BY id LIMIT ?',
      )
      .all(options.afterId ?? 0, options.handle ? storageKey(options.handle) : null, options.handle ? storageKey(options.handle) : null, options.limit ?? 1000);
    return rows.map((r) => ({
      id: r.id,
      at: r.at,
      actor: r.actor,
      action: r.action as ChangeEvent['action'],
      handle: r.handle,
      detail: JSON.parse(r.detail) as ChangeEvent['detail'],
    }));
  }

  /** The time of each identity's latest change (actors `index:handle`), so a board knows who has worked even after a restart. */
  lastChangeByIdentity(): Array<{ actor: string; at: string }> {
    return this.db.prepare<[], { actor: string; at: string }>("SELECT actor, MAX(at) AS at FROM events WHERE actor GLOB '[0-9]*:*' GROUP BY actor").all();
  }

  /** Every journal entry of one handle, oldest first, with the values before and after each change. */
  history(handle: string, limit = 1000): HistoryEntry[] {
    return this.historyRows(
      this.db.prepare<[string, number], HistoryRow>('SELECT * FROM events WHERE handle = ? ORDER BY id LIMIT ?').all(storageKey(handle), limit),
    );
  }

  /** Is this journal entry still there? (A reset or a state import replaces the journal.) */
  hasEvent(id: number): boolean {
    return this.db.prepare<[number], { one: number }>('SELECT 1 AS one FROM events WHERE id = ?').get(id) !== undefined;
  }

  /**
   * Journal entries after `afterId` made by an identity (`index:handle`; not seeding or provisioning),
   * with values: what the instructor's live view follows.
   */
  identityEventsWithValues(afterId: number, limit: number): HistoryEntry[] {
    return this.historyRows(
      this.db.prepare<[number, number], HistoryRow>("SELECT * FROM events WHERE id > ? AND actor GLOB '[0-9]*:*' ORDER BY id LIMIT ?").all(afterId, limit),
    );
  }

  private historyRows(rows: HistoryRow[]): HistoryEntry[] {
    return rows.map((r) => ({
      id: r.id,
      at: r.at,
      actor: r.actor,
      action: r.action as ChangeEvent['action'],
      handle: r.handle,
      detail: JSON.parse(r.detail) as ChangeEvent['detail'],
      before: fromJournalValues(r.before_values),
      after: fromJournalValues(r.after_values),
    }));
  }

  /** The whole store as JSON-ready data (read in one transaction, so records and journal agree). */
  exportContents(): StoreContents {
    return this.db.transaction(() => {
      const names = this.db.prepare<[], { handle: string }>('SELECT handle FROM handle_names ORDER BY handle').all();
      const rows = this.db.prepare<[], ValueRow>('SELECT * FROM handles ORDER BY handle, idx').all();
      const byHandle = new Map<string, PortableValue[]>(names.map((n) => [n.handle, []]));
      for (const row of rows) {
        const list = byHandle.get(row.handle) ?? [];
        list.push(toPortableValue(rowToValue(row)));
        byHandle.set(row.handle, list);
      }
      const events = this.db
        .prepare<[], HistoryRow>('SELECT * FROM events ORDER BY id')
        .all()
        .map(
          ({ before_values, after_values, ...e }): PortableEvent => ({
            ...e,
            action: e.action as ChangeEvent['action'],
            detail: JSON.parse(e.detail) as ChangeEvent['detail'],
            // The journal already keeps values in portable form: passed on as stored.
            ...(before_values ? { before: JSON.parse(before_values) as PortableValue[] } : {}),
            ...(after_values ? { after: JSON.parse(after_values) as PortableValue[] } : {}),
          }),
        );
      return { handles: [...byHandle].map(([handle, values]) => ({ handle, values })), events, prefixes: this.homedPrefixes() };
    })();
  }

  /**
   * Replaces records, journal and homed prefixes with `contents` in one transaction (inside the
   * caller's, when there is one); journal ids are kept so that links to entries stay valid.
   */
  replaceContents(contents: StoreContents): void {
    const insertEvent = this.db.prepare(
      'INSERT INTO events (id, at, actor, action, handle, detail, before_values, after_values) VALUES (@id, @at, @actor, @action, @handle, @detail, @before, @after)',
    );
    try {
      this.db.transaction(() => {
        this.db.exec('DELETE FROM handles; DELETE FROM handle_names; DELETE FROM events; DELETE FROM prefixes;');
        for (const record of contents.handles) {
          const key = storageKey(record.handle);
          this.statements.register.run(key);
          for (const value of record.values) this.insertValue(key, fromPortableValue(value));
        }
        for (const { before, after, ...e } of contents.events) {
          insertEvent.run({
            ...e,
            detail: JSON.stringify(e.detail),
            before: before ? JSON.stringify(before) : null,
            after: after ? JSON.stringify(after) : null,
          });
        }
        for (const prefix of contents.prefixes) this.statements.home.run(storageKey(prefix));
      })();
    } finally {
      this.forgetAll();
    }
  }

  /** Empties everything (used by /_admin/reset before seeding again); the class's progress goes with the journal. */
  clear(): void {
    this.write(() => {
      this.db.exec('DELETE FROM handles; DELETE FROM handle_names; DELETE FROM events; DELETE FROM progress;');
    });
  }

  addProgress(report: ProgressReport): void {
    this.write(() => this.statements.addProgress.run(report));
  }

  /** Reports after `afterId`, oldest first, with their ids (so a reader can follow the table). */
  progressReports(afterId = 0, limit = 100_000): Array<ProgressReport & { id: number }> {
    return this.statements.progressAfter.all(afterId, limit);
  }

  /** Replaces every progress report (a state import), in the caller's transaction when there is one. */
  replaceProgress(reports: ProgressReport[]): void {
    try {
      this.db.transaction(() => {
        this.db.exec('DELETE FROM progress');
        for (const report of reports) this.statements.addProgress.run(report);
      })();
    } finally {
      this.forgetAll();
    }
  }

  private insertValue(key: string, value: StoredValue): void {
    this.statements.insert.run({
      handle: key,
      idx: value.index,
      type: value.type,
      data: value.data,
      ttl_type: value.ttlType,
      ttl: value.ttl,
      timestamp: value.timestamp,
      refs: JSON.stringify(value.references),
      admin_read: value.adminRead ? 1 : 0,
      admin_write: value.adminWrite ? 1 : 0,
      pub_read: value.publicRead ? 1 : 0,
      pub_write: value.publicWrite ? 1 : 0,
    });
  }

  private journal(key: string, event: EventInput, values: StoredValue[], before: StoredValue[], after: StoredValue[]): void {
    this.statements.event.run({
      before: toJournalValues(before),
      after: toJournalValues(after),
      at: new Date().toISOString(),
      actor: event.actor,
      action: event.action,
      handle: key,
      detail: JSON.stringify({ indexes: values.map((v) => v.index), types: values.map((v) => v.type) }),
    });
  }
}
