// A kernel that compiles through the class's compile service (compile-service.ts) and so never loads
// TypeScript itself: tslab's converter and cell-metadata modules are replaced, in the kernel's module cache,
// by ones that ask the service, and tslab's `ts` by one that loads the compiler only if a cell ever needs it.
// Whatever the service cannot answer — it is not running, it died, or the cell needs the trainee's own
// files — this kernel compiles with tslab's own converter, exactly as a kernel without the service does.
import Module, { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Converter, ConverterOptions } from 'tslab/dist/converter';
import type { CodeMetadata } from 'tslab/dist/metadata';
import type { CompileReply, CompileRequest } from './compile-protocol.js';
import { rebaseImportTypes } from './declaration-paths.js';

/** The longest a kernel waits for one answer (a class's first cells queue at the service) before compiling itself. */
const COMPILE_SERVICE_TIMEOUT_MS = 60_000;

/** How long a kernel compiles itself after the service failed it before asking the service again. */
const SERVICE_RETRY_AFTER_MS = 60_000;

/** Diagnostics of a module the service could not find: the trainee may have it in their own folder. */
const MODULE_NOT_FOUND = new Set([2307, 2792, 7016]);

type Call = (address: string, request: CompileRequest) => CompileReply & { folder: string };
type RequestBody = CompileRequest extends infer R ? (R extends CompileRequest ? Omit<R, 'id'> : never) : never;

interface ModuleCache {
  [path: string]: { exports: unknown } | undefined;
}

