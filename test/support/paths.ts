// Where the checkout and its commands are, and the check that dist/ (what bin/*.cjs run) is built from
// today's sources, for every test layer and the benchmarks.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../..');
export const PID_MOCK_BIN = join(ROOT, 'bin', 'pid-mock.cjs');
export const PID_BIN = join(ROOT, 'bin', 'pid.cjs');
const BUILT_MOCK = join(ROOT, 'dist', 'mock-server', 'main.js');

/** Fails with the command to run when dist/ was never built: `bin/pid-mock.cjs` runs it. */
export function assertDistExists(): void {
  if (!existsSync(BUILT_MOCK)) throw new Error('dist/ is missing: run `npm run build` first');
}

/** The mock's source files the CLI loads: main.ts and everything it imports, transitively. */
function cliSourceFiles(): string[] {
  const seen = new Set<string>();
  const visit = (relative: string): void => {
    if (seen.has(relative)) return;
    seen.add(relative);
    const source = readFileSync(join(ROOT, relative), 'utf8');
    for (const match of source.matchAll(/from\s+'(\.{1,2}\/[^']+)\.js'/g)) {
      visit(join(relative, '..', `${match[1]!}.ts`));
    }
  };
  visit(join('mock-server', 'main.ts'));
  return [...seen];
}

/**
 * Fails with instructions when the built CLI is missing or older than the sources it is made from,
 * because `bin/pid-mock.cjs` runs `dist/` and would otherwise test yesterday's code.
 */
export function assertBuilt(): void {
  const stale = cliSourceFiles().filter((relative) => {
    const built = join(ROOT, 'dist', relative.replace(/\.ts$/, '.js'));
    return !existsSync(built) || statSync(built).mtimeMs < statSync(join(ROOT, relative)).mtimeMs;
  });
  if (stale.length) {
    throw new Error(`dist/ is missing or older than ${stale.join(', ')}: run "npm run build" in ${ROOT} first`);
  }
}
