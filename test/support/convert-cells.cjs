// Compiles cells in order as the lesson's kernel does (tslab's executor: each cell against the declarations
// of the cells that compiled before it), through the class's compile service when PID_HANDSON_COMPILE_SERVICE
// names one, with tslab's own converter otherwise. Run in the notebook's folder:
// `node convert-cells.cjs CELLS.json` (a JSON array of cell sources) → a JSON array of tslab's ConvertResults,
// plus what the process loaded: whether it loaded TypeScript itself. `node convert-cells.cjs -` compiles one
// cell per line of stdin (a JSON string; { module, content } for a module; { inspect | complete, position } for
// what the notebook asks on Shift+Tab or Tab) and answers each with a line, as a kernel between a trainee's cells.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

// Which files this process compiles: whether the kernel loaded TypeScript (the client's stand-in sits in the cache).
const Module = require('node:module');
const compiled = new Set();
const compileJs = Module._extensions['.js'];
Module._extensions['.js'] = (module, filename) => {
  compiled.add(filename);
  return compileJs(module, filename);
};

const root = join(__dirname, '..', '..');
const service = process.env.PID_HANDSON_COMPILE_SERVICE;
if (service) require(join(root, 'dist', 'lesson', 'kernel', 'compile-client.js')).useCompileService(service);
const fromTslab = Module.createRequire(require.resolve('tslab/package.json', { paths: [root] }));
const { createConverter } = fromTslab('./dist/converter.js');
const { getCodeMetadata } = fromTslab('./dist/metadata.js');

const converter = createConverter({ isJS: false, isBrowser: false });
let prevDecl = '';
const compile = (src) => {
  const meta = getCodeMetadata(src);
  const result = converter.convert(prevDecl, src);
  if (result.diagnostics.length === 0) prevDecl = result.declOutput ?? '';
  return { meta, result: JSON.parse(JSON.stringify(result)) };
};
const loadedTypeScript = () => compiled.has(fromTslab.resolve('@tslab/typescript-for-tslab'));

if (process.argv[2] === '-') {
  require('node:readline')
    .createInterface({ input: process.stdin })
    .on('line', (line) => {
      // A string is a cell; { module, content } a module the kernel adds (tslab's /** @module name */ cells).
      const input = JSON.parse(line);
      let answer;
      if (typeof input === 'string') answer = compile(input);
      else if (input.inspect !== undefined) answer = { result: converter.inspect(prevDecl, input.inspect, input.position) ?? null };
      else if (input.complete !== undefined) answer = { result: converter.complete(prevDecl, input.complete, input.position) };
      else answer = { result: { diagnostics: converter.addModule(input.module, input.content) } };
      process.stdout.write(`${JSON.stringify({ ...answer, loadedTypeScript: loadedTypeScript() })}\n`);
    })
    .on('close', () => {
      converter.close();
      process.exit(0);
    });
} else {
  const results = JSON.parse(readFileSync(process.argv[2], 'utf8')).map(compile);
  process.stdout.write(JSON.stringify({ results, loadedTypeScript: loadedTypeScript() }));
  converter.close();
  process.exit(0);
}
