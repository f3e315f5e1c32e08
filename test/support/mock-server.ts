// The mock server in this test process, on port 0 (in memory or on a temporary data folder), with the
// credentials it wrote and undici agents for HTTPS with and without the trainee's client certificate:
// what the mock server's HTTP tests and the reliability suite talk to.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Agent } from 'undici';
import { startMockServer, type RunningMockServer } from '../../mock-server/server.js';
import type { ConnectionTimeouts } from '../../mock-server/http/listener.js';
import { basicHeader, httpRequest, realmBasicHeader, type HttpResult } from './http.js';
import { removeTemporaryFolder, temporaryFolder } from './temporary-folders.js';

export const PREFIX = '21.T12995';
export const WARMUP_HANDLE = '11304/cf8956a2-39d3-11e5-8a18-f31aa6f4d448';
export const WARMUP_DOI = '10.3389/fgene.2013.00289';

/** Who a request is sent as; the names the golden case files use in `request.as`. */
export type CallerName = 'anonymous' | 'trainee-basic' | 'trainee-cert' | 'instructor' | 'search-user' | 'admin-token';
export type Scheme = 'http' | 'https';

export interface BasicIdentity {
  /** `index:handle`, e.g. `300:21.T12995/USER02`. */
  identity: string;
  password: string;
}

export interface TestRequest {
  method?: string;
  /** Path and query, exactly as sent (no re-encoding). */
  path: string;
  scheme?: Scheme;
  headers?: Record<string, string>;
  /** A string or bytes go out as they are; anything else is sent as JSON. */
  body?: unknown;
  as?: CallerName;
}

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

function asText(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') throw new Error(`${what} is missing or not a string`);
  return value;
}

export interface TestServer {
  server: RunningMockServer;
  /** The temporary data folder, or undefined for an in-memory server. */
  dataDir: string | undefined;
  prefix: string;
  /** USER01's password identity (cred_basic.json). */
  trainee: BasicIdentity;
  /** USER01's certificate identity, `301:21.T12995/USER01`. */
  traineeCertificateIdentity: string;
  instructor: BasicIdentity;
  /** The reverse look-up realm user of the credentials files. */
  searchUser: { name: string; password: string };
  adminToken: string;
  caPem: string;
  /** HTTPS, trusting the server's CA, presenting no client certificate. */
  tlsAgent: Agent;
  /** HTTPS with the trainee's client certificate (cred_file.json). */
  certAgent: Agent;
  /** Plain HTTP. */
  httpAgent: Agent;
  url(scheme: Scheme, path: string): string;
  request(options: TestRequest): Promise<HttpResult>;
  close(): Promise<void>;
}

export interface StartOptions {
  /** 'memory' (default) or a fresh temporary data folder, needed for CLI identity changes. */
  storage?: 'memory' | 'data-dir';
  /** Short connection timeouts for slow-client tests. */
  timeouts?: Partial<ConnectionTimeouts>;
}

/**
 * Starts a mock server in-process on 127.0.0.1, port 0, with the lesson's prefix, and reads the
 * credentials it wrote, exactly as a trainee or instructor would find them.
 */
