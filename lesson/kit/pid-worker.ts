// The `pid` command line for runPid, warm: one worker thread of the kernel runs each command as bin/pid.cjs
// would in a process of its own (same program, same output, same exit code) without paying for a Node
// start and the CLI's module loading on every cell. runPid waits for it synchronously (synckit), as it
// waited for the process before.
import { runAsWorker } from 'synckit';
import { exitCodeFor } from '../../src/cli/exit-codes.js';
import { describeFailure } from '../../src/cli/failure-line.js';
import { runPidCommand } from '../../src/cli/main.js';

export interface PidCommandRun {
  status: number;
  stdout: string;
  stderr: string;
}

type Stream = 'stdout' | 'stderr';
const captured: Record<Stream, string[]> = { stdout: [], stderr: [] };

// This thread exists only to run commands: what a command writes is its output, kept for the caller
// (a worker's own stdio would be forwarded to the kernel's, after the cell has already returned).
for (const name of ['stdout', 'stderr'] as const) {
  process[name].write = ((chunk: string | Uint8Array, encoding?: unknown, callback?: unknown): boolean => {
    captured[name].push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString(typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'));
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') queueMicrotask(() => (done as () => void)());
    return true;
  }) as typeof process.stdout.write;
}

// In a process of its own, `pid` turns a failure escaping its promise chain into one line and an exit
// code (src/cli/main.ts); here the same failure ends the command that is running, not the thread.
let failEscaped: ((error: unknown) => void) | undefined;
process.on('uncaughtException', (error) => failEscaped?.(error));
process.on('unhandledRejection', (error) => failEscaped?.(error));

function setEnvironment(environment: Record<string, string>): void {
  for (const name of Object.keys(process.env)) if (!(name in environment)) delete process.env[name];
  Object.assign(process.env, environment);
}

runAsWorker(async (args: string[], environment: Record<string, string>): Promise<PidCommandRun> => {
  captured.stdout = [];
  captured.stderr = [];
  // A process of its own would see the kernel's environment as it is now (PID_CREDENTIALS set in a cell,
  // the label of planned()).
  setEnvironment(environment);
  const escaped = new Promise<number>((resolve) => {
    failEscaped = (error) => {
      process.stderr.write(`pid: ${describeFailure(error)}\n`);
      resolve(exitCodeFor(error));
    };
  });
  try {
    const status = await Promise.race([runPidCommand(['node', 'pid', ...args]), escaped]);
    return { status, stdout: captured.stdout.join(''), stderr: captured.stderr.join('') };
  } finally {
    failEscaped = undefined;
  }
});
