// Starts two in-process mock servers set up like the real Handle.Net server the transcripts were recorded from
// (fixtures README "Server setup"): the main one, which also homes 0.NA, and the production-like variant (cases 104–111).
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../../mock-server/app.js';
import { HandleStore } from '../../../mock-server/storage/store.js';
import { applyRecords } from '../../../mock-server/data-folder/provisioning.js';
import { parseValueReference } from '../../../mock-server/vocabulary/handle-names.js';
import type { ValueReference } from '../../../mock-server/vocabulary/model.js';
import type { SeedRecord } from '../../../mock-server/fixtures/seed-records.js';
import {
  createCertificateAuthority,
  issueClientCertificate,
  issueServerCertificate,
  type PemPair,
  type RsaPublicJwk,
} from '../../../mock-server/data-folder/certificates.js';
import { publicKeyJwkOfCertificate } from '../../../mock-server/handle/peer-identity.js';

export const PREFIX = '21.T12995';
export const CLIENT_CERTIFICATE_IDENTITY = `301:${PREFIX}/USER01`;

export interface ScenarioServer {
  kind: 'main' | 'variant';
  app: FastifyInstance;
  store: HandleStore;
  port: number;
  /** `http://127.0.0.1:<port>`; HTTPS is served on the same port. */
  httpOrigin: string;
  httpsOrigin: string;
}

export interface Scenario {
  /** The CA that signed the servers' certificate and the client certificate. */
  ca: PemPair;
  /** The certificate of `301:21.T12995/USER01`, whose key is that identity's HS_PUBKEY. */
  clientCertificate: PemPair;
  main: ScenarioServer;
  variant: ScenarioServer;
  close(): Promise<void>;
}

function admin(handle: string, index: number, permissions: string): SeedRecord['values'][number] {
  return { index: 100, type: 'HS_ADMIN', data: { format: 'admin', value: { handle, index, permissions } } };
}

/** The handles both servers start with: the identities and the pre-existing record (transcripts 01, 14–15, 101). */
function identityAndExistingRecords(publicKey: RsaPublicJwk): SeedRecord[] {
  return [
    {
      handle: `${PREFIX}/USER01`,
      values: [
        admin(`0.NA/${PREFIX}`, 200, '111111111111'),
        { index: 300, type: 'HS_SECKEY', permissions: '1100', data: 'password01' },
        { index: 301, type: 'HS_PUBKEY', data: { format: 'key', value: publicKey } },
      ],
    },
    {
      handle: `${PREFIX}/USER02`,
      values: [admin(`0.NA/${PREFIX}`, 200, '111111111111'), { index: 300, type: 'HS_SECKEY', permissions: '1100', data: 'password02' }],
    },
    {
      handle: `${PREFIX}/EXISTING1`,
      values: [
        { index: 1, type: 'URL', data: 'https://example.org/existing1' },
        { index: 2, type: 'EMAIL', data: 'someone@example.org' },
        { index: 3, type: 'URL', data: 'https://example.org/existing1-mirror' },
        admin(`0.NA/${PREFIX}`, 200, '011111110011'),
      ],
    },
  ];
}

/** The prefix handle with its admin group (transcript 17); only the main server holds it. */
function prefixHandleRecord(): SeedRecord {
  return {
    handle: `0.NA/${PREFIX}`,
    values: [
      admin(`0.NA/${PREFIX}`, 200, '111111111111'),
      {
        index: 200,
        type: 'HS_VLIST',
        data: {
          format: 'vlist',
          value: [
            { handle: `0.NA/${PREFIX}`, index: 300 },
            { handle: `${PREFIX}/USER01`, index: 300 },
            { handle: `${PREFIX}/USER01`, index: 301 },
          ],
        },
      },
    ],
  };
}

interface ServerSetup {
  kind: 'main' | 'variant';
  prefixes: string[];
  records: SeedRecord[];
  serverAdmins: ValueReference[];
}

