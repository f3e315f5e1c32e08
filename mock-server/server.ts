// Starts a complete mock server (state folder, TLS, provisioning, Fastify) and says where it serves;
// shared by the `pid-mock` command and by tests, which start real processes or in-process servers.
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer, type AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { HandleStore } from './storage/store.js';
import { buildApp, FULL_MOCK, PLAIN_SERVER } from './app.js';
import { applyRecords, identityHandles, provision, resetToFirstStart } from './data-folder/provisioning.js';
import { currentState, serverAdminsOf, type ProvisionedState } from './data-folder/provisioning-state.js';
import { ensureTls } from './data-folder/server-tls.js';
import { writeCredentials } from './data-folder/credentials.js';
import { seedRecords } from './fixtures/seed-records.js';
import { publicKeyJwkOfCertificate } from './handle/peer-identity.js';
import { identityNameReservation } from './handle/reserved-names.js';
import { storageKey } from './vocabulary/handle-names.js';
import { saveAddresses } from './data-folder/addresses.js';
import { dataFolderLayout } from './data-folder/layout.js';
import { lockDataFolder } from './data-folder/lock.js';
import { timeoutsFromEnv, type ConnectionTimeouts } from './http/listener.js';
import type { StuckRules } from './instructor/class-progress/model.js';
import type { HubLoginSettings } from './instructor/hub-login.js';
import type { QuotaLimits } from './handle/quotas.js';
import type { LookupBounds } from './routes/hrls.js';

export interface ServeOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Data folder; undefined with `memory`. */
  dataDir?: string | undefined;
  memory?: boolean;
  prefixes: string[];
  /** Host name trainees use in URLs (defaults to the bound host, or 127.0.0.1 for a wildcard bind). */
  publicHost?: string | undefined;
  logger?: boolean | Record<string, unknown>;
  /** Admin token to use instead of the data folder's own (PID_MOCK_ADMIN_TOKEN, e.g. a Kubernetes Secret). */
  adminToken?: string | undefined;
  /** Also serve under this path prefix (a JupyterHub service's /services/<name>/). */
  basePath?: string | undefined;
  /** Connection timeouts; unset ones come from PID_MOCK_*_TIMEOUT_MS or the defaults. */
  timeouts?: Partial<ConnectionTimeouts>;
  /** Where the instructor keeps `adminToken`, for the login page (e.g. `class/class.json` under `npm run class`). */
  adminTokenSource?: string | undefined;
  /** When a trainee counts as stuck; defaults in instructor/class-progress/model.ts. */
  stuckRules?: StuckRules | undefined;
  /** The lesson's exercise ids, so that "done" means every one of them. */
  exercises?: string[] | undefined;
  /** Trainee names kept for identities before they are provisioned (`--reserve`). */
  reservedNames?: string[] | undefined;
  /** The hub's OAuth settings when running as a JupyterHub service (instructor/hub-login.ts). */
  hubLogin?: HubLoginSettings | undefined;
  /**
   * A plain Handle.Net server (`--plain`): no mock-only part (app.ts PLAIN_SERVER), and a fresh data folder
   * gets no lesson records (warm-up PIDs, B2SAFE-style PIDs), as a real server homing one's own prefix has none.
   */
  plain?: boolean | undefined;
  /** Per-identity quotas (`--quota-*`); defaults in handle/quotas.ts. */
  quotas?: QuotaLimits | undefined;
  /** The reverse look-up's answer bounds (`--lookup-*`); defaults in routes/hrls.ts. */
  lookupBounds?: LookupBounds | undefined;
}

export interface RunningMockServer {
  app: FastifyInstance;
  store: HandleStore;
  state: ProvisionedState;
  stateDir: string;
  port: number;
  httpsUrl: string;
  httpUrl: string;
  credentialsDir: string;
  instructorDir: string;
  close(): Promise<void>;
}

export const DEFAULT_PREFIX = '21.T12995';

export async function startMockServer(options: ServeOptions): Promise<RunningMockServer> {
  const stateDir = options.memory ? mkdtempSync(join(tmpdir(), 'pid-mock-')) : resolve(options.dataDir ?? 'data');
  mkdirSync(stateDir, { recursive: true });
  const timeouts = { ...timeoutsFromEnv(), ...options.timeouts };
  // Held before the database is opened: two servers on one folder would each think a handle is free.
  const lock = options.memory ? undefined : lockDataFolder(stateDir);
  try {
    return await startOnFolder(options, stateDir, timeouts, () => lock?.release());
  } catch (error) {
    lock?.release();
    throw error;
  }
}

