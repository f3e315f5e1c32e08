// A class's whole state as one versioned JSON file: every handle record, the homed prefixes, the
// identities and roster (provisioning state) and the change journal. Export reads it in one
// transaction; import checks the whole file first and then replaces everything in one transaction,
// so a broken or foreign file changes nothing.
import { z } from 'zod';
import type { HandleStore } from '../../storage/store.js';
import { readState, saveState, type ProvisionedState } from '../../data-folder/provisioning-state.js';
import { storageKey } from '../../vocabulary/handle-names.js';
import { readTraineeKeyFiles, writeTraineeKeyFiles } from '../../data-folder/credentials.js';
import { KINDS, VERDICTS } from '../class-progress/report.js';

export const STATE_FORMAT = 'pid-handson-state';
export const STATE_VERSION = 1;

export class StateFileError extends Error {}

const jwk = z.object({ n: z.string(), e: z.string() });
const trainee = z.object({
  name: z.string(),
  passwordIdentity: z.string(),
  certificateIdentity: z.string(),
  password: z.string(),
  publicKeyJwk: jwk,
  privateKeyPem: z.string().optional(),
  certificatePem: z.string().optional(),
  created: z.string().optional(),
  revoked: z.boolean().optional(),
});
const provisioning = z.object({
  prefixes: z.array(z.string()).min(1),
  instructor: z.object({ identity: z.string(), password: z.string() }),
  trainees: z.array(trainee),
  extraIdentities: z
    .array(z.object({ identity: z.string(), password: z.string().optional(), publicKeyJwk: jwk.optional(), adminOf: z.array(z.string()) }))
    .optional(),
  hrlsUsers: z.record(z.string(), z.string()),
  serverAdmins: z.array(z.string()),
});
const value = z.object({
  index: z.number().int(),
  type: z.string(),
  data: z.string({ error: 'must be the value bytes in base64' }),
  ttlType: z.union([z.literal(0), z.literal(1)]),
  ttl: z.number().int(),
  timestamp: z.number().int(),
  references: z.array(z.object({ handle: z.string(), index: z.number().int() })),
  adminRead: z.boolean(),
  adminWrite: z.boolean(),
  publicRead: z.boolean(),
  publicWrite: z.boolean(),
});
const event = z.object({
  id: z.number().int().positive(),
  at: z.string(),
  actor: z.string(),
  action: z.enum(['create', 'replace', 'add-values', 'remove-values', 'delete']),
  handle: z.string(),
  detail: z.object({ indexes: z.array(z.number().int()), types: z.array(z.string()) }),
  // The record before and after the change, for the history page; absent for entries journalled
  // before values were kept.
  before: z.array(value).optional(),
  after: z.array(value).optional(),
});
// The verdicts trainees' checks reported (class progress); absent in files exported before it existed.
const progressReport = z
  .object({
    trainee: z.string().min(1),
    exercise: z.string().min(1),
    kind: z.enum(KINDS),
    verdict: z.enum(VERDICTS),
    attempt: z.number().int().min(1),
    at: z.string(),
    received: z.string(),
  })
  .strict();
const stateFile = z.object({
  format: z.literal(STATE_FORMAT),
  version: z.literal(STATE_VERSION),
  exportedAt: z.string(),
  prefixes: z.array(z.string()),
  provisioning,
  handles: z.array(z.object({ handle: z.string(), values: z.array(value) })),
  events: z.array(event),
  progress: z.array(progressReport).optional(),
});
export type StateFile = z.infer<typeof stateFile>;

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

/** Checks a parsed file against the schema; the message names the first fields that are wrong. */
export function checkStateFile(input: unknown): StateFile {
  if (input && typeof input === 'object') {
    const { format, version } = input as { format?: unknown; version?: unknown };
    if (format !== STATE_FORMAT) throw new StateFileError(`not a pid-handson state file: "format" is ${JSON.stringify(format)}, expected "${STATE_FORMAT}"`);
    if (version !== STATE_VERSION) {
      throw new StateFileError(`state file version ${JSON.stringify(version)} is not supported: this pid-mock reads version ${STATE_VERSION}`);
    }
  }
  const parsed = stateFile.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`);
    throw new StateFileError(`the state file does not match version ${STATE_VERSION} of the format: ${problems.join('; ')}`);
  }
  const seen = new Set<string>();
  for (const record of parsed.data.handles) {
    const key = storageKey(record.handle);
    if (seen.has(key)) throw new StateFileError(`the state file holds handle ${record.handle} twice`);
    seen.add(key);
    const indexes = new Set<number>();
    for (const v of record.values) {
      if (indexes.has(v.index)) throw new StateFileError(`the state file holds index ${v.index} of ${record.handle} twice`);
      indexes.add(v.index);
    }
  }
  return parsed.data;
}

export function parseStateText(text: string): StateFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new StateFileError(`the state file is not valid JSON (${(error as Error).message})`);
  }
  return checkStateFile(json);
}

/**
 * Replaces the store's whole state with the file's. The current admin token is kept; the
 * self-study trainee's key files are written back where `pid-mock serve` expects them.
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
    for (const t of file.provisioning.trainees) {
      if (t.privateKeyPem && t.certificatePem) {
        writeTraineeKeyFiles(stateDir, t.name, { keyPem: t.privateKeyPem, certPem: t.certificatePem }, { onlyIfPresent: true });
      }
    }
  }
  return counts;
}