/**
 * The site object is configuration, not behaviour: it is set to what the recorded server announced
 * (transcript 93) so that /api/site compares on shape, with the mock's own key and port.
 */
function siteInfo(serverCertPem: string, port: () => number): () => Record<string, unknown> {
  return () => ({
    version: 1,
    protocolVersion: '2.11',
    serialNumber: 1,
    primarySite: true,
    multiPrimary: false,
    attributes: [{ name: 'desc', value: 'Local test handle server (offline)' }],
    servers: [
      {
        serverId: 1,
        address: '127.0.0.1',
        publicKey: { format: 'key', value: publicKeyJwkOfCertificate(serverCertPem) },
        interfaces: [
          { query: true, admin: true, protocol: 'TCP', port: 2641 },
          { query: true, admin: false, protocol: 'UDP', port: 2641 },
          { query: true, admin: true, protocol: 'HTTP', port: port() },
        ],
      },
    ],
  });
}

async function startServer(setup: ServerSetup, tls: PemPair): Promise<ScenarioServer> {
  const store = HandleStore.open(':memory:');
  const seed = () => {
    for (const prefix of setup.prefixes) store.homePrefix(prefix);
    applyRecords(store, setup.records, 'conformance');
  };
  seed();
  let port = 0;
  const app = buildApp({
    store,
    tls,
    serverAdmins: () => setup.serverAdmins,
    hrlsUsers: () => ({}),
    adminToken: randomBytes(24).toString('hex'),
    // Only the stand-in repository uses it, and no transcript touches the repository.
    publicBaseUrl: 'http://127.0.0.1',
    reset: () => {
      store.clear();
      seed();
    },
    reseed: () => applyRecords(store, setup.records, 'conformance'),
    site: siteInfo(tls.certPem, () => port),
    logger: false,
  });
  try {
    await app.listen({ host: '127.0.0.1', port: 0 });
  } catch (error) {
    store.close();
    throw error;
  }
  port = (app.server.address() as AddressInfo).port;
  return { kind: setup.kind, app, store, port, httpOrigin: `http://127.0.0.1:${port}`, httpsOrigin: `https://127.0.0.1:${port}` };
}

async function stopServer(server: ScenarioServer): Promise<void> {
  await server.app.close();
  server.store.close();
}

export async function startScenario(): Promise<Scenario> {
  const ca = await createCertificateAuthority('pid-handson conformance replay CA');
  const serverTls = await issueServerCertificate(ca, { dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
  const client = await issueClientCertificate(ca, CLIENT_CERTIFICATE_IDENTITY);
  const identities = identityAndExistingRecords(client.publicKeyJwk);
  const user01Secret = parseValueReference(`300:${PREFIX}/USER01`);
  const user01Key = parseValueReference(CLIENT_CERTIFICATE_IDENTITY);

  // The real main server also homes 0.NA (the prefix handle lives on it), so NOSLASH and 0.NA/... are its own.
  const main = await startServer(
    { kind: 'main', prefixes: ['0.NA', PREFIX], records: [prefixHandleRecord(), ...identities], serverAdmins: [user01Secret] },
    serverTls,
  );
  let variant: ScenarioServer;
  try {
    // Like production: 0.NA/21.T12995 lives at the global registry, so the variant has no prefix handle at all,
    // and 301:USER01 may create and delete only because it is a server admin there (notes of 108/109).
    variant = await startServer({ kind: 'variant', prefixes: [PREFIX], records: identities, serverAdmins: [user01Secret, user01Key] }, serverTls);
  } catch (error) {
    await stopServer(main);
    throw error;
  }
  return {
    ca,
    clientCertificate: { certPem: client.certPem, keyPem: client.keyPem },
    main,
    variant,
    close: async () => {
      await Promise.allSettled([stopServer(main), stopServer(variant)]);
    },
  };
}
