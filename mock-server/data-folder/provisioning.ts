// First-start set-up of a mock server's records: homed prefixes with their prefix handles and admin
// groups, the instructor and trainee identities, and the seed records. The TLS files are
// server-tls.ts's, the credentials files credentials.ts's, the remembered state provisioning-state.ts's.
import type { HandleStore } from '../storage/store.js';
import type { StoredValue, ValueReference } from '../vocabulary/model.js';
import { parseValueInput, sameContent } from '../handle/value-codec.js';
import { writeStateKeyFiles, writeTraineeKeyFiles } from './credentials.js';
import { bareprefix, parseValueReference, prefixHandle, prefixOf, storageKey } from '../vocabulary/handle-names.js';
import { issueClientCertificate } from './certificates.js';
import { clearKeyFilesPending, keyFilesPending, newSecret, readState, saveState, type IdentitySpec, type ProvisionedState } from './provisioning-state.js';
import { DataFolderError } from './open.js';
import type { ServerTls } from './server-tls.js';
import { DTR_PREFIX } from '../fixtures/data-types.js';
import { LESSON_DOI, seedRecords, WARMUP_DOI, WARMUP_HANDLE, type SeedRecord, type SeedValue } from '../fixtures/seed-records.js';

// Homed so they resolve, administered by the instructor alone: read-only for trainees (the warm-up PIDs,
// the lesson DOI, the Data Type Registry's types).
const WARMUP_PREFIXES = [...[WARMUP_HANDLE, WARMUP_DOI, LESSON_DOI].map((handle) => handle.split('/')[0]!), DTR_PREFIX];

function admin(at: number, handle: string, index: number, permissions: string): SeedValue {
  return { index: at, type: 'HS_ADMIN', data: { format: 'admin', value: { handle, index, permissions } } };
}

/** Turns REST-shaped records into stored values, stamped now; used for seeds and base records alike. */
export function applyRecords(store: HandleStore, records: SeedRecord[], actor: string): void {
  const timestamp = Math.floor(Date.now() / 1000);
  store.transaction(() => {
    for (const record of records) {
      const values: StoredValue[] = record.values.map((v, i) => ({ ...parseValueInput(v, `${record.handle} values[${i}]`), timestamp }));
      store.replaceRecord(record.handle, values, { actor, action: store.exists(record.handle) ? 'replace' : 'create' });
    }
  });
}

/** Every identity of the state: the trainees' passwords and certificates, and those added later. */
export function identitiesOf(state: ProvisionedState): IdentitySpec[] {
  const main = state.prefixes[0]!;
  return [
    ...state.trainees
      .filter((t) => !t.revoked)
      .flatMap((t) => {
        const prefix = prefixOf(parseValueReference(t.passwordIdentity).handle) || main;
        return [
          { identity: t.passwordIdentity, password: t.password, adminOf: [prefix] },
          { identity: t.certificateIdentity, publicKeyJwk: t.publicKeyJwk, adminOf: [prefix] },
        ];
      }),
    ...(state.extraIdentities ?? []),
  ];
}

/**
 * The records that make up a fresh server apart from the seeds. Each prefix handle gives the
 * instructor full rights (HS_ADMIN 100) and its admin group at 200 only "add handle" and "list
 * handles" (HS_ADMIN 101), so trainees can create handles but cannot damage the prefix handle.
 * Each identity handle holds its HS_SECKEY / HS_PUBKEY values and one HS_ADMIN naming the instructor
 * alone, as a well-run server keeps identities: a handle's own HS_ADMIN is all that authorises
 * reading its restricted values and changing them (§4.5), so no trainee, not even through the
 * prefix's admin group, can read or overwrite anyone's password or key. A revoked trainee's handle
 * keeps only that HS_ADMIN.
 */
