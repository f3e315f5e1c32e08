// The class roster: trainees an instructor provisions (a password and a certificate identity each),
// revokes and restores, kept in the provisioning state so that resets and restarts keep them. Used by
// the `pid-mock class` commands (straight on the SQLite file) and by the /_admin/class API alike.
import type { HandleStore } from '../../storage/store.js';
import { applyRecords, baseRecords } from '../../data-folder/provisioning.js';
import { newSecret, readState, saveState, type ProvisionedState, type TraineeRecord } from '../../data-folder/provisioning-state.js';
import { bareprefix, parseValueReference, prefixHandle, prefixOf, storageKey } from '../../vocabulary/handle-names.js';
import { issueClientCertificate } from '../../data-folder/certificates.js';
import { readCertificateAuthority } from '../../data-folder/server-tls.js';
import { Rc } from '../../handle/envelope.js';
import { isTraineeName, TRAINEE_NAME_RULE } from '../../data-folder/trainee-name.js';

export { TRAINEE_NAME } from '../../data-folder/trainee-name.js';
/** A class larger than this is a typo (30 is a big workshop), and every trainee costs an RSA key. */
export const MAX_TRAINEES = 500;

/** A mistake in what the instructor asked for: rendered as a Handle-shaped 4xx or a CLI message. */
export class ClassError extends Error {
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
  ) {
    super(message);
  }

  get responseCode(): number {
    return this.status === 404 ? Rc.handleNotFound : this.status === 409 ? Rc.handleAlreadyExists : Rc.invalidValue;
  }
}

export function checkTraineeName(name: unknown): string {
  if (!isTraineeName(name)) throw new ClassError(400, `trainee name ${JSON.stringify(name)} is not allowed: ${TRAINEE_NAME_RULE}`);
  return name;
}

export function traineeHandle(trainee: TraineeRecord): string {
  return parseValueReference(trainee.passwordIdentity).handle;
}

/** Names are compared as handles are: case-insensitively. */
export function findTrainee(state: ProvisionedState, name: string): TraineeRecord | undefined {
  return state.trainees.find((t) => t.name.toUpperCase() === name.toUpperCase());
}

export function requireTrainee(state: ProvisionedState, name: string): TraineeRecord {
  const trainee = findTrainee(state, checkTraineeName(name));
  if (!trainee) throw new ClassError(404, `no trainee named "${name}" on this server (see "pid-mock class list" or GET /_admin/class/trainees)`);
  return trainee;
}

/** The owner a trainee's credentials write into new handles: index 0 of their identity handle, i.e. either of their identities. */
export function personalOwner(trainee: TraineeRecord): string {
  return `0:${traineeHandle(trainee)}`;
}

/** Read-modify-write of the roster: the CLI and the server may change it at once. */
function exclusively<T>(store: HandleStore, work: () => T): T {
  return store.atomically(work);
}

function currentState(store: HandleStore): ProvisionedState {
  const state = readState(store);
  if (!state) throw new ClassError(400, 'this data folder was never provisioned: start "pid-mock serve" on it once');
  return state;
}

function classPrefix(state: ProvisionedState, prefix: string | undefined): string {
  if (prefix === undefined) return state.prefixes[0]!;
  const bare = bareprefix(prefix);
  const homed = state.prefixes.find((p) => storageKey(p) === storageKey(bare));
  if (!homed)
    throw new ClassError(400, `prefix "${prefix}" is not homed on this server (homed: ${state.prefixes.join(', ')}); add it with "pid-mock prefix add"`);
  return homed;
}

/** New secrets for a trainee: a password and a client certificate issued by the data folder's CA. */
async function newTrainee(stateDir: string, prefix: string, name: string): Promise<TraineeRecord> {
  const handle = `${prefix}/${name}`;
  const issued = await issueClientCertificate(readCertificateAuthority(stateDir), `301:${handle}`);
  return {
    name,
    passwordIdentity: `300:${handle}`,
    certificateIdentity: `301:${handle}`,
    password: newSecret(),
    publicKeyJwk: { n: issued.publicKeyJwk.n, e: issued.publicKeyJwk.e },
    privateKeyPem: issued.keyPem,
    certificatePem: issued.certPem,
    created: new Date().toISOString(),
  };
}

/** Writes the records a roster change touches: the trainee's identity handle and their prefix's admin group. */
function applyTrainee(store: HandleStore, state: ProvisionedState, trainee: TraineeRecord, actor: string): void {
  const handle = traineeHandle(trainee);
  const touched = new Set([storageKey(handle), storageKey(prefixHandle(prefixOf(handle)))]);
  applyRecords(
    store,
    baseRecords(state).filter((r) => touched.has(storageKey(r.handle))),
    actor,
  );
}

export interface EnsureResult {
  trainee: TraineeRecord;
  created: boolean;
}

/**
 * Makes sure each named trainee exists: new ones are created, existing ones are left exactly as they
 * are (same identities and secrets). A revoked trainee is refused: restoring is a deliberate act.
 */
