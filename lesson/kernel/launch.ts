// The lesson's Jupyter kernel: tslab, with one addition — a cell refused because the kernel has forgotten
// the lesson's names (a restart, a cell run before the ones above it) is followed by what to run.
// The kernel spec starts this file instead of tslab's own command: `node [--snapshot-blob FILE] launch.js --config-path FILE`;
// `node launch.js install --prefix DIR` writes that kernel spec (what `tslab install` would, minus the
// JavaScript kernel the lesson has no use for).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ConsoleInterface, ConverterSet, Executor } from 'tslab/dist/executor';
import { useCompileService } from './compile-client.js';
import { COMPILE_SERVICE_VARIABLE } from './compile-protocol.js';
import { preloadAfterKernelInfo } from './preload.js';
import { definitionsIn, restartAdvice, unknownNames } from './restart-advice.js';

type CreateExecutor = (rootDir: string, convs: ConverterSet, console: ConsoleInterface) => Executor;

/** tslab prints each compile diagnostic with this format; its last argument is TypeScript's message. */
const DIAGNOSTIC_FORMAT = '%s%d:%d - %s';

/** An executor that collects the diagnostics of each cell and adds the restart advice under a refused cell. */
export function withRestartAdvice(create: CreateExecutor): CreateExecutor {
  return (rootDir, convs, output) => {
    let diagnostics: string[] = [];
    const executor = create(rootDir, convs, {
      log: (...args: unknown[]) => output.log(...args),
      error: (...args: unknown[]) => {
        if (args[0] === DIAGNOSTIC_FORMAT && typeof args[4] === 'string') diagnostics.push(args[4]);
        output.error(...args);
      },
    });
    const execute = executor.execute.bind(executor);
    executor.execute = async (source: string) => {
      diagnostics = [];
      const ran = await execute(source);
      const unknown = ran ? [] : unknownNames(diagnostics);
      // Read the notebooks only now: the advice costs nothing until a cell is refused.
      const advice = unknown.length > 0 ? restartAdvice(unknown, definitionsIn(process.cwd())) : undefined;
      if (advice) output.error(advice);
      return ran;
    };
    return executor;
  };
}

/** What typescript-snapshot.js (a script: it cannot import) is told, as JSON in PID_HANDSON_SNAPSHOT. */
interface SnapshotPlan {
  /** The compiler tslab loads (@tslab/typescript-for-tslab's lib/typescript.js). */
  compiler: string;
  /** The type roots a kernel's program uses. */
  typeRoots: string[];
  /** A notebooks folder: the first cell's imports are resolved from here. */
  notebooks: string;
  /** This launcher, whose startKernel the snapshot calls. */
  launcher: string;
}
const SNAPSHOT_PLAN_VARIABLE = 'PID_HANDSON_SNAPSHOT';

/** The snapshot a kernel starts from, beside its kernel spec (see typescript-snapshot.ts). */
export const SNAPSHOT_FILE = 'typescript.blob';
/** What the snapshot was built from: a snapshot only works with the Node that built it. */
const SNAPSHOT_STAMP_FILE = 'typescript.blob.json';

/** The kernel spec Jupyter reads: this Node and this file, so no PATH lookup can pick another tslab; the snapshot when there is one. */
export function kernelSpec(node: string = process.execPath, launcher: string = __filename, snapshot?: string) {
  const spec = { argv: [node, launcher, '--config-path', '{connection_file}'], display_name: 'TypeScript', language: 'typescript' };
  if (!snapshot) return spec;
  // Node refuses a snapshot under other V8 flags than it was built with (a NODE_OPTIONS such as
  // --max-old-space-size would stop every kernel), so the kernel starts without the user's NODE_OPTIONS.
  return { ...spec, argv: [node, '--snapshot-blob', snapshot, ...spec.argv.slice(1)], env: { NODE_OPTIONS: '' } };
}

/** PID_HANDSON_KERNEL_SNAPSHOT=0 installs the kernel without a snapshot: it starts slower and weighs less (see docs/performance.md). */
function snapshotWanted(): boolean {
  return process.env.PID_HANDSON_KERNEL_SNAPSHOT !== '0';
}

/** Where this installation's pieces are: the compiler tslab loads, the type roots and the notebooks a kernel starts in. */
function snapshotPlan(): SnapshotPlan {
  const load = createRequire(require.resolve('tslab/package.json'));
  const root = join(__dirname, '..', '..', '..');
  const notebooks = join(root, 'notebooks');
  return {
    compiler: load.resolve('@tslab/typescript-for-tslab'),
    typeRoots: [join(root, 'node_modules', '@types')],
    notebooks,
    launcher: __filename,
  };
}

/** What a snapshot depends on: this Node, the compiler it holds, the script that built it, and where things were. */
function stampFor(plan: SnapshotPlan): string {
  const fileStamp = (file: string) => {
    const { size, mtimeMs } = statSync(file);
    return `${size}:${mtimeMs}`;
  };
  // By content: a rebuild rewrites the builder with the same text.
  const builder = createHash('sha256')
    .update(readFileSync(join(__dirname, 'typescript-snapshot.js')))
    .digest('hex');
  return JSON.stringify({ node: process.version, execPath: process.execPath, arch: process.arch, compiler: fileStamp(plan.compiler), builder, plan });
}

/**
 * Builds the kernel's start-up snapshot into `folder`; false (and no snapshot) when this Node cannot,
 * the kernel then starts without one, as before.
 */
