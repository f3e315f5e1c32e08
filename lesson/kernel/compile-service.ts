// The class's compile service: one process per machine that holds TypeScript for every trainee's kernel.
// A tslab kernel otherwise loads the 9 MB compiler and parses and binds lib.es2022, @types/node and the
// lesson's declarations (≈ 200 files, ≈ 180 MB and 1–2 s of CPU) for itself; thirty kernels do it thirty
// times. Here each kernel connection gets its own tslab converter (its own program and checker, so
// trainees never see each other's cells), and all of them share the parsed and bound declaration files,
// as TypeScript's own language-service document registry does.
//
// What a session may read is limited to the installation's files (its node_modules, dist, the compiler's
// lib): a cell that needs anything else (a trainee's own `./helper.ts`, a package installed only in their
// folder) is answered "compile it yourself", and the kernel does so with its own tslab converter.
//
// `node compile-service.js --socket PATH|@NAME [--root DIR]` (@NAME: a Linux abstract socket).
import { existsSync, realpathSync, rmSync } from 'node:fs';
import { type Server, type Socket, createServer } from 'node:net';
import { createRequire } from 'node:module';
import { isAbsolute, join, relative, sep } from 'node:path';
import { FIRST_CELL_IMPORTS, type SourceFileLike, type WatchHostLike, withSourceFileChoice } from './typescript-snapshot.js';
import { COMPILE_REQUEST_LIMIT, type CompileReply, type CompileRequest, onLines, socketAddress } from './compile-protocol.js';

/** The tslab converter's interface (tslab/dist/converter.d.ts), as far as the service calls it. */
interface Converter {
  convert(prevDecl: string, src: string): unknown;
  inspect(prevDecl: string, src: string, position: number): unknown;
  complete(prevDecl: string, src: string, position: number): unknown;
  addModule(name: string, content: string, meta?: unknown): unknown;
  close(): void;
}

interface SystemLike {
  readFile(path: string, encoding?: string): string | undefined;
  fileExists(path: string): boolean;
  directoryExists(path: string): boolean;
  readDirectory(path: string, ...rest: unknown[]): string[];
  getDirectories(path: string): string[];
  realpath?(path: string): string;
  watchFile?(...args: unknown[]): { close(): void };
  watchDirectory?(...args: unknown[]): { close(): void };
  createHash?(text: string): string;
}
interface TypeScriptLike {
  sys: SystemLike;
  createWatchCompilerHost(...args: unknown[]): WatchHostLike;
}

/** Which files a session may read: the installation's and the compiler's, never a trainee's. */
export interface ReadPolicy {
  /** The folder every session compiles in (the installation's notebooks). */
  cwd: string;
  /** Folders (real paths) whose files may be read. */
  readable: string[];
}

