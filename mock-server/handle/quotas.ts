// Per-identity quotas: how many handles an identity has created, how many bytes their records hold, and
// how many values one record may have. They count what exists now, so deleting a handle frees its share.
import type { StoredValue } from '../vocabulary/model.js';
import type { HandleStore } from '../storage/store.js';
import { storageKey } from '../vocabulary/handle-names.js';
import { HandleApiError, Rc } from './envelope.js';

export interface QuotaLimits {
  /** Handles that an identity created and that still exist. */
  handles: number;
  /** Bytes (type and data of every value) in the handles an identity created. */
  bytes: number;
  /** Values in one record, whoever writes it. */
  valuesPerRecord: number;
}

/**
 * Every chapter's notebook run with its solutions leaves a trainee 12 handles (14 created), 1,683 bytes and
 * records of at most 6 values (the seeded ones hold 9); see docs/reliability.md. Each default is more than
 * ten times that, also for a trainee who re-runs every cell several times or registers a batch of
 * 1,000 PIDs, and still keeps a class's database small (30 trainees × 5 MB).
 */
export const DEFAULT_QUOTAS: QuotaLimits = { handles: 2000, bytes: 5_000_000, valuesPerRecord: 100 };

/** The `pid-mock serve` option that sets each quota, named in the refusal so an instructor knows what to raise. */
const OPTION: Record<keyof QuotaLimits, string> = { handles: '--quota-handles', bytes: '--quota-bytes', valuesPerRecord: '--quota-values' };

/** What one value costs: its type and its data, the two columns that grow with what a trainee sends. */
export function valueBytes(value: Pick<StoredValue, 'type' | 'data'>): number {
  return Buffer.byteLength(value.type, 'utf8') + value.data.length;
}

function recordBytes(values: readonly Pick<StoredValue, 'type' | 'data'>[]): number {
  let total = 0;
  for (const value of values) total += valueBytes(value);
  return total;
}

/** `300:21.t12995/alice` and `300:21.T12995/ALICE` are one identity, as handle names are. */
function identityKey(actor: string): string | undefined {
  const match = /^(\d+):(.+)$/.exec(actor);
  return match ? `${match[1]}:${storageKey(match[2]!)}` : undefined;
}

interface Usage {
  handles: number;
  bytes: number;
}

/** The refusal: 403 with RC_INSUFFICIENT_PERMISSIONS, and a message naming the quota, its limit and the use. */
function overQuota(handle: string, message: string): HandleApiError {
  return new HandleApiError(403, Rc.insufficientPermissions, message, handle);
}

/**
 * Who created each existing handle and what it weighs, read from the store's journal (the only record of
 * creators) and followed incrementally: each check reads only the entries written since the last one, and
 * starts afresh when the journal was replaced (a reset or a state import).
 */
export class IdentityQuotas {
  private readonly owners = new Map<string, string>();
  private readonly sizes = new Map<string, number>();
  private readonly usage = new Map<string, Usage>();
  private last: { id: number; at: string; handle: string } | undefined;

  constructor(
    private readonly store: HandleStore,
    readonly limits: QuotaLimits = DEFAULT_QUOTAS,
  ) {}

  /** Current use of one identity (`index:handle`). */
  usageOf(identity: string): Usage {
    this.follow();
    return { ...(this.usage.get(identityKey(identity) ?? identity) ?? { handles: 0, bytes: 0 }) };
  }

  /**
   * Refuses a write that would take an identity over a quota; writes that shrink are always allowed, so
   * that a trainee above a lowered quota can clean up. `creator` is the caller when the handle is new.
   */
  check(handle: string, before: readonly StoredValue[] | undefined, after: readonly Pick<StoredValue, 'type' | 'data'>[], creator: string): void {
    if (after.length > this.limits.valuesPerRecord && after.length > (before?.length ?? 0)) {
      throw overQuota(
        handle,
        `Quota exceeded: values per record. ${handle} would hold ${after.length} values; a record may hold at most ${this.limits.valuesPerRecord} (${OPTION.valuesPerRecord}). Store fewer values, or spread them over several handles`,
      );
    }
    this.follow();
    const key = storageKey(handle);
    const owner = before ? this.owners.get(key) : identityKey(creator);
    if (owner === undefined) return;
    const used = this.usage.get(owner) ?? { handles: 0, bytes: 0 };
    if (!before && used.handles + 1 > this.limits.handles) {
      throw overQuota(
        handle,
        `Quota exceeded: handles per identity. ${creator} has created ${used.handles} handles that still exist; an identity may have at most ${this.limits.handles} (${OPTION.handles}). Delete handles you no longer need to make room`,
      );
    }
    const oldBytes = before ? (this.sizes.get(key) ?? recordBytes(before)) : 0;
    const newBytes = recordBytes(after);
    if (newBytes > oldBytes && used.bytes - oldBytes + newBytes > this.limits.bytes) {
      throw overQuota(
        handle,
        `Quota exceeded: stored bytes per identity. The handles ${owner} created hold ${used.bytes} bytes; this write would make it ${used.bytes - oldBytes + newBytes}, above the ${this.limits.bytes} bytes allowed (${OPTION.bytes}). Store smaller values, or delete handles you no longer need`,
      );
    }
  }

  /** Reads the journal entries written since the last look and updates the affected handles. */
  private follow(): void {
    if (this.last && !this.journalStillHas(this.last)) this.forget();
    for (;;) {
      const events = this.store.events({ afterId: this.last?.id ?? 0, limit: 1000 });
      if (!events.length) return;
      // The latest create of each touched handle names its creator; a delete after it clears that.
      const creators = new Map<string, string | null>();
      for (const event of events) {
        if (event.action === 'create') creators.set(event.handle, event.actor);
        else if (event.action === 'delete') creators.set(event.handle, null);
        else if (!creators.has(event.handle)) creators.set(event.handle, this.owners.get(event.handle) ?? null);
      }
      for (const [handle, creator] of creators) this.settle(handle, creator === null ? undefined : creator);
      const last = events[events.length - 1]!;
      this.last = { id: last.id, at: last.at, handle: last.handle };
    }
  }

  private settle(handle: string, creator: string | undefined): void {
    this.drop(handle);
    const values = this.store.getValues(handle);
    const owner = creator === undefined ? undefined : (identityKey(creator) ?? undefined);
    if (!values || owner === undefined) return;
    const bytes = recordBytes(values);
    this.owners.set(handle, owner);
    this.sizes.set(handle, bytes);
    const used = this.usage.get(owner) ?? { handles: 0, bytes: 0 };
    this.usage.set(owner, { handles: used.handles + 1, bytes: used.bytes + bytes });
  }

  private drop(handle: string): void {
    const owner = this.owners.get(handle);
    if (owner === undefined) return;
    const used = this.usage.get(owner)!;
    this.usage.set(owner, { handles: used.handles - 1, bytes: used.bytes - (this.sizes.get(handle) ?? 0) });
    this.owners.delete(handle);
    this.sizes.delete(handle);
  }

  private journalStillHas(entry: { id: number; at: string; handle: string }): boolean {
    const [found] = this.store.events({ afterId: entry.id - 1, limit: 1 });
    return found !== undefined && found.id === entry.id && found.at === entry.at && found.handle === entry.handle;
  }

  private forget(): void {
    this.owners.clear();
    this.sizes.clear();
    this.usage.clear();
    this.last = undefined;
  }
}