export function baseRecords(state: ProvisionedState, lessonRecords = true): SeedRecord[] {
  const main = state.prefixes[0]!;
  const instructor = parseValueReference(state.instructor.identity);
  const identities = identitiesOf(state);
  const records: SeedRecord[] = [];
  for (const prefix of [...state.prefixes, ...(lessonRecords ? WARMUP_PREFIXES : [])]) {
    const members: ValueReference[] = [
      instructor,
      ...identities.filter((i) => i.adminOf.some((p) => storageKey(bareprefix(p)) === storageKey(prefix))).map((i) => parseValueReference(i.identity)),
    ];
    const values: SeedValue[] = [
      admin(100, instructor.handle, instructor.index, '111111111111'),
      admin(101, prefixHandle(prefix), 200, '100000000001'),
      { index: 200, type: 'HS_VLIST', data: { format: 'vlist', value: members } },
    ];
    if (prefix === main) values.push({ index: 300, type: 'HS_SECKEY', permissions: '1100', data: state.instructor.password });
    records.push({ handle: prefixHandle(prefix), values });
  }
  // Keyed by storage form: handles are case-insensitive, so USER02 and user02 are one identity handle.
  const byHandle = new Map<string, { handle: string; values: SeedValue[] }>();
  const entry = (handle: string) => {
    const key = storageKey(handle);
    const found = byHandle.get(key) ?? { handle, values: [admin(100, instructor.handle, instructor.index, IDENTITY_ADMIN_PERMISSIONS)] };
    byHandle.set(key, found);
    return found.values;
  };
  for (const spec of identities) {
    const ref = parseValueReference(spec.identity);
    const values = entry(ref.handle);
    if (spec.password !== undefined) values.push({ index: ref.index, type: 'HS_SECKEY', permissions: '1100', data: spec.password });
    if (spec.publicKeyJwk) values.push({ index: ref.index, type: 'HS_PUBKEY', data: { format: 'key', value: { kty: 'RSA', ...spec.publicKeyJwk } } });
  }
  for (const t of state.trainees.filter((t) => t.revoked)) entry(parseValueReference(t.passwordIdentity).handle);
  for (const { handle, values } of byHandle.values()) records.push({ handle, values: values.sort((a, b) => a.index - b.index) });
  return records;
}

/** The instructor's rights on an identity handle: everything a handle's administrator can do. */
const IDENTITY_ADMIN_PERMISSIONS = '011111110011';

/** Handles that hold identities (trainees' and those added with `pid-mock identity add`), in storage form. */
export function identityHandles(state: ProvisionedState): Set<string> {
  const handles = new Set<string>();
  for (const t of state.trainees) handles.add(storageKey(parseValueReference(t.passwordIdentity).handle));
  for (const i of state.extraIdentities ?? []) handles.add(storageKey(parseValueReference(i.identity).handle));
  return handles;
}

/**
 * Brings identity handles written by an older pid-mock (identity handles then
 * administered by the prefix's admin group, so any trainee could read and overwrite any other's
 * password) to today's rules. Only records whose content differs are rewritten, so a folder that is
 * already current gets no journal entries.
 */
export function reconcileIdentityRecords(store: HandleStore, state: ProvisionedState, actor = 'pid-mock'): string[] {
  const wanted = baseRecords(state).filter((r) => identityHandles(state).has(storageKey(r.handle)));
  const stale = wanted.filter((record) => {
    const stored = store.getValues(record.handle);
    if (!stored) return true;
    const parsed = record.values.map((v, i) => parseValueInput(v, `${record.handle} values[${i}]`));
    return stored.length !== parsed.length || parsed.some((v) => !stored.some((s) => s.index === v.index && sameContent(s, v)));
  });
  if (stale.length) applyRecords(store, stale, actor);
  return stale.map((r) => r.handle);
}

/**
 * Back to the first-start records as one transaction taken with the write lock (BEGIN IMMEDIATE), for
 * `POST /_admin/reset` and `pid-mock state reset` alike: a server reading meanwhile sees the records
 * before or after, never a folder without identities or seeds, and a process killed in the middle
 * leaves the folder as it was. The roster is read inside, so a trainee added meanwhile is kept.
 */
export function resetToFirstStart(
  store: HandleStore,
  publicBaseUrl: string,
  stateOf: (store: HandleStore) => ProvisionedState | undefined = readState,
  lessonRecords = true,
): void {
  store.atomically(() => {
    const state = stateOf(store);
    if (!state) throw new DataFolderError('this data folder was never provisioned: start "pid-mock serve" on it once');
    store.clear();
    applyInitialRecords(store, state, publicBaseUrl, lessonRecords);
  });
}

/**
 * Whether a folder holds the lesson's own records: a lesson server homes the warm-up prefixes on every start,
 * a plain one (`pid-mock serve --plain`) never does. An offline reset keeps the folder the kind it is.
 */
export function holdsLessonRecords(store: HandleStore): boolean {
  return WARMUP_PREFIXES.some((prefix) => store.isHomed(prefix));
}

/**
 * Finishes what a killed process left half done, so the folder comes back whole: the key files of
 * an interrupted state import, and prefix handles lost by an older pid-mock's non-atomic reset (its
 * identities come back through reconcileIdentityRecords). Throws DataFolderError, saying how to
 * repair the folder, when the key files cannot be written.
 */
export function completeInterruptedChanges(store: HandleStore, stateDir: string, state: ProvisionedState): string[] {
  const done: string[] = [];
  const pending = keyFilesPending(store);
  if (pending) {
    try {
      writeStateKeyFiles(stateDir, state);
    } catch (error) {
      throw new DataFolderError(
        `a state ${pending.operation} of ${pending.at} was interrupted and its key files cannot be written now (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); repair the folder with "pid-mock state import <file> --data ${stateDir}" once the folder is writable`,
      );
    }
    clearKeyFilesPending(store);
    done.push(`key files of the interrupted state ${pending.operation}`);
  }
  const missing = state.prefixes.filter((p) => !store.isHomed(p) || !store.exists(prefixHandle(p)));
  if (missing.length) {
    for (const p of missing) store.homePrefix(p);
    const wanted = new Set(missing.map((p) => storageKey(prefixHandle(p))));
    applyRecords(
      store,
      baseRecords(state).filter((r) => wanted.has(storageKey(r.handle))),
      'pid-mock repair',
    );
    done.push(`prefix handles ${missing.map(prefixHandle).join(', ')}`);
  }
  return done;
}

