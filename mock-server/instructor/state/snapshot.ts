// A class's whole state as one versioned JSON file: every handle record, the homed prefixes, the
// identities and roster (provisioning state) and the change journal. Export reads it in one
// transaction; import checks the whole file first and then replaces everything in one transaction,
// so a broken or foreign file changes nothing.
import type { HandleStore } from '../../storage/store.js';
import { clearKeyFilesPending, markKeyFilesPending, readState, saveState, type ProvisionedState } from '../../data-folder/provisioning-state.js';
import { readTraineeKeyFiles, writeStateKeyFiles } from '../../data-folder/credentials.js';
import { STATE_FORMAT, STATE_VERSION, StateFileError, type StateFile } from './schema.js';

/**
 * The state of a store. The admin token stays out (it belongs to the server, not the class); the
 * self-study trainee's key and certificate, kept as files, are put in so the file is complete.
 */
export function exportState(store: HandleStore, stateDir: string | undefined): StateFile {
  return store.transaction(() => {
    const state = readState(store);
    if (!state) throw new StateFileError('this data folder was never provisioned: nothing to export');
    const { adminToken: _token, ...rest } = state;
    const trainees = rest.trainees.map((t) => {
      if (t.privateKeyPem || !stateDir) return t;
      const files = readTraineeKeyFiles(stateDir, t.name);
      return files ? { ...t, privateKeyPem: files.key, certificatePem: files.cert } : t;
    });
    const contents = store.exportContents();
    return {
      format: STATE_FORMAT,
      version: STATE_VERSION,
      exportedAt: new Date().toISOString(),
      prefixes: contents.prefixes,
      provisioning: { ...rest, trainees },
      handles: contents.handles,
      events: contents.events,
      progress: store.progressReports().map(({ id: _id, ...report }) => report),
    } as StateFile;
  });
}

/**
 * Replaces the store's whole state with a file checked by checkStateFile. The current admin token is
 * kept; the self-study trainee's key files are written back where `pid-mock serve` expects them,
 * after the transaction, under a marker set inside it (provisioning-state.ts): a process killed in
 * between leaves the marker, and the next start writes the files.
 */
export function importState(
  store: HandleStore,
  stateDir: string | undefined,
  file: StateFile,
): { handles: number; events: number; trainees: number; progressReports: number } {
  // IMMEDIATE: the write lock first, so a server committing meanwhile cannot invalidate what was read.
  const counts = store.atomically(() => {
    const current = readState(store);
    store.replaceContents({ handles: file.handles, events: file.events, prefixes: file.prefixes });
    store.replaceProgress(file.progress ?? []);
    const next: ProvisionedState = { ...file.provisioning, adminToken: current?.adminToken ?? '' } as ProvisionedState;
    saveState(store, next);
    if (stateDir) markKeyFilesPending(store, 'import');
    return {
      handles: file.handles.length,
      events: file.events.length,
      trainees: file.provisioning.trainees.length,
      progressReports: file.progress?.length ?? 0,
    };
  });
  // This connection's own writes do not bump SQLite's data_version: homing again refreshes its prefix cache.
  for (const p of file.prefixes) store.homePrefix(p);
  if (stateDir) {
    writeStateKeyFiles(stateDir, file.provisioning);
    clearKeyFilesPending(store);
  }
  return counts;
}
