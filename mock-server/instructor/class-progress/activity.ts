// What the request log says about each trainee since this server started: when they were last seen,
// when a request of theirs last succeeded, and their failed requests, told apart into the lesson's
// planned demonstrations and unexpected ones. Kept per identity handle, so a trainee's password
// (300:) and certificate (301:) identities are one person.
import { isPlannedFailure, isUnexpectedFailure } from '../live/progress.js';
import type { RequestRecord } from '../live/request-log.js';
import { clientHint } from './client-hint.js';

export interface TraineeActivity {
  lastSeen: string;
  /** The last request answered below 400 (a 404 on a read counts: it is how a free name is learnt). */
  lastSuccess?: string | undefined;
  lastUnexpectedError?: string | undefined;
  /**
   * Whether the latest of those two came last in the log: a success and a failure within one millisecond
   * share a timestamp, and only their order says which came after the other.
   */
  lastOutcome?: 'success' | 'unexpected-error' | undefined;
  unexpectedErrors: number;
  plannedErrors: number;
  /** The last few failed requests, newest first, for the board's detail view (paths only, never a query or body). */
  recentFailures: RecentFailure[];
  /** The last few requests of any outcome, newest first: what the trainee has been doing. */
  recentRequests: RecentRequest[];
}

export interface RecentRequest {
  at: string;
  method: string;
  path: string;
  status: number;
  responseCode?: number | undefined;
  /** The lesson demonstration's label when the request was one of its planned failures. */
  planned?: string | undefined;
}

export interface RecentFailure extends RecentRequest {
  /** The hint the lesson's client showed the trainee for this reply. */
  hint?: string | undefined;
}

const RECENT_FAILURES = 5;
const RECENT_REQUESTS = 8;

/** `300:21.T12995/ada` → `21.T12995/ADA`: handles are compared case-insensitively. */
export function identityKey(identity: string): string {
  return identity.replace(/^\d+:/, '').toUpperCase();
}

export class ClassActivity {
  private readonly byTrainee = new Map<string, TraineeActivity>();

  add(record: RequestRecord): void {
    if (!record.identity) return;
    const key = identityKey(record.identity);
    let row = this.byTrainee.get(key);
    if (!row) {
      row = { lastSeen: record.at, unexpectedErrors: 0, plannedErrors: 0, recentFailures: [], recentRequests: [] };
      this.byTrainee.set(key, row);
    }
    if (record.at > row.lastSeen) row.lastSeen = record.at;
    const planned = isPlannedFailure(record);
    const request: RecentRequest = {
      at: record.at,
      method: record.method,
      path: record.path,
      status: record.status,
      responseCode: record.responseCode,
      planned: record.planned,
    };
    // The board shows a trainee's verdicts already; their progress reports would crowd out the Handle requests.
    if (!record.path.endsWith('/_lesson/progress')) {
      row.recentRequests.unshift(request);
      row.recentRequests.length = Math.min(row.recentRequests.length, RECENT_REQUESTS);
    }
    if (planned || isUnexpectedFailure(record)) {
      row.recentFailures.unshift({ ...request, hint: clientHint(record.status, record.responseCode) });
      row.recentFailures.length = Math.min(row.recentFailures.length, RECENT_FAILURES);
    }
    if (planned) row.plannedErrors += 1;
    else if (isUnexpectedFailure(record)) {
      row.unexpectedErrors += 1;
      row.lastUnexpectedError = record.at;
      row.lastOutcome = 'unexpected-error';
    } else {
      row.lastSuccess = record.at;
      row.lastOutcome = 'success';
    }
  }

  of(identityHandle: string): TraineeActivity | undefined {
    return this.byTrainee.get(identityHandle.toUpperCase());
  }

  clear(): void {
    this.byTrainee.clear();
  }
}
