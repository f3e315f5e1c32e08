// Which historical values a caller may see: each value as the read rules of GET /api/handles applied
// to the record as it stood at that moment, not to today's record. A name can be deleted and created
// again by someone else, and the new owner must not read what the old one kept restricted.
import type { Authentication } from '../../handle/auth.js';
import type { HandleService } from '../../handle/handle-service.js';
import type { HistoryEntry } from '../../storage/store.js';
import type { StoredValue } from '../../vocabulary/model.js';
import { AdminBit } from '../../handle/permissions.js';

export type Reader = { kind: 'instructor' } | { kind: 'caller'; authentication: Exclude<Authentication, { kind: 'failed' }>; overTls: boolean };

/** The whole record just before and just after one journal entry. */
export interface RecordAtEntry {
  before: StoredValue[];
  after: StoredValue[];
}

function byIndex(values: Iterable<StoredValue>): StoredValue[] {
  return [...values].sort((a, b) => a.index - b.index);
}

/**
 * Replays the journal forwards from "no such handle". A journal that does not reach back to the
 * handle's creation (entries written before values were journalled) yields records with too few
 * HS_ADMIN values, so the replay can only ever hide more, never show what an owner kept restricted.
 */
export function recordsAtEntries(history: HistoryEntry[]): RecordAtEntry[] {
  let record: StoredValue[] = [];
  return history.map((entry) => {
    const before = record;
    switch (entry.action) {
      case 'create':
      case 'replace':
        record = byIndex(entry.after);
        break;
      case 'add-values': {
        const merged = new Map(record.map((v) => [v.index, v]));
        for (const v of entry.after) merged.set(v.index, v);
        record = byIndex(merged.values());
        break;
      }
      case 'remove-values': {
        const removed = new Set(entry.before.map((v) => v.index));
        record = record.filter((v) => !removed.has(v.index));
        break;
      }
      case 'delete':
        record = [];
        break;
    }
    return { before, after: record };
  });
}

/**
 * May this reader see a restricted value of `record`? As resolve decides: read-value permission from
 * the record's own HS_ADMIN values (HS_VLIST groups as they are now), and never a value whose admin-read
 * bit is off. The instructor, logged in to the live view, sees everything.
 */
export function mayReadValue(service: HandleService, reader: Reader, record: StoredValue[], value: StoredValue): boolean {
  if (value.publicRead || reader.kind === 'instructor') return true;
  if (reader.authentication.kind !== 'authenticated' || !value.adminRead) return false;
  return service.authoriser.granted(reader.authentication.identity, record, [AdminBit.readValue]);
}

export function visibleValues(service: HandleService, reader: Reader, record: StoredValue[], values: StoredValue[]): StoredValue[] {
  return values.filter((v) => mayReadValue(service, reader, record, v));
}
