// Runs `npm start` (deploy/local/start.cjs) as a real process group on free ports with temporary data and
// workspace folders, and gives the Jupyter URL it printed: what the start and browser tests drive.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './paths.js';
import { temporaryFolder } from './temporary-folders.js';

/** A fresh data folder and a workspace path (not created: npm start makes it) outside the checkout. */
export function temporaryLessonFolders(): { data: string; workspace: string } {
  const base = temporaryFolder('lesson-');
  return { data: join(base, 'data'), workspace: join(base, 'workspace') };
}

export interface LessonProcess {
  /** The address npm start printed for the trainee to open. */
  url: Promise<string>;
  output: () => string;
  /** A JSON GET on the Jupyter server at `url`, with its token. */
  api: (url: URL) => (path: string) => Promise<unknown>;
  stop: () => Promise<void>;
  /** Ctrl+C as a terminal sends it (SIGINT to the whole process group); resolves with the exit code. */
  interrupt: () => Promise<number | null>;
  pid: number;
}

export async function startLesson(env: Record<string, string>, args: string[] = []): Promise<LessonProcess> {
  // Its own process group, so the test can end start.cjs, Jupyter and the mock server together.
  const child = spawn(process.execPath, [join(ROOT, 'deploy', 'local', 'start.cjs'), '--no-install', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const url = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no Jupyter URL within 90 s:\n${output}`)), 90_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /the lesson is ready[^\n]*\n\s*\n\s*(http:\/\/127\.0\.0\.1:\d+\/(?:tree\/instructor)?\?token=[0-9a-f]+)\n/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited with ${code}:\n${output}`));
    });
  });
  url.catch(() => undefined);
  // 'close', not 'exit': the last lines of output are in by then.
  const exit = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return {
    pid: child.pid!,
    interrupt: async () => {
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGINT');
      return exit;
    },
    output: () => output,
    url,
    api: (base: URL) => (path: string) =>
      fetch(`${base.origin}${path}?token=${base.searchParams.get('token')}`, { signal: AbortSignal.timeout(20_000) }).then((r) => r.json()),
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = exit;
      child.kill('SIGTERM');
      const stopped = await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 15_000))]);
      try {
        process.kill(-child.pid!, stopped ? 'SIGTERM' : 'SIGKILL');
      } catch {
        // the group is gone already
      }
    },
  };
}
