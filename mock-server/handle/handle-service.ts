// The Handle operations behind the REST API (resolve, create/replace, add/remove values, delete,
// list), with the real server's order of checks, status rules and authorisation bits (§1.4–§1.9, §4.5).
import { v4 as uuidv4 } from 'uuid';
import type { HandleValueJson, StoredValue, ValueReference } from '../vocabulary/model.js';
import type { HandleStore } from '../storage/store.js';
import { type Authentication, Authoriser, formatReference } from './auth.js';
import { type Envelope, envelopeBody, fail, Rc } from './envelope.js';
import { bareprefix, prefixHandle, prefixOf, storageKey } from '../vocabulary/handle-names.js';
import { AdminBit, type AdminBitNumber } from './permissions.js';
import { parseValueInput, sameContent, type ValueInput, valueToJson } from './value-codec.js';
import { asArray, asString, JavaReadError } from './gson-reading.js';
import type { NameReservations } from './reserved-names.js';
import type { IdentityQuotas } from './quotas.js';

export interface Caller {
  authentication: Exclude<Authentication, { kind: 'failed' }>;
  overTls: boolean;
}

export interface ResolveQuery {
  indexes: number[];
  types: string[];
  /** Undefined = the default: public values only for anonymous callers. */
  publicOnly: boolean | undefined;
}

export interface PutQuery {
  /** Undefined = whole-record PUT; 'various' = add/replace without the index-set check. */
  indexes: number[] | 'various' | undefined;
  overwrite: boolean;
  mintNewSuffix: boolean;
}

const now = () => Math.floor(Date.now() / 1000);

/** Runs a Gson-style read of the request body, turning the Java exception into a Handle error. */
function javaRead<T>(read: () => T, where: string): T {
  try {
    return read();
  } catch (error) {
    if (!(error instanceof JavaReadError)) throw error;
    const java = error.wrapper && error.wrapper !== 'com.google.gson.JsonParseException' ? `${error.wrapper}: ${error.javaCause}` : error.javaCause;
    throw fail.protocol(`${java} (${where}: ${error.explanation})`);
  }
}

/**
 * The record a resolution reads: a name without a slash is looked up as the prefix handle `0.NA/<name>`
 * (creation and deletion use the name as given), which is what the real server does.
 */
function resolutionName(handle: string): string {
  return handle.includes('/') ? handle : `0.NA/${handle}`;
}

function isAdminType(type: string): boolean {
  return type.toUpperCase() === 'HS_ADMIN';
}

/** A value matches a `type` filter exactly (case-insensitively) or, for `URL.`, by sub-type. */
function typeMatches(valueType: string, filter: string): boolean {
  const v = valueType.toUpperCase();
  const f = filter.toUpperCase();
  return f.endsWith('.') ? v.startsWith(f) || v === f.slice(0, -1) : v === f;
}

/**
 * A cached record (frozen, replaced on every write) has one REST view of all its values and one of its
 * public values, each made once: the answer's JSON and the resolver pages are cached by the identity of
 * these arrays, so they stay the same arrays for as long as the record is unchanged.
 */
interface RecordViews {
  all: HandleValueJson[];
  public: HandleValueJson[];
}
const viewsOf = new WeakMap<readonly StoredValue[], RecordViews>();

function recordViews(stored: StoredValue[]): RecordViews {
  let views = viewsOf.get(stored);
  if (!views) {
    const all = Object.freeze(stored.map(valueToJson)) as HandleValueJson[];
    const visible = all.filter((_value, i) => stored[i]!.publicRead);
    views = { all, public: visible.length === all.length ? all : (Object.freeze(visible) as HandleValueJson[]) };
    if (Object.isFrozen(stored)) viewsOf.set(stored, views);
  }
  return views;
}

export class HandleService {
  readonly authoriser: Authoriser;

  constructor(
    readonly store: HandleStore,
    serverAdmins: () => ValueReference[],
    private readonly reservations: NameReservations = () => undefined,
    private readonly quotas?: IdentityQuotas,
  ) {
    this.authoriser = new Authoriser(store, serverAdmins);
  }

  assertHomed(handle: string): void {
    if (!this.store.isHomed(prefixOf(handle))) throw fail.notHomed(handle);
  }

  private identityOrChallenge(caller: Caller, handle: string | undefined): ValueReference {
    if (caller.authentication.kind !== 'authenticated') throw fail.authenticationNeeded(handle, caller.overTls);
    return caller.authentication.identity;
  }