async function startOnFolder(options: ServeOptions, stateDir: string, timeouts: ConnectionTimeouts, releaseLock: () => void): Promise<RunningMockServer> {
  const store = HandleStore.open(options.memory ? ':memory:' : dataFolderLayout(stateDir).database);
  const publicHost = options.publicHost ?? (['0.0.0.0', '::'].includes(options.host) ? '127.0.0.1' : options.host);
  const tls = await ensureTls(
    stateDir,
    [publicHost, '127.0.0.1', '::1', ...(options.host === publicHost ? [] : [options.host])].filter((h) => !['0.0.0.0', '::'].includes(h)),
  );

  // Seed URL values and credentials name the port, so it is fixed before provisioning.
  // A port asked for as 0 is picked now, because the seed records hold the server's URL, and kept bound
  // until the server listens: released earlier, another process may take it while certificates are made.
  const reserved = options.port === 0 ? await reservePort(options.host) : undefined;
  const port = reserved?.port ?? options.port;
  const hostInUrl = publicHost.includes(':') ? `[${publicHost}]` : publicHost;
  const publicBaseUrl = `http://${hostInUrl}:${port}`;
  const lessonRecords = !options.plain;
  const state = await provision(store, stateDir, tls, { prefixes: options.prefixes, hostnames: [publicHost], publicBaseUrl, lessonRecords });
  // The roster and identities may change under a running server (`pid-mock class`, a state import).
  const current = () => currentState(store) ?? state;
  const announcedNames = new Set((options.reservedNames ?? []).map((name) => storageKey(name)));
  const adminToken = options.adminToken ?? state.adminToken;
  const httpsUrl = `https://${hostInUrl}:${port}`;
  saveAddresses(store, { httpsUrl, httpUrl: publicBaseUrl });
  const app = buildApp({
    store,
    features: options.plain ? PLAIN_SERVER : FULL_MOCK,
    tls: tls.server,
    serverAdmins: () => serverAdminsOf(current()),
    reservedNames: (handle) =>
      identityNameReservation(handle, { prefixes: current().prefixes, identityHandles: identityHandles(current()), announced: announcedNames }),
    hrlsUsers: () => current().hrlsUsers,
    adminToken,
    // The data folder's file holds the token in force, also one from PID_MOCK_ADMIN_TOKEN (writeCredentials).
    adminTokenSource: options.adminTokenSource ?? dataFolderLayout(stateDir).instructor.adminToken,
    classProgress: { stuckRules: options.stuckRules, exercises: options.exercises },
    publicBaseUrl,
    // The same one transaction as `pid-mock state reset`: a server killed mid-reset comes back either as
    // it was or freshly seeded, never emptied of the identity handles every trainee logs in with.
    reset: () => resetToFirstStart(store, publicBaseUrl, () => current(), lessonRecords),
    reseed: () => applyRecords(store, seedRecords({ prefix: current().prefixes[0]!, publicBaseUrl }), 'pid-mock'),
    site: () => siteInfo(tls.server.certPem, port),
    logger: options.logger ?? false,
    instructor: {
      stateDir,
      addresses: { httpsUrl, httpUrl: publicBaseUrl },
      afterImport: () => writeCredentials(stateDir, { ...current(), adminToken }, httpsUrl),
    },
    basePath: options.basePath,
    hubLogin: options.hubLogin,
    timeouts,
    quotas: options.quotas,
    lookupBounds: options.lookupBounds,
  });
  await reserved?.release();
  await app.listen({ host: options.host, port });
  const { credentialsDir, instructorDir } = writeCredentials(stateDir, { ...state, adminToken }, httpsUrl);
  return {
    app,
    store,
    state,
    stateDir,
    port,
    httpsUrl,
    httpUrl: publicBaseUrl,
    credentialsDir,
    instructorDir,
    close: async () => {
      await app.close();
      store.close();
      releaseLock();
      // A memory server's certificates and credentials live in a temporary folder of its own.
      if (options.memory) rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

function siteInfo(serverCertPem: string, port: number): Record<string, unknown> {
  return {
    version: 1,
    protocolVersion: '2.11',
    serialNumber: 1,
    primarySite: true,
    multiPrimary: false,
    attributes: [{ name: 'desc', value: 'pid-handson mock Handle server (offline)' }],
    servers: [
      {
        serverId: 1,
        address: '127.0.0.1',
        publicKey: { format: 'key', value: publicKeyJwkOfCertificate(serverCertPem) },
        interfaces: [{ query: true, admin: true, protocol: 'HTTP', port }],
      },
    ],
  };
}

/** A port the OS says is free now; the server binds it a moment later. */
export async function reservePort(host: string): Promise<{ port: number; release: () => Promise<void> }> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    // A client may connect meanwhile (one still trying a server that had this port before): close() waits
    // for every connection to end, so one left open would stop this server's start for good.
    probe.on('connection', (socket) => socket.destroy());
    probe.listen({ host, port: 0 }, () => {
      // Never what keeps a process alive when the start fails before the server listens.
      probe.unref();
      const { port } = probe.address() as AddressInfo;
      resolvePort({ port, release: () => new Promise<void>((done) => probe.close(() => done())) });
    });
  });
}
