// What provisioning decided once and must remember across restarts: the prefixes, the instructor,
// the trainees and other identities, the reverse look-up users, the admin token. Kept as one JSON
// setting in the store, so that resets, restarts and state files carry it.
import { randomBytes } from 'node:crypto';
import type { HandleStore } from '../storage/store.js';
import type { ValueReference } from '../vocabulary/model.js';
import { parseValueReference } from '../vocabulary/handle-names.js';

/** An identity the server knows: a password (HS_SECKEY) or a certificate key (HS_PUBKEY) at `index:handle`. */
export interface IdentitySpec {
  identity: string;
  password?: string;
  publicKeyJwk?: { n: string; e: string };
  /** Prefixes whose admin group (200:0.NA/<prefix>) lists this identity: it may create handles there. */
  adminOf: string[];
}

/** One trainee: a password identity (300) and a certificate identity (301) on the handle `<prefix>/<name>`. */
export interface TraineeRecord {
  name: string;
  passwordIdentity: string;
  certificateIdentity: string;
  password: string;
  publicKeyJwk: { n: string; e: string };
  /** Set for trainees provisioned as a class (pid-mock class / the admin API); USER01's live in credentials/. */
  privateKeyPem?: string;
  certificatePem?: string;
  /** ISO time the trainee was provisioned. */
  created?: string;
  /** A revoked trainee's identity handle keeps no HS_SECKEY/HS_PUBKEY, so it cannot authenticate. */
  revoked?: boolean;
}

/** What provisioning decided once and must remember across restarts (kept in the settings table). */
export interface ProvisionedState {
  prefixes: string[];
  instructor: { identity: string; password: string };
  trainees: TraineeRecord[];
  /** Identities added later with `pid-mock identity add`; kept so that a reset restores them. */
  extraIdentities?: IdentitySpec[];
  hrlsUsers: Record<string, string>;
  serverAdmins: string[];
  adminToken: string;
}

const STATE_KEY = 'provisioning';

/** Passwords from the URL-safe alphabet, so every client's percent-encoding leaves them unchanged. */
export function newSecret(bytes = 12): string {
  return randomBytes(bytes).toString('base64url').replace(/[-_]/g, 'x');
}

export function readState(store: HandleStore): ProvisionedState | undefined {
  const text = store.getSetting(STATE_KEY);
  return text ? (JSON.parse(text) as ProvisionedState) : undefined;
}

const cached = new WeakMap<HandleStore, { version: number; state: ProvisionedState }>();

/**
 * The state as stored now, parsed once per change: asked on every authorisation (server admins), and
 * changed under a running server by `pid-mock class` (another process: SQLite's data_version moves)
 * or by this process (saveState forgets the cached copy). Callers must not modify it.
 */
export function currentState(store: HandleStore): ProvisionedState | undefined {
  const version = store.dataVersion();
  const hit = cached.get(store);
  if (hit && hit.version === version) return hit.state;
  const state = readState(store);
  if (state) cached.set(store, { version, state });
  return state;
}

export function saveState(store: HandleStore, state: ProvisionedState): void {
  cached.delete(store);
  store.setSetting(STATE_KEY, JSON.stringify(state));
}

const KEY_FILES_PENDING = 'key-files-pending';

/**
 * A state import changes the store in one transaction and the self-study trainee's key files after
 * it: this marker, set inside that transaction and cleared once the files are written, tells the next
 * start (or command) that a process died in between and the files still follow the old state.
 */
export function markKeyFilesPending(store: HandleStore, operation: string): void {
  store.setSetting(KEY_FILES_PENDING, JSON.stringify({ operation, at: new Date().toISOString() }));
}

export function keyFilesPending(store: HandleStore): { operation: string; at: string } | undefined {
  const text = store.getSetting(KEY_FILES_PENDING);
  return text ? (JSON.parse(text) as { operation: string; at: string }) : undefined;
}

export function clearKeyFilesPending(store: HandleStore): void {
  // An empty setting reads as absent: the store keeps no delete for settings.
  store.setSetting(KEY_FILES_PENDING, '');
}

export function serverAdminsOf(state: ProvisionedState): ValueReference[] {
  return state.serverAdmins.map(parseValueReference);
}