  private actor(caller: Caller): string {
    return caller.authentication.kind === 'authenticated' ? formatReference(caller.authentication.identity) : 'anonymous';
  }

  resolve(handle: string, query: ResolveQuery, caller: Caller): Envelope {
    this.assertHomed(handle);
    const stored = this.store.getValues(resolutionName(handle));
    if (!stored) throw fail.notFound(handle);
    const authenticated = caller.authentication.kind === 'authenticated';
    const publicOnly = query.publicOnly ?? !authenticated;
    const narrowed = query.indexes.length > 0 || query.types.length > 0;
    const filtered = narrowed ? stored.filter((v) => query.indexes.includes(v.index) || query.types.some((t) => typeMatches(v.type, t))) : stored;
    if (!publicOnly && filtered.some((v) => !v.publicRead)) {
      // Restricted values are all-or-nothing: without read-value permission the whole request fails, and a
      // value that not even admins may read fails it for everyone, server admins included.
      const identity = this.identityOrChallenge(caller, handle);
      if (!this.authoriser.granted(identity, stored, [AdminBit.readValue])) throw fail.noPermission(handle);
      if (filtered.some((v) => !v.publicRead && !v.adminRead)) throw fail.insufficientPermissions(handle);
    }
    // The whole record, as most resolves ask for it, comes from its views made once.
    const values = narrowed
      ? (publicOnly ? filtered.filter((v) => v.publicRead) : filtered).map(valueToJson)
      : publicOnly
        ? recordViews(stored).public
        : recordViews(stored).all;
    if (!values.length) return { httpStatus: 200, body: envelopeBody(Rc.valuesNotFound, undefined, handle, { values: [] }) };
    return { httpStatus: 200, body: { responseCode: Rc.success, handle, values } };
  }

  /** Public values of a record for the resolver pages, or why there is none. */
  publicRecord(handle: string): { status: 'found'; values: HandleValueJson[] } | { status: 'not-found' } | { status: 'prefix-not-homed'; prefix: string } {
    const prefix = prefixOf(handle);
    if (!this.store.isHomed(prefix)) return { status: 'prefix-not-homed', prefix };
    const stored = this.store.getValues(resolutionName(handle));
    if (!stored) return { status: 'not-found' };
    return { status: 'found', values: recordViews(stored).public };
  }

  put(pathHandle: string, entity: unknown, query: PutQuery, caller: Caller): Envelope {
    const handle = query.mintNewSuffix && query.indexes === undefined ? pathHandle + uuidv4() : pathHandle;
    this.assertHomed(handle);
    const values = this.readValues(entity, pathHandle, handle, query);
    // The existence and index checks and the write are one transaction, or two servers (or a CLI) racing
    // on one data folder could both see the handle absent and both "create" it.
    return this.store.checkedWrite(() =>
      query.indexes === undefined ? this.putRecord(handle, values, query.overwrite, caller) : this.putValues(handle, values, query.overwrite, caller),
    );
  }

  private readValues(entity: unknown, pathHandle: string, handle: string, query: PutQuery): ValueInput[] {
    let list: unknown[];
    if (Array.isArray(entity)) {
      list = entity;
    } else if (entity && typeof entity === 'object' && 'values' in entity) {
      const claimed = (entity as { handle?: unknown }).handle;
      if (claimed !== undefined) {
        const named = javaRead(() => asString(claimed, 'handle'), 'the body');
        if (storageKey(named) !== storageKey(pathHandle)) {
          throw fail.protocol(`java.lang.Exception: Mismatched handle in PUT request (the body says ${JSON.stringify(named)}, the path says "${pathHandle}")`);
        }
      }
      list = javaRead(() => asArray((entity as { values: unknown }).values, 'values'), 'the body') ?? [];
    } else if (entity && typeof entity === 'object' && ['index', 'type', 'data'].every((k) => k in entity)) {
      list = [entity];
    } else {
      throw fail.protocol('java.lang.Exception: Invalid JSON in PUT request (expected {"values": [...]}, an array of values, or one value object)');
    }
    // Gson reads every item before anything looks at them; a null item only fails when it is first used.
    const parsed = list.map((raw, i) => (raw === null ? null : parseValueInput(raw, `values[${i}]`)));
    const nullAt = parsed.indexOf(null);
    if (nullAt >= 0) {
      throw fail.protocol(`java.lang.NullPointerException (values[${nullAt}] is null: each item must be a value object)`);
    }
    const values = parsed as ValueInput[];
    if (query.indexes !== undefined && query.indexes !== 'various') {
      const wanted = new Set(query.indexes);
      const given = new Set(values.map((v) => v.index));
      if (wanted.size !== given.size || [...wanted].some((i) => !given.has(i))) {
        throw fail.protocol(
          `java.lang.Exception: Mismatched indexes in PUT request (?index= lists ${[...wanted].join(',')}; the body holds ${[...given].join(',') || 'no value'})`,
        );
      }
    }
    if (values.some((v) => v.index <= 0)) throw fail.invalidValue(handle, 'Value indexes must be positive');
    const seen = new Set<number>();
    for (const v of values) {
      if (seen.has(v.index)) throw fail.indexConflict(handle, v.index);
      seen.add(v.index);
    }
    if (query.indexes !== undefined && !values.length) throw fail.invalidValue(handle, 'Value list was empty');
    return values;
  }