/** Replaces tslab's converter, metadata and compiler modules so that this kernel compiles through the service at `address`. */
export function useCompileService(address: string): void {
  const fromTslab = createRequire(require.resolve('tslab/package.json'));
  const cache = (Module as unknown as { _cache: ModuleCache })._cache;
  const converterPath = fromTslab.resolve('./dist/converter.js');
  const metadataPath = fromTslab.resolve('./dist/metadata.js');
  const compilerPath = fromTslab.resolve('@tslab/typescript-for-tslab');
  const { version } = fromTslab('@tslab/typescript-for-tslab/package.json') as { version: string };

  /** The module tslab would have had at `path`, loaded on first use (the cache holds the replacement). */
  const realModule = <T>(path: string): (() => T) => {
    const replaced = cache[path];
    let loaded: T | undefined;
    return () => {
      if (loaded === undefined) {
        delete cache[path];
        try {
          loaded = fromTslab(path) as T;
        } finally {
          cache[path] = replaced;
        }
      }
      return loaded;
    };
  };
  const install = (path: string, exports: unknown) => {
    const entry = new Module(path);
    entry.filename = path;
    entry.loaded = true;
    entry.exports = exports;
    cache[path] = entry as unknown as { exports: unknown };
  };

  // A snapshot's kernel has the compiler in its cache already: the fallback takes that one.
  const snapshotCompiler = cache[compilerPath]?.exports;
  const realCompiler = snapshotCompiler ? () => snapshotCompiler as Record<PropertyKey, unknown> : realModule<Record<PropertyKey, unknown>>(compilerPath);
  // public.js reads ts.version for `tslab.versions`; nothing else of the compiler is needed until a fallback.
  // __esModule makes tslab's __importStar use this object as it is instead of copying (and so loading) every export.
  install(compilerPath, new Proxy({}, { get: (_target, key) => (key === '__esModule' ? true : key === 'version' ? version : realCompiler()[key]) }));

  const realConverter = realModule<typeof import('tslab/dist/converter')>(converterPath);
  const realMetadata = realModule<typeof import('tslab/dist/metadata')>(metadataPath);

  // The worker thread starts now, and with it the connection (see compile-worker.ts).
  const { createSyncFn } = require('synckit') as typeof import('synckit');
  const call = createSyncFn(join(__dirname, 'compile-worker.js'), { timeout: COMPILE_SERVICE_TIMEOUT_MS }) as unknown as Call;
  /** After a failure the kernel compiles itself for a while, then asks the service again. */
  let askAgainAt = 0;
  let nextId = 0;
  const here = process.cwd();
  /**
   * The service's answer, or undefined when this kernel must compile itself. Declarations travel with their
   * import paths rebased between this kernel's folder and the service's (declaration-paths.ts): the worker
   * rebases what it sends, `fromService` what comes back.
   */
  const ask = (body: RequestBody): { result: unknown; fromService: (text: string) => string } | undefined => {
    if (Date.now() < askAgainAt) return undefined;
    try {
      const reply = call(address, { ...body, id: ++nextId } as CompileRequest);
      const fromService = (text: string) => rebaseImportTypes(text, reply.folder, here);
      return 'result' in reply ? { result: reply.result, fromService } : undefined;
    } catch (error) {
      askAgainAt = Date.now() + SERVICE_RETRY_AFTER_MS;
      process.stderr.write(
        `compile service at ${address} unavailable (${error instanceof Error ? error.message : String(error)}): this kernel compiles itself for a minute\n`,
      );
      return undefined;
    }
  };

  class ServiceConverter implements Converter {
    private local: Converter | undefined;
    private readonly modules: Array<[string, string, CodeMetadata | undefined]> = [];
    constructor(private readonly options: ConverterOptions | undefined) {}

    private ownConverter(): Converter {
      if (!this.local) {
        this.local = realConverter().createConverter(this.options);
        for (const [name, content, meta] of this.modules) this.local.addModule(name, content, meta);
      }
      return this.local;
    }

    convert(prevDecl: string, src: string) {
      const answer = ask({ op: 'convert', prevDecl, src });
      const result = answer?.result as ReturnType<Converter['convert']> | undefined;
      if (answer && result && !result.diagnostics.some((d) => MODULE_NOT_FOUND.has(d.code))) {
        for (const diagnostic of result.diagnostics) diagnostic.messageText = answer.fromService(diagnostic.messageText);
        if (result.declOutput !== undefined) result.declOutput = answer.fromService(result.declOutput);
        return result;
      }
      return this.ownConverter().convert(prevDecl, src);
    }
    inspect(prevDecl: string, src: string, position: number) {
      const answer = ask({ op: 'inspect', prevDecl, src, position });
      return answer ? (answer.result as ReturnType<Converter['inspect']>) : this.ownConverter().inspect(prevDecl, src, position);
    }
    complete(prevDecl: string, src: string, position: number) {
      const answer = ask({ op: 'complete', prevDecl, src, position });
      return answer ? (answer.result as ReturnType<Converter['complete']>) : this.ownConverter().complete(prevDecl, src, position);
    }
    addModule(name: string, content: string, meta?: CodeMetadata) {
      this.modules.push([name, content, meta]);
      if (this.local) return this.local.addModule(name, content, meta);
      const answer = ask({ op: 'addModule', name, content, meta });
      return answer ? (answer.result as ReturnType<Converter['addModule']>) : this.ownConverter().addModule(name, content, meta);
    }
    close() {
      this.local?.close();
    }
  }

  install(converterPath, {
    // The browser and JavaScript kernels are not the lesson's: they keep tslab's own converter.
    createConverter: (options?: ConverterOptions) =>
      options?.isBrowser || options?.isJS ? realConverter().createConverter(options) : new ServiceConverter(options),
    isCompleteCode: (content: string) => realConverter().isCompleteCode(content),
    esModuleToCommonJSModule: (js: string, target: never) => realConverter().esModuleToCommonJSModule(js, target),
    keepNamesInImport: (...args: never[]) => (realConverter().keepNamesInImport as (...a: never[]) => unknown)(...args),
  });
  install(metadataPath, {
    // Only a /* comment can carry a tag, so a cell without one has none (tslab scans for exactly that).
    getCodeMetadata: (src: string): CodeMetadata =>
      !src.includes('/*') ? {} : ((ask({ op: 'metadata', src })?.result as CodeMetadata | undefined) ?? realMetadata().getCodeMetadata(src)),
  });
}
