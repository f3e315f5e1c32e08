// Shared by the mock server's HTTP tests: a real server on port 0 (in memory or on a temporary data
// folder) with the credentials it wrote, undici agents for HTTPS with and without the trainee's client
// certificate, B2HANDLE-style Basic headers, and extra trainee identities made with the real CLI.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Agent, request as undiciRequest } from 'undici';
import { startMockServer, type RunningMockServer } from '../../mock-server/server.js';
import type { ConnectionTimeouts } from '../../mock-server/listener.js';

export const ROOT = resolve(__dirname, '../..');
export const PID_MOCK_BIN = join(ROOT, 'bin', 'pid-mock.cjs');
export const PREFIX = '21.T12995';
export const WARMUP_HANDLE = '11304/cf8956a2-39d3-11e5-8a18-f31aa6f4d448';
export const WARMUP_DOI = '10.3389/fgene.2013.00289';

const execFileAsync = promisify(execFile);

/** Who a request is sent as; the names the golden case files use in `request.as`. */
export type CallerName = 'anonymous' | 'trainee-basic' | 'trainee-cert' | 'instructor' | 'search-user' | 'admin-token';
export type Scheme = 'http' | 'https';

export interface BasicIdentity {
  /** `index:handle`, e.g. `300:21.T12995/USER02`. */
  identity: string;
  password: string;
}

export interface HttpResult {
  status: number;
  /** Header names in lower case; repeated headers (WWW-Authenticate) as arrays. */
  headers: Record<string, string | string[] | undefined>;
  bytes: Buffer;
  text: string;
  /** The body parsed as JSON; throws with the body in the message when it is not JSON. */
  json(): unknown;
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

/**
 * `urllib.parse.quote(text, safe='/')` as B2HANDLE applies it to the user name: UTF-8 bytes, every
 * byte outside `A-Za-z0-9_.-~/` as upper-case `%XX`.
 *
 * @example pythonQuote('300:21.T12995/USER01') // '300%3A21.T12995/USER01'
 */
export function pythonQuote(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += /^[A-Za-z0-9_.\-~/]$/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * The Authorization header a Handle server expects for an HS_SECKEY identity: the user name
 * percent-encoded like Python's quote(safe='/'), the password raw (the server does not decode it).
 *
 * @example basicHeader('300:foo/bar', 'mypassword') // 'Basic MzAwJTNBZm9vL2JhcjpteXBhc3N3b3Jk'
 */
export function basicHeader(user: string, password: string): string {
  return `Basic ${Buffer.from(`${pythonQuote(user)}:${password}`, 'utf8').toString('base64')}`;
}

/** Basic for the reverse look-up realm: Jetty compares name and password exactly as sent. */
export function realmBasicHeader(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}

function asText(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') throw new Error(`${what} is missing or not a string`);
  return value;
}

/** The mock's source files the CLI loads: main.ts and everything it imports, transitively. */
function cliSourceFiles(): string[] {
  const seen = new Set<string>();
  const visit = (relative: string): void => {
    if (seen.has(relative)) return;
    seen.add(relative);
    const source = readFileSync(join(ROOT, relative), 'utf8');
    for (const match of source.matchAll(/from\s+'(\.{1,2}\/[^']+)\.js'/g)) {
      visit(join(relative, '..', `${match[1]!}.ts`));
    }
  };
  visit(join('mock-server', 'main.ts'));
  return [...seen];
}

/**
 * Fails with instructions when the built CLI is missing or older than the sources it is made from,
 * because `bin/pid-mock.cjs` runs `dist/` and would otherwise test yesterday's code.
 */
export function assertBuilt(): void {
  const stale = cliSourceFiles().filter((relative) => {
    const built = join(ROOT, 'dist', relative.replace(/\.ts$/, '.js'));
    return !existsSync(built) || statSync(built).mtimeMs < statSync(join(ROOT, relative)).mtimeMs;
  });
  if (stale.length) {
    throw new Error(`dist/ is missing or older than ${stale.join(', ')}: run "npm run build" in ${ROOT} first`);
  }
}

export interface RunCliResult {
  stdout: string;
  stderr: string;
}

/** Runs `node bin/pid-mock.cjs <args>` and resolves with its output (rejects on a non-zero exit). */
export async function runCli(args: string[]): Promise<RunCliResult> {
  assertBuilt();
  const { stdout, stderr } = await execFileAsync(process.execPath, [PID_MOCK_BIN, ...args], { cwd: ROOT, timeout: 60_000 });
  return { stdout, stderr };
}

/**
 * Adds a password identity to a data folder with `pid-mock identity add` (works while a server runs
 * on that folder: the CLI writes the SQLite file directly, which is in WAL mode).
 *
 * @example await addIdentityWithCli(dataDir, '300:21.T12995/USER03', { adminOf: '21.T12995' })
 */
export async function addIdentityWithCli(dataDir: string, identity: string, options: { adminOf?: string } = {}): Promise<BasicIdentity> {
  const args = ['identity', 'add', identity, '--data', dataDir, ...(options.adminOf ? ['--admin-of', options.adminOf] : [])];
  const { stdout } = await runCli(args);
  const result = JSON.parse(stdout) as { identity?: unknown; password?: unknown };
  return { identity: asText(result.identity, 'identity add: identity'), password: asText(result.password, 'identity add: password') };
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
  const dataDir = options.storage === 'data-dir' ? mkdtempSync(join(tmpdir(), 'pid-mock-test-')) : undefined;
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
      // A memory server still writes its certificates and credentials to a temporary folder, and close() leaves it.
      rmSync(dataDir ?? server.stateDir, { recursive: true, force: true });
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

/** One request with undici; never follows redirects, reads the whole body. */
export async function httpRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer | undefined; dispatcher?: Agent },
): Promise<HttpResult> {
  const response = await undiciRequest(url, {
    method: (options.method ?? 'GET') as 'GET',
    headers: options.headers ?? {},
    ...(options.body !== undefined ? { body: options.body } : {}),
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
  });
  const bytes = Buffer.from(await response.body.arrayBuffer());
  const text = bytes.toString('utf8');
  return {
    status: response.statusCode,
    headers: response.headers as Record<string, string | string[] | undefined>,
    bytes,
    text,
    json: () => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new Error(`expected a JSON body, got ${response.statusCode} ${JSON.stringify(text.slice(0, 300))}`);
      }
    },
  };
}

/** A header's values as one list, whether the server sent it once or several times. */
export function headerValues(result: HttpResult, name: string): string[] {
  const value = result.headers[name.toLowerCase()];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

let uniqueCounter = 0;
/** An upper-case suffix no other test in this process uses (the server stores names upper-cased). */
export function uniqueName(stem = 'T'): string {
  uniqueCounter += 1;
  return `${stem}-${process.pid.toString(36)}${Date.now().toString(36)}${uniqueCounter}`.toUpperCase();
}

/** Every handle with its values, as stored, plus the journal length: proof that nothing changed. */
export function storeSnapshot(server: RunningMockServer): string {
  const records = server.store.allHandles().map((handle) => [
    handle,
    (server.store.getValues(handle) ?? []).map((v) => ({ ...v, data: v.data.toString('base64') })),
  ]);
  return JSON.stringify({ records, events: server.store.events({ limit: 1_000_000 }).length });
}