export function buildSnapshot(folder: string): boolean {
  const plan = snapshotPlan();
  const blob = join(folder, SNAPSHOT_FILE);
  // A snapshot's build script gets only require, __filename and __dirname; typescript-snapshot.js, compiled as
  // a CommonJS module, also needs `exports`, so a one-line entry gives it those four.
  const builder = join(__dirname, 'typescript-snapshot.js');
  const entry = join(folder, 'build-snapshot.js');
  writeFileSync(
    entry,
    `require('node:vm').compileFunction(require('node:fs').readFileSync(${JSON.stringify(builder)}, 'utf8'), ['exports', 'require', '__filename', '__dirname'], { filename: ${JSON.stringify(builder)} })({}, require, ${JSON.stringify(builder)}, ${JSON.stringify(__dirname)});\n`,
  );
  const built = spawnSync(process.execPath, ['--snapshot-blob', blob, '--build-snapshot', entry], {
    cwd: existsSync(plan.notebooks) ? plan.notebooks : dirname(plan.notebooks),
    env: { ...process.env, [SNAPSHOT_PLAN_VARIABLE]: JSON.stringify(plan) },
    encoding: 'utf8',
  });
  rmSync(entry, { force: true });
  if (built.status !== 0 || !existsSync(blob)) {
    rmSync(blob, { force: true });
    process.stderr.write(
      `the TypeScript kernel starts without a snapshot (building it failed: ${(built.stderr || built.error?.message || '').trim().split('\n').pop()})\n`,
    );
    return false;
  }
  writeFileSync(join(folder, SNAPSHOT_STAMP_FILE), `${stampFor(plan)}\n`);
  return true;
}

/** The spec in `prefix` is this launcher's, with a snapshot built by this Node from the installed compiler. */
export function kernelSpecIsCurrent(prefix: string): boolean {
  const folder = join(prefix, 'share', 'jupyter', 'kernels', 'tslab');
  try {
    const spec = JSON.stringify(JSON.parse(readFileSync(join(folder, 'kernel.json'), 'utf8')));
    if (existsSync(join(prefix, 'share', 'jupyter', 'kernels', 'jslab'))) return false;
    if (!snapshotWanted()) return spec === JSON.stringify(kernelSpec());
    const stamp = readFileSync(join(folder, SNAPSHOT_STAMP_FILE), 'utf8').trim();
    return spec === JSON.stringify(kernelSpec(process.execPath, __filename, join(folder, SNAPSHOT_FILE))) && stamp === stampFor(snapshotPlan());
  } catch {
    return false;
  }
}

/** Writes `PREFIX/share/jupyter/kernels/tslab/kernel.json` (the name notebooks ask for) with its snapshot, and removes a jslab beside it. */
export function installKernelSpec(prefix: string): string {
  const kernels = join(prefix, 'share', 'jupyter', 'kernels');
  const folder = join(kernels, 'tslab');
  mkdirSync(folder, { recursive: true });
  const file = join(folder, 'kernel.json');
  rmSync(join(folder, SNAPSHOT_STAMP_FILE), { force: true });
  rmSync(join(folder, SNAPSHOT_FILE), { force: true });
  const snapshot = snapshotWanted() && buildSnapshot(folder) ? join(folder, SNAPSHOT_FILE) : undefined;
  writeFileSync(file, `${JSON.stringify(kernelSpec(process.execPath, __filename, snapshot), null, 1)}\n`);
  rmSync(join(kernels, 'jslab'), { recursive: true, force: true });
  return file;
}

function option(argv: readonly string[], name: string): string {
  const at = argv.indexOf(name);
  const value = at >= 0 ? argv[at + 1] : undefined;
  if (!value) {
    process.stderr.write(`usage: launch.js --config-path CONNECTION_FILE (Jupyter passes it) | launch.js install|check --prefix DIR (missing ${name})\n`);
    process.exit(2);
  }
  return value;
}

/** Starts tslab with the restart advice, for the connection file named in `argv` (directly, or from the snapshot). */
export function startKernel(argv: readonly string[]): void {
  const configPath = option(argv, '--config-path');
  // Before tslab's modules load: they take their converter and compiler from the module cache.
  const service = process.env[COMPILE_SERVICE_VARIABLE];
  if (service) useCompileService(service);
  // tslab's startKernel looks its executor up on the module object when it starts, so the wrapped one is used.
  const load = createRequire(__filename);
  const executorModule = load('tslab/dist/executor') as { createExecutor: CreateExecutor };
  executorModule.createExecutor = withRestartAdvice(executorModule.createExecutor);
  preloadAfterKernelInfo((load('tslab/dist/jupyter') as { ZmqServer: Parameters<typeof preloadAfterKernelInfo>[0] }).ZmqServer, process.cwd());
  const tslab = load('tslab/dist/main') as {
    startKernel: (options: { configPath: string; enableFindLocal: boolean; jsKernel: boolean; globalVersion: string }) => void;
  };
  const { version } = load('tslab/package.json') as { version: string };
  tslab.startKernel({ configPath, enableFindLocal: false, jsKernel: false, globalVersion: version });
}

if (require.main === module && process.argv[2] === 'install') {
  process.stdout.write(`${installKernelSpec(option(process.argv, '--prefix'))}\n`);
} else if (require.main === module && process.argv[2] === 'check') {
  process.exit(kernelSpecIsCurrent(option(process.argv, '--prefix')) ? 0 : 1);
} else if (require.main === module) {
  startKernel(process.argv);
}