/** True when `path` is `folder` or inside it. */
function within(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Confines the compiler's file system to the policy's folders. A look-up refused inside the sessions' folder
 * (not its node_modules) means the cell wanted a file of its own: `onLocalFile` is told, so that the cell
 * is compiled by the kernel itself. Look-ups elsewhere (the ancestors' node_modules TypeScript probes) are
 * simply answered "no such file".
 */
export function confine(sys: SystemLike, policy: ReadPolicy, onLocalFile: (path: string) => void): void {
  const modules = join(policy.cwd, 'node_modules');
  const allowed = (path: string): boolean => {
    if (policy.readable.some((folder) => within(folder, path))) return true;
    if (within(modules, path)) return true;
    if (within(policy.cwd, path)) onLocalFile(path);
    return false;
  };
  const { readFile, fileExists, directoryExists, readDirectory, getDirectories, realpath } = sys;
  sys.readFile = (path, encoding) => (allowed(path) ? readFile.call(sys, path, encoding) : undefined);
  sys.fileExists = (path) => allowed(path) && fileExists.call(sys, path);
  // The sessions' folder exists (tslab looks for node_modules from it); what is inside it is not readable.
  sys.directoryExists = (path) => (path === policy.cwd || allowed(path)) && directoryExists.call(sys, path);
  sys.readDirectory = (path, ...rest) => (allowed(path) ? readDirectory.call(sys, path, ...rest) : []);
  sys.getDirectories = (path) => (allowed(path) ? getDirectories.call(sys, path) : []);
  if (realpath) sys.realpath = (path) => (allowed(path) ? realpath.call(sys, path) : path);
  // The installation does not change under a running class: thirty sessions polling ≈ 250 files each
  // every few hundred milliseconds would cost more than compiling.
  const unwatched = () => ({ close() {} });
  sys.watchFile = unwatched;
  sys.watchDirectory = unwatched;
}

/**
 * tslab's `ts`, whose watch programs share declaration files: the first session to need lib.es2022.d.ts
 * parses it, the others take the same (immutable once bound) source file.
 */
export function sharingDeclarations(ts: TypeScriptLike, shareable: (fileName: string) => boolean): TypeScriptLike {
  const shared = new Map<string, SourceFileLike>();
  const keyOf = (fileName: string, version: unknown) =>
    `${fileName}\0${typeof version === 'object' && version !== null ? JSON.stringify(version) : String(version)}`;
  const share = (fileName: string, version: unknown, createNew: boolean | undefined, parse: () => SourceFileLike | undefined) => {
    // A session's own files (its cell, its declarations so far) are never shared.
    if (createNew || !fileName.endsWith('.d.ts') || !shareable(fileName)) return parse();
    const key = keyOf(fileName, version);
    let file = shared.get(key);
    if (!file) {
      file = parse();
      if (!file) return undefined;
      // The watch program reuses a file between cells when its version is unchanged; it versions by a hash of the text.
      file.version ??= ts.sys.createHash ? ts.sys.createHash(file.text) : `shared:${file.text.length}`;
      shared.set(key, file);
    }
    return file;
  };
  return withSourceFileChoice(ts, (fileName, version, _host, parse, createNew) => share(fileName, version, createNew, parse)) as TypeScriptLike;
}

/** One kernel's converter, made on its first request (a kernel that never compiles costs nothing). */
class Session {
  private converter: Converter | undefined;
  /** The modules this session's kernel added (tslab's virtual files in the sessions' folder). */
  readonly modules = new Set<string>();
  warmed = false;
  constructor(private readonly create: () => Converter) {}
  get(): Converter {
    this.converter ??= this.create();
    return this.converter;
  }
  close(): void {
    this.converter?.close();
    this.converter = undefined;
  }
}

export interface CompileService {
  server: Server;
  close(): Promise<void>;
}

/** Loads tslab's converter with the shared, confined compiler, and serves sessions on `address`. */
export function startCompileService(options: { address: string; root: string; log?: (line: string) => void }): Promise<CompileService> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const root = realpathSync(options.root);
  const fromTslab = createRequire(createRequire(join(root, 'package.json')).resolve('tslab/package.json'));
  const compilerPath = fromTslab.resolve('@tslab/typescript-for-tslab');
  const ts = fromTslab(compilerPath) as TypeScriptLike;
  // tslab compiles in the process's folder: every session in the installation's notebooks folder.
  const cwd = existsSync(join(root, 'notebooks')) ? join(root, 'notebooks') : root;
  // The request being served (the service answers one at a time) and whether it wanted a trainee's file.
  let serving: Session | undefined;
  let localFileWanted = false;
  const readable = [join(root, 'node_modules'), join(root, 'dist'), join(root, 'package.json')];
  confine(ts.sys, { cwd, readable }, (path) => {
    // tslab asks the disk first, then its own modules: a session's own module is not a trainee's file.
    if (!serving?.modules.has(path)) localFileWanted = true;
  });
  // tslab's converter takes its `ts` from the require cache: give it the sharing one.
  const cache = (require('node:module') as { _cache: Record<string, { exports: unknown }> })._cache;
  const entry = cache[compilerPath];
  if (entry) entry.exports = sharingDeclarations(ts, (fileName) => readable.some((folder) => within(folder, fileName)));
  process.chdir(cwd);
  const { createConverter } = fromTslab('./dist/converter.js') as { createConverter(options?: object): Converter };

  const { getCodeMetadata } = fromTslab('./dist/metadata.js') as { getCodeMetadata(src: string): unknown };

  const serve = (request: CompileRequest, session: Session): CompileReply => {
    localFileWanted = false;
    serving = session;
    // A cell's /** @module */ tags: no session needed.
    if (request.op === 'metadata') return { id: request.id, result: getCodeMetadata(request.src) };
    const converter = session.get();
    let result: unknown = null;
    switch (request.op) {
      case 'open':
        // The kernel is still starting: its converter is made now, and its module resolutions cached by
        // compiling what every chapter's first cell imports, not when the first cell waits for them.
        if (!session.warmed) converter.convert('', FIRST_CELL_IMPORTS);
        session.warmed = true;
        // The folder declarations are written from (declaration-paths.ts).
        result = process.cwd();
        break;
      case 'convert':
        result = converter.convert(request.prevDecl, request.src);
        break;
      case 'inspect':
        result = converter.inspect(request.prevDecl, request.src, request.position);
        break;
      case 'complete':
        result = converter.complete(request.prevDecl, request.src, request.position);
        break;
      case 'addModule':
        result = converter.addModule(request.name, request.content, request.meta);
        // Where tslab keeps it (its name is checked by tslab: a plain module name, no path).
        session.modules.add(join(cwd, `${request.name}${(request.meta as { jsx?: boolean } | undefined)?.jsx ? '.tsx' : '.ts'}`));
        break;
    }
    return localFileWanted ? { id: request.id, local: true } : { id: request.id, result };
  };

  // The first kernel of a class should not pay for parsing the declarations every kernel shares.
  const warmUp = createConverter({ isJS: false, isBrowser: false });
  warmUp.convert('', FIRST_CELL_IMPORTS);
  warmUp.close();

  const sessions = new Set<Socket>();
  const server = createServer((socket) => {
    sessions.add(socket);
    const session = new Session(() => createConverter({ isJS: false, isBrowser: false }));
    // A cell is never as large as the limit: a client that sends such a line is not a kernel.
    onLines(
      socket,
      (line) => {
        let reply: CompileReply;
        let id: unknown;
        try {
          const request = JSON.parse(line) as CompileRequest;
          id = request.id;
          reply = serve(request, session);
        } catch (error) {
          // Never the cell's text: only what went wrong.
          log(`compile service: a request failed (${error instanceof Error ? error.message.split('\n')[0] : 'unknown'})`);
          reply = { id: typeof id === 'number' ? id : -1, local: true };
        }
        socket.write(`${JSON.stringify(reply)}\n`);
      },
      COMPILE_REQUEST_LIMIT,
    );
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      sessions.delete(socket);
      session.close();
    });
  });
  return new Promise((resolve, reject) => {
    const address = socketAddress(options.address);
    if (!address.startsWith('\0')) rmSync(address, { force: true });
    server.once('error', reject);
    server.listen(address, () => {
      server.off('error', reject);
      resolve({
        server,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sessions) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

function option(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

if (require.main === module) {
  const address = option('--socket');
  if (!address) {
    process.stderr.write('usage: compile-service.js --socket PATH|@NAME [--root DIR]\n');
    process.exit(2);
  }
  const root = option('--root') ?? join(__dirname, '..', '..', '..');
  startCompileService({ address, root }).then(
    () => process.stderr.write(`compile service listening on ${address} for ${root.split(sep).join('/')}\n`),
    (error: Error) => {
      process.stderr.write(`compile service: cannot listen on ${address}: ${error.message}\n`);
      process.exit(1);
    },
  );
}
