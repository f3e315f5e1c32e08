// The mock server as a real `pid-mock` process: `serve` on a free loopback port, waiting for its
// "ready" line (on a fresh data folder for client, CLI and notebook tests, or on a folder that outlives
// it for tests that SIGKILL a server and start another), and the CLI's one-shot commands.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Agent } from 'undici';
import { basicHeader } from './http.js';
import type { BasicIdentity } from './mock-server.js';
import { assertBuilt, assertDistExists, PID_MOCK_BIN, ROOT } from './paths.js';
import { stopChild } from './processes.js';
import { removeTemporaryFolder, temporaryFolder } from './temporary-folders.js';

const execFileAsync = promisify(execFile);

export interface MockProcess {
  port: number;
  dataDir: string;
  httpsUrl: string;
  httpUrl: string;
  credentialsFile: string;
  basicCredentialsFile: string;
  instructorCredentialsFile: string;
  caFile: string;
  adminToken: string;
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * The port a spawned `pid-mock serve --port 0` announces, once its "ready" line is out; the benchmarks
 * start their measured servers through it too.
 */
export function readyPort(child: ChildProcess, timeoutMs: number, stderr: () => string = () => ''): Promise<number> {
  let stdout = '';
  return new Promise<number>((resolvePort, reject) => {
    const timer = setTimeout(() => reject(new Error(`pid-mock did not get ready within ${timeoutMs / 1000} s:\n${stdout}\n${stderr()}`)), timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /on port (\d+)[\s\S]*\nready\n/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolvePort(Number(match[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`pid-mock exited with ${code} before ready:\n${stdout}\n${stderr()}`));
    });
  });
}

/**
 * Spawns `node bin/pid-mock.cjs serve --port 0` on a fresh data folder (`--plain` too with `plain`); needs a
 * build (`npm run build`) first.
 */
export async function startMockProcess(options: { prefixes?: string[]; plain?: boolean } = {}): Promise<MockProcess> {
  assertDistExists();
  const dataDir = temporaryFolder('pid-mock-test-');
  const args = [
    'bin/pid-mock.cjs',
    'serve',
    '--data',
    dataDir,
    '--port',
    '0',
    ...(options.prefixes ?? []).flatMap((p) => ['--prefix', p]),
    ...(options.plain ? ['--plain'] : []),
  ];
  const child: ChildProcess = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // A server that never got ready is not left behind: it would keep the test's process (and the run) waiting.
  const port = await readyPort(child, 30_000, () => stderr).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  const credentials = join(dataDir, 'credentials');
  return {
    port,
    dataDir,
    httpsUrl: `https://127.0.0.1:${port}`,
    httpUrl: `http://127.0.0.1:${port}`,
    credentialsFile: join(credentials, 'cred_file.json'),
    basicCredentialsFile: join(credentials, 'cred_basic.json'),
    instructorCredentialsFile: join(dataDir, 'instructor', 'cred_instructor.json'),
    caFile: join(credentials, 'ca.pem'),
    adminToken: readFileSync(join(dataDir, 'instructor', 'admin-token'), 'utf8').trim(),
    stderr: () => stderr,
    stop: async () => {
      await stopChild(child);
      removeTemporaryFolder(dataDir);
    },
  };
}

/** A `pid-mock serve` on a data folder of the test's, which it can kill with any signal. */
export interface ServerProcess {
  child: ChildProcess;
  port: number;
  httpsUrl: string;
  httpUrl: string;
  /** Basic header of the trainee (cred_basic.json). */
  traineeAuthorization: string;
  adminToken: string;
  caPem: string;
  /** HTTPS trusting the server's CA, up to `connections` sockets. */
  agent: Agent;
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

/** Starts `pid-mock serve --data dataDir --port 0 --quiet` and waits for "ready". */
export async function spawnServer(dataDir: string, env: Record<string, string> = {}, connections = 50): Promise<ServerProcess> {
  assertBuilt();
  const child = spawn(process.execPath, [PID_MOCK_BIN, 'serve', '--data', dataDir, '--port', '0', '--quiet'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const port = await readyPort(child, 30_000, () => stderr);
  const basic = JSON.parse(readFileSync(join(dataDir, 'credentials', 'cred_basic.json'), 'utf8')) as { username: string; password: string };
  const caPem = readFileSync(join(dataDir, 'credentials', 'ca.pem'), 'utf8');
  const agent = new Agent({ connect: { ca: caPem }, connections });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    port,
    httpsUrl: `https://127.0.0.1:${port}`,
    httpUrl: `http://127.0.0.1:${port}`,
    traineeAuthorization: basicHeader(basic.username, basic.password),
    adminToken: readFileSync(join(dataDir, 'instructor', 'admin-token'), 'utf8').trim(),
    caPem,
    agent,
    kill: async (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const code = await exited;
      await agent.destroy();
      return code;
    },
  };
}

/** Runs `pid-mock serve` expecting it to fail; resolves with its exit code and stderr. */
export async function serveExpectingFailure(dataDir: string): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [PID_MOCK_BIN, 'serve', '--data', dataDir, '--port', '0', '--quiet'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  return { code, stderr };
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

/** Runs `node bin/pid-mock.cjs <args>` and resolves with its exit code and output, whatever the code. */
export async function runCliOutcome(args: string[]): Promise<RunCliResult & { code: number }> {
  try {
    return { code: 0, ...(await runCli(args)) };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

function asText(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') throw new Error(`${what} is missing or not a string`);
  return value;
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
