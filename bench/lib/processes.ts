// The processes a benchmark measures and drives: the real `pid-mock serve` on a data folder, a bare
// node:http server replaying recorded bytes, and wrk as a load generator in a process of its own,
// so neither the load nor the orchestration shares the measured server's event loop.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readyPort } from '../../test/support/mock-process.js';
import { PID_MOCK_BIN, ROOT } from '../../test/support/paths.js';
import { stopChild } from '../../test/support/processes.js';
import { requireSystemPackage, WRK } from '../../test/support/system-packages.js';
import { temporaryFolder } from '../../test/support/temporary-folders.js';

/** Builds dist/ when a source is newer, since the measured server is the built `pid-mock`. */
export function ensureBuilt(): void {
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((max, entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return Math.max(max, newest(path));
      return entry.name.endsWith('.ts') ? Math.max(max, statSync(path).mtimeMs) : max;
    }, 0);
  const built = join(ROOT, 'dist', 'mock-server', 'main.js');
  const sources = Math.max(newest(join(ROOT, 'mock-server')), newest(join(ROOT, 'src')));
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return;
  const run = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.json')], { stdio: 'inherit' });
  if (run.status !== 0) throw new Error('npm run build failed');
}

export interface ServerProcess {
  child: ChildProcess;
  port: number;
  dataDir: string;
  httpUrl: string;
  httpsUrl: string;
  /** Milliseconds from spawn to the "ready" line. */
  readyMs: number;
  /** Peak resident memory (kB, VmHWM) of the server process so far. */
  peakRssKb(): number;
  stop(): Promise<void>;
}

export interface ServeOptions {
  dataDir?: string;
  /** Extra node flags (e.g. --cpu-prof). */
  nodeFlags?: string[];
  prefixes?: string[];
}

/**
 * `pid-mock serve --data DIR --port 0` with its request log on (one JSON line per request is part of
 * what is measured), written to /dev/null so no terminal or pipe sets the pace.
 */
export async function startMock(options: ServeOptions = {}): Promise<ServerProcess> {
  // Sections restart servers on the same folder, so it lives until the benchmark process exits.
  const dataDir = options.dataDir ?? temporaryFolder('pid-bench-');
  const args = [
    ...(options.nodeFlags ?? []),
    PID_MOCK_BIN,
    'serve',
    '--data',
    dataDir,
    '--port',
    '0',
    ...(options.prefixes ?? []).flatMap((p) => ['--prefix', p]),
    // The benchmarks write more PIDs than a trainee may keep; the quotas' bookkeeping stays in what is measured.
    '--quota-handles',
    '1000000000',
  ];
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] });
  const port = await readyPort(child, 60_000);
  const readyMs = performance.now() - started;
  return {
    child,
    port,
    dataDir,
    httpUrl: `http://127.0.0.1:${port}`,
    httpsUrl: `https://127.0.0.1:${port}`,
    readyMs,
    peakRssKb: () => peakRss(child.pid!),
    stop: () => stopChild(child, 'SIGTERM'),
  };
}

export function peakRss(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** CPU time (user + system) a process has used so far, in milliseconds (from /proc, 10 ms ticks). */
export function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
      .replace(/^.*\) /s, '')
      .split(' ');
    // After the command name: state is field 3, utime 14 and stime 15 (man 5 proc).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

export interface RecordedResponse {
  path: string;
  status: number;
  headers: Record<string, string>;
  bodyBase64: string;
}

/** A node:http server answering each recorded path with the recorded status, headers and bytes. */
export async function startBare(responses: RecordedResponse[]): Promise<{ url: string; child: ChildProcess; stop(): Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'lib', 'bare-server.ts')], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  child.stdin!.end(JSON.stringify(responses));
  const port = await new Promise<number>((resolvePort, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const match = /listening (\d+)\n/.exec(out);
      if (match) resolvePort(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`bare server exited with ${code}`)));
  });
  return { url: `http://127.0.0.1:${port}`, child, stop: () => stopChild(child, 'SIGTERM') };
}

export interface LoadResult {
  requestsPerSecond: number;
  latencyP50: number;
  latencyP99: number;
  total: number;
  /** Answers that were neither 2xx nor 3xx (a redirect is the resolver's expected answer). */
  non2xx: number;
  errors: number;
}

/**
 * wrk in its own process: one thread, keep-alive connections, the summary as JSON through a Lua
 * `done` hook. wrk (C) rather than a Node load generator, because a Node client tops out below the
 * bare server it is meant to measure, which would flatter every ratio (and issue 14's figures for the
 * real Handle server were taken with wrk).
 */
export async function loadTest(url: string, options: { connections: number; seconds: number }): Promise<LoadResult> {
  requireSystemPackage(WRK);
  const args = ['-t1', `-c${options.connections}`, `-d${options.seconds}s`, '-s', join(ROOT, 'bench', 'lib', 'wrk-report.lua'), url];
  const child = spawn(WRK.binary!, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  const line = out.split('\n').find((l) => l.startsWith('{"requests"'));
  if (code !== 0 || !line) throw new Error(`wrk failed (${code}): ${err || out}`);
  const result = JSON.parse(line) as {
    requests: number;
    durationUs: number;
    errors: { connect: number; read: number; write: number; status: number; timeout: number };
    latencyP50Us: number;
    latencyP99Us: number;
  };
  const { connect, read, write, timeout, status } = result.errors;
  return {
    requestsPerSecond: result.requests / (result.durationUs / 1e6),
    latencyP50: result.latencyP50Us / 1000,
    latencyP99: result.latencyP99Us / 1000,
    total: result.requests,
    non2xx: status,
    errors: connect + read + write + timeout,
  };
}