  private putRecord(handle: string, values: ValueInput[], overwrite: boolean, caller: Caller): Envelope {
    const existing = this.store.getValues(handle);
    if (existing && !overwrite) throw fail.alreadyExists(handle);
    const identity = this.identityOrChallenge(caller, handle);
    if (!existing) {
      if (!this.authoriser.grantedOnPrefix(identity, prefixOf(handle), [AdminBit.addHandle])) throw fail.noPermission(handle);
      // Server admins provision identities; everyone else is kept off the names identities need.
      const reserved = this.authoriser.isServerAdmin(identity) ? undefined : this.reservations(handle);
      if (reserved !== undefined) throw fail.reservedName(handle, reserved);
    } else if (!this.mayReplace(identity, handle, existing, values)) {
      throw fail.noPermission(handle);
    }
    this.checkQuotas(identity, handle, existing, values);
    const stamped = this.stamp(values, existing);
    this.store.replaceRecord(handle, stamped, { actor: this.actor(caller), action: existing ? 'replace' : 'create' });
    return { httpStatus: existing ? 200 : 201, body: envelopeBody(Rc.success, undefined, handle) };
  }

  /** The §4.5 rule for overwriting a whole record. */
  private mayReplace(identity: ValueReference, handle: string, existing: StoredValue[], values: ValueInput[]): boolean {
    const bits = new Set<AdminBitNumber>();
    const before = new Map(existing.map((v) => [v.index, v]));
    const after = new Map(values.map((v) => [v.index, v]));
    for (const [index, next] of after) {
      const old = before.get(index);
      if (!old) bits.add(isAdminType(next.type) ? AdminBit.addAdmin : AdminBit.addValue);
      else if (!sameContent(old, next)) for (const bit of changeBits(old, next)) bits.add(bit);
    }
    for (const [index, old] of before) {
      if (!after.has(index)) bits.add(isAdminType(old.type) ? AdminBit.removeAdmin : AdminBit.removeValue);
    }
    if (!bits.size) return true;
    if (this.authoriser.granted(identity, existing, [...bits])) return true;
    // Whoever may add admins could give themselves every other bit, so ADD_ADMIN alone is enough.
    if (this.authoriser.granted(identity, existing, [AdminBit.addAdmin])) return true;
    return (
      this.authoriser.granted(identity, existing, [AdminBit.deleteHandle]) && this.authoriser.grantedOnPrefix(identity, prefixOf(handle), [AdminBit.addHandle])
    );
  }

  private putValues(handle: string, values: ValueInput[], overwrite: boolean, caller: Caller): Envelope {
    // What the record itself says is checked before the caller is authenticated, as on the real server.
    const existing = this.store.getValues(handle);
    if (!existing) throw fail.notFound(handle);
    const byIndex = new Map(existing.map((v) => [v.index, v]));
    if (!overwrite) {
      const clash = values.find((v) => byIndex.has(v.index));
      if (clash) throw fail.indexConflict(handle, clash.index);
    }
    const identity = this.identityOrChallenge(caller, handle);
    const bits = new Set<AdminBitNumber>();
    for (const next of values) {
      const old = byIndex.get(next.index);
      if (!old) bits.add(isAdminType(next.type) ? AdminBit.addAdmin : AdminBit.addValue);
      // Rewriting a value with identical content still needs the modify bit: only whole-record PUTs skip no-ops.
      else if (sameContent(old, next)) bits.add(isAdminType(old.type) ? AdminBit.modifyAdmin : AdminBit.modifyValue);
      else for (const bit of changeBits(old, next)) bits.add(bit);
    }
    if (!this.authoriser.granted(identity, existing, [...bits])) throw fail.noPermission(handle);
    const after = new Map(existing.map((v): [number, ValueInput] => [v.index, v]));
    for (const value of values) after.set(value.index, value);
    this.checkQuotas(identity, handle, existing, [...after.values()]);
    const replacedAny = values.some((v) => byIndex.has(v.index));
    this.store.putValues(handle, this.stamp(values, existing), { actor: this.actor(caller), action: 'add-values' });
    return { httpStatus: replacedAny ? 200 : 201, body: envelopeBody(Rc.success, undefined, handle) };
  }

