// Entry point of the `pid` command (bin/pid.cjs): runs the program and turns every outcome into an exit code and at most one error line, never a stack trace.
import { CommanderError } from 'commander';
import { ExitCode, exitCodeFor } from './exit-codes.js';
import { describeFailure } from './failure-line.js';
import { pidProgram } from './program.js';

function reportAndExit(error: unknown): void {
  process.stderr.write(`pid: ${describeFailure(error)}\n`);
  process.exit(exitCodeFor(error));
}

/**
 * Runs `pid` with the process's arguments; resolves to the exit code, which is also set on the process.
 * @example require('../dist/src/cli/main.js').main(process.argv)
 */
export async function main(argv: string[]): Promise<number> {
  // `pid search … | head -1` closes the pipe early; that is the reader's choice, not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? ExitCode.ok);
    else reportAndExit(error);
  });
  // A failure escaping the promise chain (an emitter inside a library) must still end as one line.
  process.once('uncaughtException', reportAndExit);
  process.once('unhandledRejection', reportAndExit);
  const code = await runPidCommand(argv);
  process.exitCode = code;
  return code;
}

/**
 * One `pid` command without the process around it: what it prints goes to process.stdout and
 * process.stderr, a failure becomes its one stderr line, and the exit code is returned, never set or
 * acted on. The lesson kit runs commands this way in a warm worker (lesson/kit/pid-worker.ts).
 * @example const code = await runPidCommand(['node', 'pid', 'read', '21.T12995/abc']);
 */
export async function runPidCommand(argv: string[]): Promise<ExitCode> {
  try {
    await pidProgram().parseAsync(argv);
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof CommanderError && error.exitCode === 0) return ExitCode.ok;
    process.stderr.write(`pid: ${describeFailure(error)}\n`);
    return exitCodeFor(error);
  }
}
