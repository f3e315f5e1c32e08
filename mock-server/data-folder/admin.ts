// Offline management of a data folder for `pid-mock identity add` and `pid-mock prefix add`: the
// changes go straight into the folder's SQLite file, so they work whether or not a server is running.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DataFolderError, withDataFolder } from './open.js';
import { identityKeyFileNames } from './layout.js';
import { applyRecords, baseRecords } from './provisioning.js';
import { newSecret, saveState, type IdentitySpec } from './provisioning-state.js';
import { readCertificateAuthority } from './server-tls.js';
import { bareprefix, parseValueReference, prefixHandle, prefixOf, storageKey } from '../vocabulary/handle-names.js';
import { issueClientCertificate } from './certificates.js';

export { DataFolderError };

export interface AddIdentityOptions {
  identity: string;
  password?: string | undefined;
  certDir?: string | undefined;
  adminOf?: string | undefined;
}

/**
 * Adds an identity to the state (so a reset keeps it) and writes the records it changes: its own
 * handle and, with `adminOf`, the admin group on that prefix's handle.
 */
export async function addIdentity(dataDir: string, options: AddIdentityOptions) {
  const reference = parseValueReference(options.identity);
  if (reference.index <= 0 || !reference.handle.includes('/')) {
    throw new DataFolderError(`identity must look like 300:21.T12995/USER02 (index > 0, then a handle), not "${options.identity}"`);
  }
  if (options.password !== undefined && options.certDir !== undefined) {
    throw new DataFolderError('give either --password or --cert: one identity index holds one credential');
  }
  return withDataFolder(dataDir, async (store, dir, state) => {
    const prefix = prefixOf(reference.handle);
    if (!store.isHomed(prefix)) {
      throw new DataFolderError(`prefix ${prefix} is not homed on this server: add it first with "pid-mock prefix add ${prefix}"`);
    }
    if (options.adminOf !== undefined && !store.isHomed(bareprefix(options.adminOf))) {
      throw new DataFolderError(`--admin-of ${options.adminOf}: that prefix is not homed on this server`);
    }
    const identity = `${reference.index}:${reference.handle}`;
    const spec: IdentitySpec = { identity, adminOf: options.adminOf !== undefined ? [bareprefix(options.adminOf)] : [] };
    const result: Record<string, string> = { identity };
    if (options.certDir !== undefined) {
      const issued = await issueClientCertificate(readCertificateAuthority(dir), identity);
      const out = resolve(options.certDir);
      mkdirSync(out, { recursive: true });
      const names = identityKeyFileNames(reference.handle, reference.index);
      result.certificate = join(out, names.cert);
      result.privateKey = join(out, names.key);
      writeFileSync(result.certificate, issued.certPem);
      writeFileSync(result.privateKey, issued.keyPem, { mode: 0o600 });
      spec.publicKeyJwk = { n: issued.publicKeyJwk.n, e: issued.publicKeyJwk.e };
    } else {
      result.password = options.password ?? newSecret();
      spec.password = result.password;
    }
    const sameIdentity = (i: IdentitySpec) => storageKey(i.identity) === storageKey(identity);
    state.extraIdentities = [...(state.extraIdentities ?? []).filter((i) => !sameIdentity(i)), spec];
    const touched = new Set([storageKey(reference.handle), ...spec.adminOf.map((p) => storageKey(prefixHandle(p)))]);
    store.transaction(() => {
      saveState(store, state);
      applyRecords(
        store,
        baseRecords(state).filter((r) => touched.has(storageKey(r.handle))),
        'pid-mock identity add',
      );
    });
    return result;
  });
}

export function addPrefix(dataDir: string, prefixName: string) {
  const prefix = bareprefix(prefixName);
  if (!/^[0-9A-Za-z.]+$/.test(prefix)) throw new DataFolderError(`a prefix looks like 21.T12995, not "${prefixName}"`);
  return withDataFolder(dataDir, (store, _dir, state) => {
    if (!state.prefixes.some((p) => storageKey(p) === storageKey(prefix))) {
      state.prefixes.push(prefix);
      saveState(store, state);
    }
    store.homePrefix(prefix);
    const record = baseRecords(state).find((r) => r.handle === prefixHandle(prefix));
    if (record && !store.exists(record.handle)) applyRecords(store, [record], 'pid-mock prefix add');
    return { prefix, prefixHandle: prefixHandle(prefix), homed: store.homedPrefixes() };
  });
}
