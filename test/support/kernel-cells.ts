// The lesson's kernel installed in a folder of its own and cells run on it as a notebook (run_notebook.py,
// as every notebook test does): for tests that compare what the same cells do on two installations.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type CellReport, PYTHON } from './notebook-runs.js';
import { ROOT } from './paths.js';
import { temporaryFolder } from './temporary-folders.js';

const execFileAsync = promisify(execFile);
export const LAUNCHER = join(ROOT, 'dist', 'lesson', 'kernel', 'launch.js');

export function install(prefix: string, launcher = LAUNCHER, snapshot = true): { argv: string[]; env?: Record<string, string> } {
  const env = { ...process.env, PID_HANDSON_KERNEL_SNAPSHOT: snapshot ? '1' : '0' };
  const run = spawnSync(process.execPath, [launcher, 'install', '--prefix', prefix], { encoding: 'utf8', env });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(readFileSync(join(prefix, 'share', 'jupyter', 'kernels', 'tslab', 'kernel.json'), 'utf8'));
}

/** Cells that exercise a kernel's compiler: the lesson's import, a type error, values, Node's modules, a thrown error, top-level await. */
export const KERNEL_PROBE_CELLS = [
  "import { lessonUrls, YOUR_ANSWER } from 'pid-handson/lesson';\nimport * as tslab from 'tslab';\ntypeof lessonUrls",
  "const n: number = 'text';",
  'const twice = (x: number) => x * 2;\ntwice(21)',
  "import { readFileSync } from 'node:fs';\nreadFileSync('/etc/hostname', 'utf8').length > 0",
  "const m = new Map<string, number[]>([['a', [1, 2]]]);\n[...m.entries()].flatMap(([, v]) => v).reduce((a, b) => a + b, 0)",
  "throw new Error('expected in this cell');",
  'twice(YOUR_ANSWER as unknown as number)',
  'const later: Promise<string> = Promise.resolve(`${Buffer.from("pid").toString("base64")}`);\nawait later',
];
/** What each of KERNEL_PROBE_CELLS replies. */
export const KERNEL_PROBE_STATUSES = ['ok', 'error', 'ok', 'ok', 'ok', 'error', 'ok', 'ok'];

/** Runs the cells as a notebook in `folder` on the kernel installed in `prefix` (run_notebook.py, as every notebook test). */
export async function runCells(prefix: string, folder: string, cells: string[], environment: NodeJS.ProcessEnv = {}): Promise<CellReport[]> {
  const notebook = join(folder, `cells-${readdirSync(folder).length}.ipynb`);
  writeFileSync(
    notebook,
    JSON.stringify({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } },
      cells: cells.map((source, i) => ({ id: `c${i}`, cell_type: 'code', metadata: {}, execution_count: null, outputs: [], source })),
    }),
  );
  const runtime = temporaryFolder('pid-kernel-runtime-');
  const { stdout } = await execFileAsync(PYTHON, [join(ROOT, 'test', 'notebooks', 'run_notebook.py'), notebook, `${notebook}.out`], {
    cwd: folder,
    env: { ...process.env, ...environment, JUPYTER_PATH: join(prefix, 'share', 'jupyter'), JUPYTER_RUNTIME_DIR: runtime, JUPYTER_PLATFORM_DIRS: '1' },
    maxBuffer: 16 * 1024 * 1024,
  });
  return (JSON.parse(stdout) as { cells: CellReport[] }).cells;
}

/** A workspace as npm start makes one outside the project: a folder whose node_modules is the project's. */
export function workspace(): string {
  const folder = temporaryFolder('pid-kernel-workspace-');
  symlinkSync(join(ROOT, 'node_modules'), join(folder, 'node_modules'), 'dir');
  return folder;
}
