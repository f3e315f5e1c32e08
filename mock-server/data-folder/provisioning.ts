// First-start set-up of a mock server's state: certificate authority and server certificate, homed
// prefixes with their prefix handles and admin groups, the instructor and trainee identities, the
// seed records, and the credentials files trainees load (B2HANDLE's keys).
import { mkdirSync, readFileSync, writeFileSync, existsSync, chmodSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { HandleStore } from '../storage/store.js';
import type { StoredValue, ValueReference } from '../vocabulary/model.js';
import { parseValueInput, sameContent } from '../handle/value-codec.js';
import { clientPath } from './credentials.js';
import { bareprefix, parseValueReference, prefixHandle, prefixOf, storageKey } from '../vocabulary/handle-names.js';
import { createCertificateAuthority, issueClientCertificate, issueServerCertificate, type PemPair } from './certificates.js';
import { seedRecords, WARMUP_DOI, WARMUP_HANDLE, type SeedRecord, type SeedValue } from '../fixtures/seed-records.js';

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

export interface ServerTls {
  ca: PemPair;
  server: PemPair;
}

const STATE_KEY = 'provisioning';
const WARMUP_PREFIXES = [WARMUP_HANDLE.split('/')[0]!, WARMUP_DOI.split('/')[0]!];

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
  const version = store.sql().pragma('data_version', { simple: true }) as number;
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

export function serverAdminsOf(state: ProvisionedState): ValueReference[] {
  return state.serverAdmins.map(parseValueReference);
}

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

function certificatePaths(stateDir: string, trainee: string): { cert: string; key: string } {
  return { cert: join(stateDir, 'credentials', `${trainee}_certificate_only.pem`), key: join(stateDir, 'credentials', `${trainee}_privkey.pem`) };
}

/** Every identity of the state: the trainees' passwords and certificates, and those added later. */
export function identitiesOf(state: ProvisionedState): IdentitySpec[] {
  const main = state.prefixes[0]!;
  return [
    ...state.trainees.filter((t) => !t.revoked).flatMap((t) => {
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
export function baseRecords(state: ProvisionedState): SeedRecord[] {
  const main = state.prefixes[0]!;
  const instructor = parseValueReference(state.instructor.identity);
  const identities = identitiesOf(state);
  const records: SeedRecord[] = [];
  for (const prefix of [...state.prefixes, ...WARMUP_PREFIXES]) {
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

export interface ProvisionOptions {
  prefixes: string[];
  /** Host names and addresses the server certificate must be valid for, besides localhost. */
  hostnames: string[];
}

/** Loads the TLS material of a state folder, creating CA and server certificate on first start. */
export async function ensureTls(stateDir: string, hostnames: string[]): Promise<ServerTls> {
  const dir = join(stateDir, 'tls');
  mkdirSync(dir, { recursive: true });
  const files = { caCert: join(dir, 'ca.pem'), caKey: join(dir, 'ca-key.pem'), cert: join(dir, 'server.pem'), key: join(dir, 'server-key.pem') };
  if (!existsSync(files.caCert)) {
    const ca = await createCertificateAuthority('pid-handson local certificate authority');
    writeFileSync(files.caKey, ca.keyPem, { mode: 0o600 });
    writeFileSync(files.caCert, ca.certPem);
  }
  const ca = { certPem: readFileSync(files.caCert, 'utf8'), keyPem: readFileSync(files.caKey, 'utf8') };
  const namesFile = join(dir, 'server-names.json');
  const wanted = JSON.stringify([...new Set(hostnames)].sort());
  if (!existsSync(files.cert) || !existsSync(namesFile) || readFileSync(namesFile, 'utf8') !== wanted) {
    const ips = hostnames.filter((h) => /^[\d.]+$|:/.test(h));
    const dns = hostnames.filter((h) => !ips.includes(h));
    const server = await issueServerCertificate(ca, { dnsNames: ['localhost', ...dns], ipAddresses: ips });
    writeFileSync(files.key, server.keyPem, { mode: 0o600 });
    writeFileSync(files.cert, server.certPem);
    writeFileSync(namesFile, wanted);
  }
  return { ca, server: { certPem: readFileSync(files.cert, 'utf8'), keyPem: readFileSync(files.key, 'utf8') } };
}

/** Rebuilds identities and prefix handles, and the seeds, for a new or reset server. */
export function applyInitialRecords(store: HandleStore, stateDir: string, state: ProvisionedState, publicBaseUrl: string): void {
  for (const prefix of ['0.NA', ...state.prefixes, ...WARMUP_PREFIXES]) store.homePrefix(prefix);
  applyRecords(store, baseRecords(state), 'pid-mock');
  applyRecords(store, seedRecords({ prefix: state.prefixes[0]!, publicBaseUrl }), 'pid-mock');
}

/** First start: decide identities and secrets, issue the trainee certificate, write the records. */
export async function provision(
  store: HandleStore,
  stateDir: string,
  tls: ServerTls,
  options: ProvisionOptions & { publicBaseUrl: string },
): Promise<ProvisionedState> {
  const existing = readState(store);
  if (existing) {
    // Prefixes named on a later start are homed too, with their prefix handles.
    const added = options.prefixes.map(bareprefix).filter((p) => !existing.prefixes.some((q) => storageKey(q) === storageKey(p)));
    if (added.length) {
      existing.prefixes.push(...added);
      saveState(store, existing);
      for (const p of added) store.homePrefix(p);
      applyRecords(store, baseRecords(existing).filter((r) => added.some((p) => r.handle === prefixHandle(p))), 'pid-mock');
    }
    // Data folders provisioned before identities were instructor-only are brought up to date.
    reconcileIdentityRecords(store, existing, 'pid-mock migration');
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
  mkdirSync(join(stateDir, 'credentials'), { recursive: true });
  const paths = certificatePaths(stateDir, trainee.name);
  writeFileSync(paths.key, client.keyPem, { mode: 0o600 });
  writeFileSync(paths.cert, client.certPem);
  saveState(store, state);
  applyInitialRecords(store, stateDir, state, options.publicBaseUrl);
  return state;
}

/**
 * Writes the credentials files for the current server URL (rewritten on every start, since the
 * port may change): `cred_file.json` for a client certificate, `cred_basic.json` for a password, and
 * the instructor's own file and admin token outside the folder shared with trainees.
 */
export function writeCredentials(stateDir: string, state: ProvisionedState, handleServerUrl: string): { credentialsDir: string; instructorDir: string } {
  const credentialsDir = join(stateDir, 'credentials');
  const instructorDir = join(stateDir, 'instructor');
  mkdirSync(credentialsDir, { recursive: true });
  mkdirSync(instructorDir, { recursive: true, mode: 0o700 });
  const caPath = join(credentialsDir, 'ca.pem');
  writeFileSync(caPath, readFileSync(join(stateDir, 'tls', 'ca.pem')));
  const main = state.prefixes[0]!;
  const [searchUser, searchPassword] = Object.entries(state.hrlsUsers)[0] ?? ['', ''];
  const common = {
    handle_server_url: handleServerUrl,
    prefix: main,
    handleowner: `200:${prefixHandle(main)}`,
    reverselookup_username: searchUser,
    reverselookup_password: searchPassword,
    // B2HANDLE hands this path to `requests` as is, so it must be absolute.
    HTTPS_verify: clientPath(caPath, credentialsDir),
  };
  const trainee = state.trainees[0]!;
  const cert = certificatePaths(stateDir, trainee.name);
  const write = (path: string, content: unknown, mode = 0o644) => {
    writeFileSync(path, `${JSON.stringify(content, null, 2)}\n`, { mode });
    chmodSync(path, mode);
  };
  // Absolute, because B2HANDLE hands them to `requests` unchanged, which resolves them against the working folder.
  write(join(credentialsDir, 'cred_file.json'), {
    ...common,
    private_key: clientPath(cert.key, credentialsDir),
    certificate_only: clientPath(cert.cert, credentialsDir),
  });
  write(join(credentialsDir, 'cred_basic.json'), { ...common, username: trainee.passwordIdentity, password: trainee.password });
  write(join(instructorDir, 'cred_instructor.json'), { ...common, username: state.instructor.identity, password: state.instructor.password }, 0o600);
  writeFileSync(join(instructorDir, 'admin-token'), `${state.adminToken}\n`, { mode: 0o600 });
  return { credentialsDir, instructorDir };
}