export interface ProvisionOptions {
  prefixes: string[];
  /** Host names and addresses the server certificate must be valid for, besides localhost. */
  hostnames: string[];
}

/**
 * Rebuilds identities and prefix handles, and the seeds, for a new or reset server. Without
 * `lessonRecords` (a plain server, `pid-mock serve --plain`) neither the warm-up prefixes nor the seeds.
 */
export function applyInitialRecords(store: HandleStore, state: ProvisionedState, publicBaseUrl: string, lessonRecords = true): void {
  for (const prefix of ['0.NA', ...state.prefixes, ...(lessonRecords ? WARMUP_PREFIXES : [])]) store.homePrefix(prefix);
  applyRecords(store, baseRecords(state, lessonRecords), 'pid-mock');
  if (lessonRecords) applyRecords(store, seedRecords({ prefix: state.prefixes[0]!, publicBaseUrl }), 'pid-mock');
}

/**
 * A warm-up prefix that a newer pid-mock seeds (10.5072, the lesson DOI's) is homed and seeded on a data
 * folder made before it, so an upgraded class server resolves the lesson DOI without a reset.
 */
function homeNewWarmupPrefixes(store: HandleStore, state: ProvisionedState, publicBaseUrl: string): void {
  const missing = WARMUP_PREFIXES.filter((prefix) => !store.isHomed(prefix));
  if (missing.length === 0) return;
  const isMissing = (prefix: string) => missing.some((p) => storageKey(p) === storageKey(prefix));
  for (const prefix of missing) store.homePrefix(prefix);
  applyRecords(
    store,
    [
      ...baseRecords(state).filter((r) => missing.some((p) => r.handle === prefixHandle(p))),
      ...seedRecords({ prefix: state.prefixes[0]!, publicBaseUrl }).filter((r) => isMissing(prefixOf(r.handle))),
    ],
    'pid-mock migration',
  );
}

/** First start: decide identities and secrets, issue the trainee certificate, write the records. */
export async function provision(
  store: HandleStore,
  stateDir: string,
  tls: ServerTls,
  options: ProvisionOptions & { publicBaseUrl: string; lessonRecords?: boolean },
): Promise<ProvisionedState> {
  const existing = readState(store);
  if (existing) {
    // Prefixes named on a later start are homed too, with their prefix handles.
    const added = options.prefixes.map(bareprefix).filter((p) => !existing.prefixes.some((q) => storageKey(q) === storageKey(p)));
    if (added.length) {
      existing.prefixes.push(...added);
      saveState(store, existing);
      for (const p of added) store.homePrefix(p);
      applyRecords(
        store,
        baseRecords(existing).filter((r) => added.some((p) => r.handle === prefixHandle(p))),
        'pid-mock',
      );
    }
    // Data folders provisioned before identities were instructor-only are brought up to date.
    reconcileIdentityRecords(store, existing, 'pid-mock migration');
    completeInterruptedChanges(store, stateDir, existing);
    // A plain server's folder has none of the lesson's own prefixes, and gets none.
    if (options.lessonRecords ?? true) homeNewWarmupPrefixes(store, existing, options.publicBaseUrl);
    return existing;
  }
  const prefixes = options.prefixes.map(bareprefix);
  const main = prefixes[0]!;
  const client = await issueClientCertificate(tls.ca, `301:${main}/USER01`);
  const trainee = {
    name: 'USER01',
    passwordIdentity: `300:${main}/USER01`,
    certificateIdentity: `301:${main}/USER01`,
    password: newSecret(),
    publicKeyJwk: { n: client.publicKeyJwk.n, e: client.publicKeyJwk.e },
    created: new Date().toISOString(),
  };
  const state: ProvisionedState = {
    prefixes,
    instructor: { identity: `300:${prefixHandle(main)}`, password: newSecret() },
    trainees: [trainee],
    hrlsUsers: { [`${main}-search`.replace(/[^A-Za-z0-9.-]/g, '')]: newSecret() },
    serverAdmins: [`300:${prefixHandle(main)}`],
    adminToken: newSecret(24),
  };
  writeTraineeKeyFiles(stateDir, trainee.name, client);
  saveState(store, state);
  applyInitialRecords(store, state, options.publicBaseUrl, options.lessonRecords ?? true);
  return state;
}
