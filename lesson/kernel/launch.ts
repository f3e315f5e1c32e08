// The lesson's Jupyter kernel: tslab, with one addition — a cell refused because the kernel has forgotten
// the lesson's names (a restart, a cell run before the ones above it) is followed by what to run.
// The kernel spec starts this file instead of tslab's own command: `node launch.js --config-path FILE`;
// `node launch.js install --prefix DIR` writes that kernel spec (what `tslab install` would, minus the
// JavaScript kernel the lesson has no use for).
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ConsoleInterface, ConverterSet, Executor } from 'tslab/dist/executor';
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

/** The kernel spec Jupyter reads: this Node and this file, so no PATH lookup can pick another tslab. */
export function kernelSpec(node: string = process.execPath, launcher: string = __filename) {
  return { argv: [node, launcher, '--config-path', '{connection_file}'], display_name: 'TypeScript', language: 'typescript' };
}

/** Writes `PREFIX/share/jupyter/kernels/tslab/kernel.json` (the name notebooks ask for) and removes a jslab beside it. */
export function installKernelSpec(prefix: string): string {
  const kernels = join(prefix, 'share', 'jupyter', 'kernels');
  mkdirSync(join(kernels, 'tslab'), { recursive: true });
  const file = join(kernels, 'tslab', 'kernel.json');
  writeFileSync(file, `${JSON.stringify(kernelSpec(), null, 1)}\n`);
  rmSync(join(kernels, 'jslab'), { recursive: true, force: true });
  return file;
}

function option(argv: readonly string[], name: string): string {
  const at = argv.indexOf(name);
  const value = at >= 0 ? argv[at + 1] : undefined;
  if (!value) {
    process.stderr.write(`usage: launch.js --config-path CONNECTION_FILE (Jupyter passes it) | launch.js install --prefix DIR (missing ${name})\n`);
    process.exit(2);
  }
  return value;
}

if (require.main === module && process.argv[2] === 'install') {
  process.stdout.write(`${installKernelSpec(option(process.argv, '--prefix'))}\n`);
} else if (require.main === module) {
  const configPath = option(process.argv, '--config-path');
  // tslab's startKernel looks its executor up on the module object when it starts, so the wrapped one is used.
  const load = createRequire(__filename);
  const executorModule = load('tslab/dist/executor') as { createExecutor: CreateExecutor };
  executorModule.createExecutor = withRestartAdvice(executorModule.createExecutor);
  const tslab = load('tslab/dist/main') as {
    startKernel: (options: { configPath: string; enableFindLocal: boolean; jsKernel: boolean; globalVersion: string }) => void;
  };
  const { version } = load('tslab/package.json') as { version: string };
  tslab.startKernel({ configPath, enableFindLocal: false, jsKernel: false, globalVersion: version });
}
