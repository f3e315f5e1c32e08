// Child processes as tests and benchmarks run them: a free loopback port to give one, a stop that
// waits for the exit, and the processes of the machine found by their command line.
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';

/** A loopback port free right now, for a process that cannot be told `--port 0`. */
export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Sends `signal` unless the process has ended already, and resolves once it has exited. */
export async function stopChild(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await exited;
}

/** The pids of processes whose command line contains every one of parts. */
export function processesWith(...parts: string[]): { pid: string; cmdline: string[] }[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map((pid) => {
      try {
        return { pid, cmdline: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0') };
      } catch {
        return { pid, cmdline: [] };
      }
    })
    .filter(({ cmdline }) => parts.every((part) => cmdline.some((arg) => arg.includes(part))));
}
