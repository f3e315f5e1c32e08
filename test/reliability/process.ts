// A real `pid-mock serve` process on a data folder that outlives it, for tests that SIGKILL a server
// and start another on the same folder: its port, credentials and a way to kill or stop it.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent } from 'undici';
import { assertBuilt, basicHeader, PID_MOCK_BIN, ROOT } from '../support/mock-server.js';
import { readyPort } from '../support/mock-process.js';

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