  /** After authorisation, so that a refusal for rights is not reported as a quota; server admins have none. */
  private checkQuotas(identity: ValueReference, handle: string, existing: StoredValue[] | undefined, after: ValueInput[]): void {
    if (this.quotas && !this.authoriser.isServerAdmin(identity)) this.quotas.check(handle, existing, after, formatReference(identity));
  }

  /** New or changed values get the current time; unchanged ones keep theirs, as on the real server. */
  private stamp(values: ValueInput[], existing: StoredValue[] | undefined): StoredValue[] {
    const timestamp = now();
    const before = new Map((existing ?? []).map((v) => [v.index, v]));
    return values.map((v) => {
      const old = before.get(v.index);
      return { ...v, timestamp: old && sameContent(old, v) ? old.timestamp : timestamp };
    });
  }

  deleteHandle(handle: string, caller: Caller): Envelope {
    this.assertHomed(handle);
    const existing = this.store.getValues(handle);
    if (!existing) throw fail.notFound(handle);
    const identity = this.identityOrChallenge(caller, handle);
    if (!this.authoriser.granted(identity, existing, [AdminBit.deleteHandle])) throw fail.noPermission(handle);
    this.store.deleteHandle(handle, { actor: this.actor(caller), action: 'delete' });
    return { httpStatus: 200, body: envelopeBody(Rc.success, undefined, handle) };
  }

  deleteValues(handle: string, indexes: number[], caller: Caller): Envelope {
    this.assertHomed(handle);
    const existing = this.store.getValues(handle);
    if (!existing) throw fail.notFound(handle);
    const targets = indexes.map((i) => existing.find((v) => v.index === i));
    if (targets.some((t) => t === undefined)) throw fail.valuesNotFound(handle);
    const identity = this.identityOrChallenge(caller, handle);
    const bits: AdminBitNumber[] = [AdminBit.removeValue];
    if (targets.some((t) => t && isAdminType(t.type))) bits.push(AdminBit.removeAdmin);
    if (!this.authoriser.granted(identity, existing, bits)) throw fail.noPermission(handle);
    this.store.removeValues(handle, indexes, { actor: this.actor(caller), action: 'remove-values' });
    return { httpStatus: 200, body: envelopeBody(Rc.success, undefined, handle) };
  }

  listHandles(prefixParam: string, page: { page: number; pageSize: number } | undefined, caller: Caller): Envelope {
    const prefix = bareprefix(prefixParam);
    if (!this.store.isHomed(prefix)) throw fail.notHomed(prefixParam);
    const identity = this.identityOrChallenge(caller, prefixParam);
    if (!this.authoriser.grantedOnPrefix(identity, prefix, [AdminBit.listHandles])) throw fail.noPermission(prefixParam);
    const { total, handles } = this.store.listHandles(prefix, page);
    return {
      httpStatus: 200,
      body: {
        responseCode: Rc.success,
        prefix: prefixParam,
        totalCount: String(total),
        ...(page ? { page: page.page, pageSize: page.pageSize } : {}),
        handles,
      },
    };
  }

  listPrefixes(caller: Caller): Envelope {
    const identity = this.identityOrChallenge(caller, undefined);
    if (!this.authoriser.isServerAdmin(identity)) throw fail.noPermission();
    const prefixes = this.store.homedPrefixes().map((p) => prefixHandle(p));
    return { httpStatus: 200, body: { responseCode: Rc.success, totalCount: String(prefixes.length), prefixes } };
  }
}

/** Bits needed to change one existing value into another (type flips need two). */
function changeBits(old: StoredValue, next: ValueInput): AdminBitNumber[] {
  if (sameContent(old, next)) return [];
  const wasAdmin = isAdminType(old.type);
  const isAdmin = isAdminType(next.type);
  if (wasAdmin && isAdmin) return [AdminBit.modifyAdmin];
  if (!wasAdmin && !isAdmin) return [AdminBit.modifyValue];
  return wasAdmin ? [AdminBit.removeAdmin, AdminBit.modifyValue] : [AdminBit.modifyValue, AdminBit.addAdmin];
}
