// A start-up snapshot of the kernel's TypeScript: most of a tslab kernel's start is TypeScript itself —
// loading its 9 MB compiler, then parsing and binding lib.es2022 and @types/node (≈ 200 declaration files)
// for the first cell. Built once per installation (`launch.js install`), the snapshot holds the loaded
// compiler and those files parsed and bound; each kernel starts from it (`node --snapshot-blob`) and
// gives tslab the same compiler, whose watch program takes a declaration file from the snapshot only when
// the file on disk still has exactly the text it was built from (otherwise it parses the file as before).
//
// This file is both the snapshot's build script (launch.ts runs it with `--build-snapshot`) and, inside the
// snapshot, the function that starts the kernel. A build script can load only Node's built-in modules, so
// everything is inside one function and nothing of the project is imported; launch.ts passes the plan as JSON.

export interface SourceFileLike {
  fileName: string;
  text: string;
  languageVersion: number;
  isDeclarationFile: boolean;
  version?: string;
}
export interface CompilerHostLike {
  readFile(fileName: string): string | undefined;
  fileExists(fileName: string): boolean;
  getSourceFile(fileName: string, languageVersionOrOptions: unknown, onError?: unknown, createNew?: boolean): SourceFileLike | undefined;
  getSourceFileByPath?(fileName: string, path: string, languageVersionOrOptions: unknown, onError?: unknown, createNew?: boolean): SourceFileLike | undefined;
}
export interface WatchHostLike {
  createProgram: (roots: unknown, options: unknown, host?: CompilerHostLike, ...rest: unknown[]) => unknown;
}

/** What the first cell of every chapter imports: the snapshot parses their declarations, the compile service warms up with them. */
export const FIRST_CELL_IMPORTS = "import * as lesson from 'pid-handson/lesson';\nimport * as tslab from 'tslab';\n";

/**
 * How each watch program's compiler host gets a source file: `parse` reads and parses it as the host would.
 * The snapshot answers with its parsed files, the compile service with files shared between sessions.
 */
export type SourceFileChoice = (
  fileName: string,
  languageVersionOrOptions: unknown,
  host: CompilerHostLike,
  parse: () => SourceFileLike | undefined,
  createNew?: boolean,
) => SourceFileLike | undefined;

/**
 * tslab's `ts` with one change: every watch program's compiler host takes its source files through `choose`.
 * (Only this file's parameters are used: the snapshot's build script, which runs it, cannot import.)
 */
export function withSourceFileChoice(ts: { createWatchCompilerHost(...args: unknown[]): WatchHostLike }, choose: SourceFileChoice): object {
  const wrapped = new WeakSet<CompilerHostLike>();
  const compiler: Record<string, unknown> = {};
  for (const name of Object.keys(ts))
    Object.defineProperty(compiler, name, { enumerable: true, configurable: true, get: () => (ts as unknown as Record<string, unknown>)[name] });
  Object.defineProperty(compiler, 'createWatchCompilerHost', {
    enumerable: true,
    value: (...args: unknown[]) => {
      const watchHost = ts.createWatchCompilerHost(...args);
      const createProgram = watchHost.createProgram;
      watchHost.createProgram = (roots, options, host, ...rest) => {
        if (host && !wrapped.has(host)) {
          wrapped.add(host);
          const getSourceFile = host.getSourceFile.bind(host);
          host.getSourceFile = (fileName, version, onError, createNew) =>
            choose(fileName, version, host, () => getSourceFile(fileName, version, onError, createNew), createNew);
          const byPath = host.getSourceFileByPath?.bind(host);
          if (byPath)
            host.getSourceFileByPath = (fileName, path, version, onError, createNew) =>
              choose(fileName, version, host, () => byPath(fileName, path, version, onError, createNew), createNew);
        }
        return createProgram(roots, options, host, ...rest);
      };
      return watchHost;
    },
  });
  return compiler;
}