export async function startTestServer(options: StartOptions = {}): Promise<TestServer> {
  const dataDir = options.storage === 'data-dir' ? temporaryFolder('pid-mock-test-') : undefined;
  const server = await startMockServer({
    host: '127.0.0.1',
    port: 0,
    ...(dataDir ? { dataDir } : { memory: true }),
    prefixes: [PREFIX],
    logger: false,
    ...(options.timeouts ? { timeouts: options.timeouts } : {}),
  });
  const basic = readJson(join(server.credentialsDir, 'cred_basic.json'));
  const certificate = readJson(join(server.credentialsDir, 'cred_file.json'));
  const instructor = readJson(join(server.instructorDir, 'cred_instructor.json'));
  const caPem = readFileSync(join(server.credentialsDir, 'ca.pem'), 'utf8');
  const certPath = resolve(server.credentialsDir, asText(certificate.certificate_only, 'cred_file.json certificate_only'));
  const keyPath = resolve(server.credentialsDir, asText(certificate.private_key, 'cred_file.json private_key'));

  const tlsAgent = new Agent({ connect: { ca: caPem } });
  const certAgent = new Agent({ connect: { ca: caPem, cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') } });
  const httpAgent = new Agent();

  const t: TestServer = {
    server,
    dataDir,
    prefix: PREFIX,
    trainee: { identity: asText(basic.username, 'cred_basic.json username'), password: asText(basic.password, 'cred_basic.json password') },
    traineeCertificateIdentity: `301:${PREFIX}/USER01`,
    instructor: {
      identity: asText(instructor.username, 'cred_instructor.json username'),
      password: asText(instructor.password, 'cred_instructor.json password'),
    },
    searchUser: {
      name: asText(basic.reverselookup_username, 'reverselookup_username'),
      password: asText(basic.reverselookup_password, 'reverselookup_password'),
    },
    adminToken: readFileSync(join(server.instructorDir, 'admin-token'), 'utf8').trim(),
    caPem,
    tlsAgent,
    certAgent,
    httpAgent,
    url: (scheme, path) => `${scheme === 'https' ? server.httpsUrl : server.httpUrl}${path}`,
    request: (req) => sendRequest(t, req),
    close: async () => {
      await Promise.all([tlsAgent.close(), certAgent.close(), httpAgent.close()]);
      await server.close();
      // A memory server removes its own temporary folder on close.
      if (dataDir) removeTemporaryFolder(dataDir);
    },
  };
  return t;
}

function authorizationFor(t: TestServer, as: CallerName | undefined, method: string): string | undefined {
  switch (as) {
    case undefined:
    case 'anonymous':
      return undefined;
    case 'trainee-basic':
      return basicHeader(t.trainee.identity, t.trainee.password);
    case 'instructor':
      return basicHeader(t.instructor.identity, t.instructor.password);
    case 'search-user':
      return realmBasicHeader(t.searchUser.name, t.searchUser.password);
    case 'admin-token':
      return `Bearer ${t.adminToken}`;
    case 'trainee-cert':
      // As B2HANDLE: the header asks for certificate authentication on writes; GETs carry none.
      return ['GET', 'HEAD'].includes(method) ? undefined : 'Handle clientCert="true"';
  }
}

async function sendRequest(t: TestServer, req: TestRequest): Promise<HttpResult> {
  const method = (req.method ?? 'GET').toUpperCase();
  const scheme = req.scheme ?? 'https';
  if (req.as === 'trainee-cert' && scheme !== 'https') throw new Error('a client certificate needs scheme https');
  const headers: Record<string, string> = {};
  const authorization = authorizationFor(t, req.as, method);
  if (authorization) headers.authorization = authorization;
  let body: string | Buffer | undefined;
  if (req.body !== undefined) {
    if (typeof req.body === 'string' || Buffer.isBuffer(req.body)) {
      body = req.body;
    } else {
      body = JSON.stringify(req.body);
      headers['content-type'] = 'application/json';
    }
  }
  for (const [name, value] of Object.entries(req.headers ?? {})) headers[name.toLowerCase()] = value;
  const dispatcher = scheme === 'http' ? t.httpAgent : req.as === 'trainee-cert' ? t.certAgent : t.tlsAgent;
  return httpRequest(t.url(scheme, req.path), { method, headers, body, dispatcher });
}

let uniqueCounter = 0;
/** An upper-case suffix no other test in this process uses (the server stores names upper-cased). */
export function uniqueName(stem = 'T'): string {
  uniqueCounter += 1;
  return `${stem}-${process.pid.toString(36)}${Date.now().toString(36)}${uniqueCounter}`.toUpperCase();
}

/** Every handle with its values, as stored, plus the journal length: proof that nothing changed. */
export function storeSnapshot(server: RunningMockServer): string {
  const records = server.store
    .allHandles()
    .map((handle) => [handle, (server.store.getValues(handle) ?? []).map((v) => ({ ...v, data: v.data.toString('base64') }))]);
  return JSON.stringify({ records, events: server.store.events({ limit: 1_000_000 }).length });
}
