// Offline management of a data folder for `pid-mock identity add` and `pid-mock prefix add`: the
// changes go straight into the folder's SQLite file, so they work whether or not a server is running.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { HandleStore } from './store.js';
import { applyRecords, baseRecords, newSecret, readState, saveState } from './provisioning.js';
import { bareprefix, parseValueReference, prefixHandle, prefixOf, storageKey } from './handle-names.js';
import { decodeVlist, valueToJson } from './value-codec.js';
import { issueClientCertificate } from './tls.js';
import type { SeedValue } from './fixtures/seed-records.js';

export class DataFolderError extends Error {}

function openProvisioned(dataDir: string) {
  const dir = resolve(dataDir);
  const file = join(dir, 'handles.sqlite');
  if (!existsSync(file)) {
    throw new DataFolderError(`${dir} is not a pid-mock data folder yet: run "pid-mock serve --data ${dataDir}" once to create it`);
  }
  const store = HandleStore.open(file);
  const state = readState(store);
  if (!state) {
    store.close();
    throw new DataFolderError(`${dir} was never provisioned: run "pid-mock serve --data ${dataDir}" once`);
  }
  return { dir, store, state };
}

function asSeedValues(values: ReturnType<HandleStore['getValues']>): SeedValue[] {
  return (values ?? []).map((v) => {
    const json = valueToJson(v);
    return { index: json.index, type: json.type, data: json.data, ...(json.permissions ? { permissions: json.permissions } : {}) };
  });
}

export interface AddIdentityOptions {
  identity: string;
  password?: string | undefined;
  certDir?: string | undefined;
  adminOf?: string | undefined;
}

export async function addIdentity(dataDir: string, options: AddIdentityOptions) {
  const reference = parseValueReference(options.identity);
  if (reference.index <= 0 || !reference.handle.includes('/')) {
    throw new DataFolderError(`identity must look like 300:21.T12995/USER02 (index > 0, then a handle), not "${options.identity}"`);
  }
  if (options.password !== undefined && options.certDir !== undefined) {
    throw new DataFolderError('give either --password or --cert: one identity index holds one credential');
  }
  const { dir, store } = openProvisioned(dataDir);
  try {
    const prefix = prefixOf(reference.handle);
    if (!store.isHomed(prefix)) {
      throw new DataFolderError(`prefix ${prefix} is not homed on this server: add it first with "pid-mock prefix add ${prefix}"`);
    }
    const values = asSeedValues(store.getValues(reference.handle)).filter((v) => v.index !== reference.index);
    if (!values.some((v) => v.type === 'HS_ADMIN')) {
      values.push({ index: 100, type: 'HS_ADMIN', data: { format: 'admin', value: { handle: prefixHandle(prefix), index: 200, permissions: '011111110011' } } });
    }
    const result: Record<string, string> = { identity: `${reference.index}:${reference.handle}` };
    if (options.certDir !== undefined) {
      const ca = { certPem: readFileSync(join(dir, 'tls', 'ca.pem'), 'utf8'), keyPem: readFileSync(join(dir, 'tls', 'ca-key.pem'), 'utf8') };
      const issued = await issueClientCertificate(ca, result.identity!);
      const out = resolve(options.certDir);
      mkdirSync(out, { recursive: true });
      const safeName = reference.handle.replace(/[^A-Za-z0-9.-]+/g, '_');
      result.certificate = join(out, `${safeName}_${reference.index}_certificate_only.pem`);
      result.privateKey = join(out, `${safeName}_${reference.index}_privkey.pem`);
      writeFileSync(result.certificate, issued.certPem);
      writeFileSync(result.privateKey, issued.keyPem, { mode: 0o600 });
      values.push({ index: reference.index, type: 'HS_PUBKEY', data: { format: 'key', value: issued.publicKeyJwk } });
    } else {
      result.password = options.password ?? newSecret();
      values.push({ index: reference.index, type: 'HS_SECKEY', permissions: '1100', data: result.password });
    }
    store.transaction(() => {
      applyRecords(store, [{ handle: reference.handle, values: values.sort((a, b) => a.index - b.index) }], 'pid-mock identity add');
      if (options.adminOf !== undefined) addToAdminGroup(store, options.adminOf, reference);
    });
    return result;
  } finally {
    store.close();
  }
}

function addToAdminGroup(store: HandleStore, prefix: string, member: { index: number; handle: string }): void {
  const groupHandle = prefixHandle(prefix);
  const values = store.getValues(groupHandle);
  const group = values?.find((v) => v.index === 200 && v.type === 'HS_VLIST');
  if (!values || !group) throw new DataFolderError(`${groupHandle} has no admin group at index 200: is ${bareprefix(prefix)} homed here?`);
  const members = decodeVlist(group.data) ?? [];
  if (!members.some((m) => m.index === member.index && storageKey(m.handle) === storageKey(member.handle))) members.push(member);
  const seedValues = asSeedValues(values).map((v) => (v.index === 200 ? { ...v, data: { format: 'vlist', value: members } } : v));
  applyRecords(store, [{ handle: groupHandle, values: seedValues }], 'pid-mock identity add');
}

export function addPrefix(dataDir: string, prefixName: string) {
  const prefix = bareprefix(prefixName);
  if (!/^[0-9A-Za-z.]+$/.test(prefix)) throw new DataFolderError(`a prefix looks like 21.T12995, not "${prefixName}"`);
  const { store, state } = openProvisioned(dataDir);
  try {
    if (!state.prefixes.some((p) => storageKey(p) === storageKey(prefix))) {
      state.prefixes.push(prefix);
      saveState(store, state);
    }
    store.homePrefix(prefix);
    const record = baseRecords(state, {}).find((r) => r.handle === prefixHandle(prefix));
    if (record && !store.exists(record.handle)) applyRecords(store, [record], 'pid-mock prefix add');
    return { prefix, prefixHandle: prefixHandle(prefix), homed: store.homedPrefixes() };
  } finally {
    store.close();
  }
}