(() => {
  const { readFileSync, statSync } = require('node:fs') as typeof import('node:fs');
  const Module = require('node:module') as typeof import('node:module');
  const { dirname, join } = require('node:path') as typeof import('node:path');
  const { startupSnapshot } = require('node:v8') as typeof import('node:v8');
  const { runInThisContext } = require('node:vm') as typeof import('node:vm');
  const { createRequire } = Module;

  /** What the build script is told (environment variable PID_HANDSON_SNAPSHOT, JSON). */
  interface SnapshotPlan {
    /** The compiler tslab loads (@tslab/typescript-for-tslab's lib/typescript.js). */
    compiler: string;
    /** The type roots a kernel's program uses (tslab: the default ones of the notebooks' folder). */
    typeRoots: string[];
    /** A notebooks folder: the lesson's imports are resolved from here, as a kernel started there would. */
    notebooks: string;
    /** The kernel launcher (dist/lesson/kernel/launch.js) whose startKernel the snapshot calls. */
    launcher: string;
  }

  const SNAPSHOT_PLAN_VARIABLE = 'PID_HANDSON_SNAPSHOT';

  /** The first cell of every chapter as tslab hands it to the compiler (an `export {};` line first). */
  const FIRST_CELL = `export {};\n${FIRST_CELL_IMPORTS}`;

  // Only the shape of TypeScript's API this file uses: the compiler is loaded from its file, not imported.
  interface TypeScriptLike {
    version: string;
    ModuleKind: Record<string, number>;
    ModuleResolutionKind: Record<string, number>;
    ScriptTarget: Record<string, number>;
    NewLineKind: Record<string, number>;
    JsxEmit: Record<string, number>;
    sys: { createHash?: (text: string) => string };
    createCompilerHost(options: object): CompilerHostLike;
    createProgram(roots: string[], options: object, host: CompilerHostLike): { getSourceFiles(): readonly SourceFileLike[]; getTypeChecker(): unknown };
    createWatchCompilerHost(...args: unknown[]): WatchHostLike;
  }

  interface Snapshot {
    ts: TypeScriptLike;
    plan: SnapshotPlan;
    compilerStamp: string;
    declarations: Map<string, SourceFileLike>;
  }

  /** Size and modification time: enough to notice that the compiler was reinstalled after the build. */
  function stampOf(file: string): string {
    const { size, mtimeMs } = statSync(file);
    return `${size}:${mtimeMs}`;
  }

  function loadCompiler(file: string): TypeScriptLike {
    // The build script cannot require() a package, so the compiler's CommonJS wrapper is applied by hand.
    const exports = {};
    const module = { exports };
    const wrapper = runInThisContext(`(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'utf8')}\n})`, { filename: file });
    wrapper.call(exports, exports, require, module, file, dirname(file));
    return module.exports as TypeScriptLike;
  }

  /** The compiler options of tslab's converter (tslab/dist/converter.js), which binding depends on. */
  function tslabOptions(ts: TypeScriptLike, plan: SnapshotPlan): object {
    return {
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Node10,
      esModuleInterop: true,
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2022.d.ts'],
      declaration: true,
      newLine: ts.NewLineKind.LineFeed,
      noImplicitUseStrict: true,
      experimentalDecorators: true,
      resolveJsonModule: true,
      jsx: ts.JsxEmit.React,
      typeRoots: plan.typeRoots,
      allowJs: true,
      checkJs: true,
      skipLibCheck: true,
      rootDir: plan.notebooks,
      outDir: 'outDir',
    };
  }

  /** Parses and binds every declaration file a first cell needs, as the kernel's first program would. */
  function declarationsOfFirstCell(ts: TypeScriptLike, plan: SnapshotPlan): Map<string, SourceFileLike> {
    const options = tslabOptions(ts, plan);
    const root = join(plan.notebooks, '__pid_handson_snapshot__.ts');
    const host = ts.createCompilerHost(options);
    const readFile = host.readFile.bind(host);
    const fileExists = host.fileExists.bind(host);
    host.readFile = (file) => (file === root ? FIRST_CELL : readFile(file));
    host.fileExists = (file) => file === root || fileExists(file);
    const program = ts.createProgram([root], options, host);
    // A type checker binds every file of its program; the checker itself is dropped, the bound files kept.
    program.getTypeChecker();
    const declarations = new Map<string, SourceFileLike>();
    for (const file of program.getSourceFiles()) if (file.isDeclarationFile) declarations.set(file.fileName, file);
    return declarations;
  }

  /**
   * tslab's `ts`, with one change: the compiler host of each watch program takes a declaration file from the
   * snapshot when its text on disk is still the text it was parsed from (checked once per file and kernel).
   */
  function compilerForTslab(snapshot: Snapshot): object {
    const { ts, declarations } = snapshot;
    const checked = new Map<string, boolean>();
    const fromSnapshot = (fileName: string, languageVersionOrOptions: unknown, host: CompilerHostLike): SourceFileLike | undefined => {
      const file = declarations.get(fileName);
      if (!file) return undefined;
      const wanted =
        typeof languageVersionOrOptions === 'object' && languageVersionOrOptions !== null
          ? (languageVersionOrOptions as { languageVersion: number }).languageVersion
          : languageVersionOrOptions;
      if (wanted !== file.languageVersion) return undefined;
      let same = checked.get(fileName);
      if (same === undefined) {
        same = host.readFile(fileName) === file.text;
        checked.set(fileName, same);
        // The watch program compares versions to reuse files between cells; it versions files by a hash of their text.
        if (same) file.version ??= ts.sys.createHash ? ts.sys.createHash(file.text) : `snapshot:${file.text.length}`;
      }
      return same ? file : undefined;
    };
    return withSourceFileChoice(ts, (fileName, version, host, parse) => fromSnapshot(fileName, version, host) ?? parse());
  }

  /** Inside the snapshot: hand tslab the snapshot's compiler (unless it was reinstalled since), then start the kernel. */
  function startFromSnapshot(snapshot: Snapshot): void {
    const { plan } = snapshot;
    // This snapshot comes back without Error.stackTraceLimit, so an error thrown in a cell would show no
    // stack; a kernel started without the snapshot has Node's default, 10.
    if (typeof Error.stackTraceLimit !== 'number') Error.stackTraceLimit = 10;
    let current = false;
    try {
      current = stampOf(plan.compiler) === snapshot.compilerStamp;
    } catch {
      // the compiler moved: tslab loads whatever it finds, as without a snapshot
    }
    if (current) {
      const cache = (Module as unknown as { _cache: Record<string, unknown> })._cache;
      const entry = new Module(plan.compiler);
      entry.filename = plan.compiler;
      entry.loaded = true;
      entry.exports = compilerForTslab(snapshot);
      cache[plan.compiler] = entry;
    }
    const launcher = createRequire(plan.launcher)(plan.launcher) as { startKernel(argv: readonly string[]): void };
    launcher.startKernel(process.argv);
  }

  function buildSnapshot(): void {
    const plan = JSON.parse(process.env[SNAPSHOT_PLAN_VARIABLE] ?? '') as SnapshotPlan;
    const ts = loadCompiler(plan.compiler);
    const snapshot: Snapshot = {
      ts,
      plan,
      compilerStamp: stampOf(plan.compiler),
      declarations: declarationsOfFirstCell(ts, plan),
    };
    startupSnapshot.setDeserializeMainFunction(() => startFromSnapshot(snapshot));
  }

  if (startupSnapshot.isBuildingSnapshot()) buildSnapshot();
})();
