// The projector's per-trainee table: which steps of the lesson each identity has done, built from
// the change journal (what was written, by whom) and the request log (reads, searches, the CLI, errors).
import type { HistoryEntry } from '../../storage/store.js';
import type { RequestRecord } from './request-log.js';

export const STEPS = ['registered', 'typeAndChecksum', 'movedUrl', 'linkedReplica', 'searchedByValue', 'searchedByWildcard', 'usedCli'] as const;
export type Step = (typeof STEPS)[number];

export interface TraineeError {
  at: string;
  method: string;
  path: string;
  status: number;
  responseCode?: number | undefined;
}

export interface TraineeProgress {
  /** Short name on the projector: the identity handle's suffix (USER01), or "instructor". */
  name: string;
  /** The identity handle (without the index). */
  identity: string;
  steps: Record<Step, boolean>;
  requests: number;
  writes: number;
  errors: number;
  /** Failures of the lesson's own demonstrations (chapter 2's 403, chapter 3's 409): expected, not shown as errors. */
  plannedErrors: number;
  lastErrors: TraineeError[];
  lastSeen: string;
}

const LAST_ERRORS = 3;

/** `300:21.T12995/USER01` → `USER01`; the prefix handle identity `300:0.NA/21.T12995` is the instructor. */
export function traineeName(identity: string): string {
  const handle = identity.replace(/^\d+:/, '');
  if (/^0\.NA\//i.test(handle)) return 'instructor';
  const slash = handle.indexOf('/');
  return slash < 0 ? handle : handle.slice(slash + 1);
}

function dataOf(entry: HistoryEntry['after'][number]): string {
  return entry.data.toString('utf8');
}

/** A failed request a lesson demonstration cell made on purpose. */
export function isPlannedFailure(record: RequestRecord): boolean {
  return record.planned !== undefined && record.status >= 400;
}

/** 404 on a read is how a client learns a handle is free; other refusals and conflicts may mean "stuck". */
export function isUnexpectedFailure(record: RequestRecord): boolean {
  return record.status >= 400 && record.planned === undefined && !(record.status === 404 && record.method === 'GET');
}

export class ClassProgress {
  private readonly trainees = new Map<string, TraineeProgress>();
  /** Types each identity has stored so far (TYPE and CHECKSUM may come in separate calls). */
  private readonly storedTypes = new Map<string, Set<string>>();

  /** A trainee's password (300:) and certificate (301:) identities share one row: the handle decides. */
  private of(identity: string, at: string): TraineeProgress {
    const key = identity.replace(/^\d+:/, '').toUpperCase();
    let row = this.trainees.get(key);
    if (!row) {
      row = {
        name: traineeName(identity),
        identity: identity.replace(/^\d+:/, ''),
        steps: Object.fromEntries(STEPS.map((s) => [s, false])) as Record<Step, boolean>,
        requests: 0,
        writes: 0,
        errors: 0,
        plannedErrors: 0,
        lastErrors: [],
        lastSeen: at,
      };
      this.trainees.set(key, row);
    }
    if (at > row.lastSeen) row.lastSeen = at;
    return row;
  }

  /** A journal entry: only changes made by an identity count (seeds and imports are not a trainee's). */
  addChange(entry: HistoryEntry): void {
    if (!/^\d+:/.test(entry.actor)) return;
    const row = this.of(entry.actor, entry.at);
    row.writes += 1;
    if (entry.action === 'create') row.steps.registered = true;
    const types = this.storedTypes.get(row.identity) ?? new Set<string>();
    this.storedTypes.set(row.identity, types);
    for (const value of entry.after) types.add(value.type.toUpperCase());
    if (types.has('TYPE') && types.has('CHECKSUM')) row.steps.typeAndChecksum = true;
    // A whole-record replace is registering again (chapter 3's `overwrite: true` demonstration), not moving:
    // moves change single values (modifyHandleValue, B2HANDLE's modify_handle_value: PUT with ?index=).
    if (entry.action === 'add-values') {
      const oldUrls = new Set(entry.before.filter((v) => v.type.toUpperCase() === 'URL').map(dataOf));
      const newUrls = entry.after.filter((v) => v.type.toUpperCase() === 'URL').map(dataOf);
      if (oldUrls.size && newUrls.some((url) => !oldUrls.has(url))) row.steps.movedUrl = true;
    }
    if (entry.after.some((v) => v.type.toUpperCase() === 'REPLICA')) row.steps.linkedReplica = true;
  }

  addRequest(record: RequestRecord): void {
    if (!record.identity) return;
    const row = this.of(record.identity, record.at);
    row.requests += 1;
    if (record.cli) row.steps.usedCli = true;
    if (record.search) {
      if (record.search.wildcard) row.steps.searchedByWildcard = true;
      else row.steps.searchedByValue = true;
    }
    if (isPlannedFailure(record)) {
      row.plannedErrors += 1;
      return;
    }
    if (isUnexpectedFailure(record)) {
      row.errors += 1;
      row.lastErrors.unshift({ at: record.at, method: record.method, path: record.path, status: record.status, responseCode: record.responseCode });
      row.lastErrors.length = Math.min(row.lastErrors.length, LAST_ERRORS);
    }
  }

  clear(): void {
    this.trainees.clear();
    this.storedTypes.clear();
  }

  /** Trainees by name (USER01, USER02 ...), the instructor last. */
  rows(): TraineeProgress[] {
    return [...this.trainees.values()].sort((a, b) => {
      if ((a.name === 'instructor') !== (b.name === 'instructor')) return a.name === 'instructor' ? 1 : -1;
      return a.name.localeCompare(b.name, 'en', { numeric: true }) || a.identity.localeCompare(b.identity);
    });
  }
}
