// Section 5, start-up and notebooks: the mock from spawn to a healthy answer (first start with
// provisioning, restart on the same folder) and the lesson's kernel from asking for it to its first cell's
// output (from its start-up snapshot and without), each against a bare `node -e` start; and every learner
// notebook executed headless on tslab with the time per code cell (what a trainee waits after Shift-Enter).
import { execFile, spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { request } from 'undici';
import { ROOT } from '../../test/support/paths.js';
import { temporaryFolder } from '../../test/support/temporary-folders.js';
import { stopChild } from '../../test/support/processes.js';
import { startMock, type ServerProcess } from '../lib/processes.js';
import { met, ms, summarise, type Section } from '../lib/report.js';

// The environment npm start gives Jupyter: the project's own kernel registration (JUPYTER_PATH) and
// node_modules/.bin on PATH (the kernel is registered in .jupyter/ only, not in the user's Jupyter).
const { jupyterEnv } = createRequire(__filename)('../../deploy/local/start.cjs') as { jupyterEnv: (base: NodeJS.ProcessEnv) => NodeJS.ProcessEnv };

async function toHealthy(start: () => Promise<ServerProcess>): Promise<{ ms: number; server: ServerProcess }> {
  const started = performance.now();
  const server = await start();
  const response = await request(`${server.httpUrl}/_admin/health`);
  await response.body.text();
  if (response.statusCode !== 200) throw new Error(`health answered ${response.statusCode}`);
  return { ms: performance.now() - started, server };
}

async function bareNodeStart(): Promise<number> {
  const started = performance.now();
  await new Promise((resolve, reject) => spawn(process.execPath, ['-e', '0']).once('exit', resolve).once('error', reject));
  return performance.now() - started;
}

interface KernelStart {
  firstOutput: number;
  ready: number;
  cpu: number;
  peakMB: number;
  status: string;
}

/** A kernel spec of the lesson's kernel in a folder of its own, with or without its start-up snapshot. */
function installKernel(snapshot: boolean): string {
  const prefix = temporaryFolder(snapshot ? 'pid-bench-kernel-snapshot-' : 'pid-bench-kernel-plain-');
  const env = { ...process.env, PID_HANDSON_KERNEL_SNAPSHOT: snapshot ? '1' : '0' };
  const run = spawnSync(process.execPath, [join(ROOT, 'dist', 'lesson', 'kernel', 'launch.js'), 'install', '--prefix', prefix], { env, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`installing the kernel failed: ${run.stderr}`);
  return join(prefix, 'share', 'jupyter');
}

/** The class's compile service (lesson/kernel/compile-service.ts), started and warm as a class's is. */
async function startCompileService(): Promise<{ address: string; stop(): Promise<void> }> {
  const address = join(temporaryFolder('pid-bench-compile-'), 'compile.sock');
  const service = spawn(process.execPath, [join(ROOT, 'dist', 'lesson', 'kernel', 'compile-service.js'), '--socket', address], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    let said = '';
    service.stderr.setEncoding('utf8');
    service.stderr.on('data', (chunk: string) => {
      said += chunk;
      if (said.includes('listening')) resolve();
    });
    service.once('exit', (code) => reject(new Error(`the compile service exited (${code}): ${said}`)));
  });
  return { address, stop: () => stopChild(service) };
}

async function kernelStart(jupyterPath: string, credentialsFile: string, compileService = ''): Promise<KernelStart> {
  const { stdout } = await promisify(execFile)('/usr/bin/python3', [join(ROOT, 'bench', 'kernel_start.py'), join(ROOT, 'notebooks', '01-warming-up.ipynb')], {
    env: { ...jupyterEnv(process.env), JUPYTER_PATH: jupyterPath, PID_CREDENTIALS: credentialsFile, PID_HANDSON_COMPILE_SERVICE: compileService },
    timeout: 5 * 60 * 1000,
  });
  const start = JSON.parse(stdout) as KernelStart;
  if (start.status !== 'ok') throw new Error(`the first cell of chapter 1 replied ${start.status}`);
  return start;
}

const KERNEL_KINDS = {
  service: "with the class's compile service (npm run class)",
  snapshot: 'from its start-up snapshot (npm start, Docker, Binder)',
  plain: 'without a snapshot (PID_HANDSON_KERNEL_SNAPSHOT=0)',
} as const;

/**
 * Kernel start to chapter 1's first output, in alternating rounds with the bare start: compiling through
 * the class's compile service (kernels without a snapshot, as `npm run class` installs them), from the
 * snapshot, and without either. The compile service is another process: its CPU is not the kernel's.
 */
async function kernelStarts(rounds: number, bare: number[]): Promise<Section['rows']> {
  const kernels = { snapshot: installKernel(true), plain: installKernel(false) };
  const server = await startMock();
  const service = await startCompileService();
  const seen: Record<keyof typeof KERNEL_KINDS, KernelStart[]> = { service: [], snapshot: [], plain: [] };
  try {
    const credentials = join(server.dataDir, 'credentials', 'cred_file.json');
    for (let r = 0; r < rounds; r++) {
      bare.push(await bareNodeStart());
      seen.service.push(await kernelStart(kernels.plain, credentials, service.address));
      seen.snapshot.push(await kernelStart(kernels.snapshot, credentials));
      seen.plain.push(await kernelStart(kernels.plain, credentials));
    }
  } finally {
    await service.stop();
    await server.stop();
  }
  const base = summarise(bare).p50;
  return (Object.keys(KERNEL_KINDS) as Array<keyof typeof KERNEL_KINDS>).map((kind) => {
    const first = summarise(seen[kind].map((k) => k.firstOutput * 1000)).p50;
    const cpu = summarise(seen[kind].map((k) => k.cpu * 1000)).p50;
    const peak = Math.max(...seen[kind].map((k) => k.peakMB));
    return {
      label: `kernel start to chapter 1's first output, ${KERNEL_KINDS[kind]}`,
      value: ms(first, 0),
      ratio: (first / base).toFixed(1),
      target: `${met(first / base <= 12 && peak <= 150, '≤ 12 × bare and ≤ 150 MB')}; kernel CPU ${ms(cpu, 0)}; kernel peak memory ${peak.toFixed(0)} MB`,
    };
  });
}

interface NotebookTiming {
  notebook: string;
  kernelStart: number;
  total: number;
  cells: Array<{ index: number; seconds: number; ok: boolean }>;
}

export async function startupAndNotebooks(options: { rounds: number; notebooks: boolean | string[] }): Promise<Section> {
  const rows: Section['rows'] = [];
  const bare: number[] = [];
  const first: number[] = [];
  const restart: number[] = [];
  for (let r = 0; r < options.rounds; r++) {
    bare.push(await bareNodeStart());
    const a = await toHealthy(() => startMock());
    first.push(a.ms);
    await a.server.stop();
    const b = await toHealthy(() => startMock({ dataDir: a.server.dataDir }));
    restart.push(b.ms);
    await b.server.stop();
  }
  const kernelRows = options.notebooks === false ? [] : await kernelStarts(options.rounds, bare);
  const base = summarise(bare).p50;
  rows.push({ label: 'bare `node -e 0` start (baseline)', value: ms(base, 0), ratio: '1.00' });
  rows.push({ label: 'mock first start (provisioning) to healthy', value: ms(summarise(first).p50, 0), ratio: (summarise(first).p50 / base).toFixed(1) });
  rows.push({ label: 'mock restart on its data folder to healthy', value: ms(summarise(restart).p50, 0), ratio: (summarise(restart).p50 / base).toFixed(1) });
  rows.push(...kernelRows);

  const timings: NotebookTiming[] = [];
  if (options.notebooks !== false) {
    const dir = join(ROOT, 'notebooks');
    const all = readdirSync(dir)
      .filter((f) => /^\d\d-.*\.ipynb$/.test(f))
      .sort();
    const chosen = options.notebooks === true ? all : all.filter((f) => (options.notebooks as string[]).some((n) => f.startsWith(n)));
    const server = await startMock();
    try {
      for (const notebook of chosen) {
        const { stdout } = await promisify(execFile)('/usr/bin/python3', [join(ROOT, 'bench', 'time_notebook.py'), notebook], {
          cwd: dir,
          env: { ...jupyterEnv(process.env), PID_CREDENTIALS: join(server.dataDir, 'credentials', 'cred_file.json') },
          maxBuffer: 64 * 1024 * 1024,
          timeout: 15 * 60 * 1000,
        });
        const timing = JSON.parse(stdout) as NotebookTiming;
        timings.push(timing);
        const cellMs = timing.cells.map((c) => c.seconds * 1000);
        // The first code cell is the import through ./pid (tslab compiles the declarations behind it);
        // the median is over the other cells, what a trainee waits for from then on.
        const firstCell = cellMs[0] ?? 0;
        const s = summarise(cellMs.length > 1 ? cellMs.slice(1) : cellMs);
        const failed = timing.cells.filter((c) => !c.ok).length;
        rows.push({
          label: `${notebook}: ${timing.cells.length} code cells${failed ? `, ${failed} FAILED` : ''}`,
          value: `${timing.total.toFixed(1)} s`,
          ratio: `${ms(s.p50, 0)}`,
          target: `median other cell; kernel start ${timing.kernelStart.toFixed(1)} s; first (import) cell ${ms(firstCell, 0)}; slowest other ${ms(s.max, 0)}`,
        });
      }
    } finally {
      await server.stop();
    }
    const allCells = timings.flatMap((t) => t.cells.slice(1).map((c) => c.seconds * 1000));
    if (allCells.length) rows.push({ label: 'all learner notebooks: median code cell after the import', value: ms(summarise(allCells).p50, 0) });
    const medianOtherCell = (prefix: string) => {
      const timing = timings.find((t) => t.notebook.startsWith(prefix));
      return timing && timing.cells.length > 1 ? summarise(timing.cells.slice(1).map((c) => c.seconds * 1000)).p50 : undefined;
    };
    const [chapter1, chapter8] = [medianOtherCell('01-'), medianOtherCell('08-')];
    if (chapter1 && chapter8)
      rows.push({
        label: 'chapter 8 (the pid command line) median cell against chapter 1 median cell',
        value: ms(chapter8, 0),
        ratio: (chapter8 / chapter1).toFixed(1),
        target: '≤ 2 × (runPid runs the command in a warm worker thread, not a process per cell)',
      });
    if (timings.length) {
      rows.push({ label: 'all learner notebooks: median kernel start', value: `${summarise(timings.map((t) => t.kernelStart * 1000)).p50.toFixed(0)} ms` });
      rows.push({
        label: 'all learner notebooks: median first (import) cell',
        value: ms(summarise(timings.map((t) => (t.cells[0]?.seconds ?? 0) * 1000)).p50, 0),
      });
    }
  }
  return {
    title: '5. Start-up and notebooks',
    parameters: { rounds: options.rounds, notebooks: options.notebooks === true ? 'all learner copies' : options.notebooks, kernel: 'tslab via nbclient' },
    rows,
    data: { bare, first, restart, notebooks: timings },
    notes:
      options.notebooks === false
        ? ['notebooks skipped in the smoke run (they run in test/notebooks/ already)']
        : ['for notebooks the ratio column is the median code cell after the first (the import through ./pid, shown apart)'],
  };
}
