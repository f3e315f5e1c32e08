// tslab's declarations of earlier cells name some types by a path relative to the folder they were compiled in
// (`import("../dist/src").HandleRecordJson`). The compile service compiles in the installation's notebooks
// folder, a kernel runs in the trainee's: between the two, those paths are rebased so that each side reads
// the declarations exactly as if it had written them itself (a kernel that has to compile a cell itself
// then gets what tslab would have given it).
import { relative, resolve, sep } from 'node:path';

/** A relative module path in an import type, as declaration emit writes it. */
const RELATIVE_IMPORT_TYPE = /import\("(\.\.?\/[^"]*)"\)/g;

/** `text` with every relative import type written from `from` rewritten as seen from `to`. */
export function rebaseImportTypes(text: string, from: string, to: string): string {
  if (from === to) return text;
  return text.replace(RELATIVE_IMPORT_TYPE, (_whole, path: string) => {
    const rebased = relative(to, resolve(from, path)).split(sep).join('/');
    return `import("${rebased.startsWith('.') ? rebased : `./${rebased}`}")`;
  });
}