export async function ensureTrainees(
  store: HandleStore,
  stateDir: string,
  names: string[],
  options: { prefix?: string | undefined; actor: string },
): Promise<EnsureResult[]> {
  names.forEach(checkTraineeName);
  const seen = new Map<string, string>();
  for (const name of names) {
    const earlier = seen.get(name.toUpperCase());
    if (earlier !== undefined) throw new ClassError(400, `trainee name "${name}" is given twice (as "${earlier}" too; names are case-insensitive)`);
    seen.set(name.toUpperCase(), name);
  }
  const state = currentState(store);
  const prefix = classPrefix(state, options.prefix);
  const missing = names.filter((n) => !findTrainee(state, n));
  for (const name of names) {
    const existing = findTrainee(state, name);
    if (existing?.revoked)
      throw new ClassError(409, `trainee "${existing.name}" was revoked; "pid-mock class add ${existing.name}" restores them with new secrets`);
  }
  for (const name of missing) {
    // Someone may have registered a PID by that name: provisioning would replace it with an identity.
    if (store.exists(`${prefix}/${name}`)) {
      throw new ClassError(
        409,
        `handle ${prefix}/${name} already exists and is not an identity: choose another name for this trainee, or delete that handle first`,
      );
    }
  }
  if (state.trainees.length + missing.length > MAX_TRAINEES) {
    throw new ClassError(
      400,
      `a class holds at most ${MAX_TRAINEES} trainees; this server has ${state.trainees.length} and ${missing.length} more were asked for`,
    );
  }
  // Certificates take an RSA key each: issued before the write, so the transaction stays short.
  const fresh = new Map<string, TraineeRecord>();
  for (const name of missing) fresh.set(name.toUpperCase(), await newTrainee(stateDir, prefix, name));
  return exclusively(store, () => {
    // Read again: another process (the CLI, or a concurrent request) may have added some meanwhile.
    const latest = currentState(store);
    const results: EnsureResult[] = [];
    const added: TraineeRecord[] = [];
    for (const name of names) {
      const existing = findTrainee(latest, name);
      if (existing) {
        results.push({ trainee: existing, created: false });
        continue;
      }
      const trainee = fresh.get(name.toUpperCase())!;
      latest.trainees.push(trainee);
      added.push(trainee);
      results.push({ trainee, created: true });
    }
    if (added.length) {
      saveState(store, latest);
      const touched = new Set(added.flatMap((t) => [storageKey(traineeHandle(t)), storageKey(prefixHandle(prefixOf(traineeHandle(t))))]));
      applyRecords(
        store,
        baseRecords(latest).filter((r) => touched.has(storageKey(r.handle))),
        options.actor,
      );
    }
    return results;
  });
}

/**
 * Revoking removes the trainee's HS_SECKEY and HS_PUBKEY and their group membership; their handles
 * stay. Revoking twice changes nothing the second time (`changed: false`).
 */
export function revokeTrainee(store: HandleStore, name: string, actor: string): { trainee: TraineeRecord; changed: boolean } {
  return exclusively(store, () => {
    const state = currentState(store);
    const trainee = requireTrainee(state, name);
    if (trainee.revoked) return { trainee, changed: false };
    trainee.revoked = true;
    saveState(store, state);
    applyTrainee(store, state, trainee, actor);
    return { trainee, changed: true };
  });
}

/**
 * `class add`: a new trainee, or a revoked one back with new secrets (the old bundle stays dead, since
 * it may have been left on a shared machine). An active trainee is a duplicate.
 */
export async function addTrainee(
  store: HandleStore,
  stateDir: string,
  name: string,
  options: { prefix?: string | undefined; actor: string },
): Promise<EnsureResult> {
  checkTraineeName(name);
  const state = currentState(store);
  const existing = findTrainee(state, name);
  if (existing && !existing.revoked) throw new ClassError(409, `trainee "${existing.name}" already exists (and is not revoked)`);
  if (!existing) return (await ensureTrainees(store, stateDir, [name], options))[0]!;
  const prefix = prefixOf(traineeHandle(existing));
  const renewed = await newTrainee(stateDir, prefix, existing.name);
  return exclusively(store, () => {
    const latest = currentState(store);
    const index = latest.trainees.findIndex((t) => t.name.toUpperCase() === name.toUpperCase());
    const restored: TraineeRecord = { ...renewed, name: latest.trainees[index]!.name, created: latest.trainees[index]!.created ?? renewed.created };
    latest.trainees[index] = restored;
    saveState(store, latest);
    applyTrainee(store, latest, restored, options.actor);
    return { trainee: restored, created: true };
  });
}

/** The roster as the API and `class list` show it: no secrets. */
export function listTrainees(
  store: HandleStore,
): Array<{ name: string; handle: string; passwordIdentity: string; certificateIdentity: string; revoked: boolean; created: string }> {
  return currentState(store).trainees.map((t) => ({
    name: t.name,
    handle: traineeHandle(t),
    passwordIdentity: t.passwordIdentity,
    certificateIdentity: t.certificateIdentity,
    revoked: t.revoked === true,
    created: t.created ?? '',
  }));
}

export function readRoster(store: HandleStore): ProvisionedState {
  return currentState(store);
}
