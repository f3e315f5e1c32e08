// What the request log says about each trainee since this server started: when they were last seen,
// when a request of theirs last succeeded, and their failed requests, told apart into the lesson's
// planned demonstrations and unexpected ones. Kept per identity handle, so a trainee's password
// (300:) and certificate (301:) identities are one person.
import { isPlannedFailure, isUnexpectedFailure } from '../live/progress.js';
import type { RequestRecord } from '../live/request-log.js';

export interface TraineeActivity {
  lastSeen: string;
  /** The last request answered below 400 (a 404 on a read counts: it is how a free name is learnt). */
  lastSuccess?: string | undefined;
  lastUnexpectedError?: string | undefined;
  unexpectedErrors: number;
  plannedErrors: number;
}

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
      row = { lastSeen: record.at, unexpectedErrors: 0, plannedErrors: 0 };
      this.byTrainee.set(key, row);
    }
    if (record.at > row.lastSeen) row.lastSeen = record.at;
    if (isPlannedFailure(record)) row.plannedErrors += 1;
    else if (isUnexpectedFailure(record)) {
      row.unexpectedErrors += 1;
      row.lastUnexpectedError = record.at;
    } else row.lastSuccess = record.at;
  }

  of(identityHandle: string): TraineeActivity | undefined {
    return this.byTrainee.get(identityHandle.toUpperCase());
  }

  clear(): void {
    this.byTrainee.clear();
  }
}
