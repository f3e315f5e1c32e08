// The lesson's notebooks run headless on the project's own tslab kernel (the Python drivers in
// test/notebooks/ use nbclient) against a real mock server process: the one set-up every notebook test
// shares, so they all run the notebooks the same way npm start does.
import { after, before } from 'node:test';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { type MockProcess, startMockProcess } from './mock-process.js';
import { ROOT } from './paths.js';

const execFileAsync = promisify(execFile);
/** Debian's Python, which has Jupyter; the pyenv `python3` on PATH has not. */
export const PYTHON = '/usr/bin/python3';
export const NOTEBOOKS = join(ROOT, 'notebooks');
// The environment npm start gives Jupyter: the project's own kernel (JUPYTER_PATH), node_modules/.bin.
export const { jupyterEnv } = createRequire(__filename)('../../deploy/local/start.cjs') as { jupyterEnv: (base: NodeJS.ProcessEnv) => NodeJS.ProcessEnv };
// The notebooks import `pid-handson/lesson`: the package's link in node_modules (npm start makes it too).
const { linkPackage } = createRequire(__filename)('../../deploy/local/workspace.cjs') as { linkPackage: (project: string) => boolean };

/**
 * Chapters that switch teaching faults on slow down every client of their server, so their notebooks get
 * a server of their own instead of sharing the one the other notebooks use meanwhile.
 */
const OWN_SERVER_CHAPTERS = new Set(['07-under-the-hood']);

/** The learner chapters, e.g. `03-registering-a-file`, in order. */
export function lessonChapters(): string[] {
  return readdirSync(NOTEBOOKS)
    .filter((f) => /^\d\d-.*\.ipynb$/.test(f))
    .map((f) => basename(f, '.ipynb'))
    .sort();
}

/** Makes `pid-handson/lesson` importable from every notebook folder, as npm start does. */
export function linkLessonPackage(): void {
  linkPackage(ROOT);
}

/** Links the package and starts one mock server for the test file (stopped after it); returns its getter. */
export function sharedNotebookServer(): () => MockProcess {
  let server: MockProcess | undefined;
  before(async () => {
    linkLessonPackage();
    server = await startMockProcess();
  });
  after(async () => {
    await server?.stop();
  });
  return () => {
    if (!server) throw new Error('the notebook server is started in before()');
    return server;
  };
}

/**
 * Runs a driver script of test/notebooks/ (`run_notebook.py`, …) with Jupyter's environment and the
 * credentials of the chapter's server (the shared one, or its own for a chapter with faults; or a given
 * trainee's credentials file); returns what the driver printed (one JSON report).
 */
export async function runNotebookDriver(
  chapter: string,
  shared: Pick<MockProcess, 'credentialsFile'>,
  script: string,
  args: string[],
  options: { cwd?: string; timeoutMs?: number } = {},
): Promise<string> {
  const own = OWN_SERVER_CHAPTERS.has(chapter) ? await startMockProcess() : undefined;
  try {
    const { stdout } = await execFileAsync(PYTHON, [join(ROOT, 'test', 'notebooks', script), ...args], {
      cwd: options.cwd ?? NOTEBOOKS,
      env: { ...jupyterEnv(process.env), PID_CREDENTIALS: (own ?? shared).credentialsFile },
      maxBuffer: 64 * 1024 * 1024,
      timeout: options.timeoutMs ?? 15 * 60 * 1000,
    });
    return stdout;
  } finally {
    await own?.stop();
  }
}

/** One code cell as run_notebook.py reports it. */
export interface CellReport {
  index: number;
  /** The kernel's execute_reply status: ok, error or abort (or "not executed"). */
  status: string;
  /** Its error outputs as "Name: value" lines, or null. */
  error: string | null;
  stderr: string | null;
  stdout: string;
  /** What the cell shows: its streams, and the HTML (else plain text) of its results and displays. */
  output: string;
  /** The first 200 characters of its source. */
  source: string;
}

/**
 * Runs one notebook (a path under notebooks/, e.g. `instructor/03-registering-a-file.ipynb`) headless with
 * the given credentials file as PID_CREDENTIALS, as a trainee with their own bundle does; returns the cells
 * that did not reply ok, showed an error or wrote to stderr (none, when all is well).
 */
export async function runNotebookAs(credentialsFile: string, notebook: string, executedCopy: string): Promise<string[]> {
  const folder = join(NOTEBOOKS, dirname(notebook));
  const stdout = await runNotebookDriver(basename(notebook, '.ipynb'), { credentialsFile }, 'run_notebook.py', [basename(notebook), executedCopy], {
    cwd: folder,
  });
  const report = JSON.parse(stdout) as { cells: CellReport[] };
  return report.cells.filter((c) => c.status !== 'ok' || c.error || c.stderr).map((c) => `cell ${c.index}: ${c.error ?? ''} ${c.stderr ?? ''}`);
}
