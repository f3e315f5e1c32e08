// Starts the mock server as a real `pid-mock serve` process on a free loopback port with a fresh data
// folder, waits for its "ready" line, and stops it: what client, CLI and notebook tests talk to.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../..');

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

/** Spawns `node bin/pid-mock.cjs serve --port 0`; needs a build (`npm run build`) first. */
export async function startMockProcess(options: { prefixes?: string[] } = {}): Promise<MockProcess> {
  if (!existsSync(join(ROOT, 'dist', 'mock-server', 'main.js'))) throw new Error('dist/ is missing: run `npm run build` first');
  const dataDir = mkdtempSync(join(tmpdir(), 'pid-mock-test-'));
  const args = ['bin/pid-mock.cjs', 'serve', '--data', dataDir, '--port', '0', ...(options.prefixes ?? []).flatMap((p) => ['--prefix', p])];
  const child: ChildProcess = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const port = await readyPort(child, 30_000, () => stderr);
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
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
