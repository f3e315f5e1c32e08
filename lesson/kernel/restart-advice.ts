// After a restart of the kernel it has forgotten every name, and tslab refuses the next cell at compile
// time with `Cannot find name 'exercises'`: nothing of the lesson runs, so only the kernel itself can
// say what happened and which cell to run. The kernel does not know which notebook sent the cell, but it
// runs in the notebooks' folder: the notebooks there tell where each name is defined.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where a notebook defines a name: the chapter's set-up cell, an exercise's answer cell, or another cell. */
export type Definition = 'set-up' | 'exercise' | 'earlier';

/** The names a compile error says are unknown (TypeScript's "Cannot find name 'x'." without a "Did you mean"). */
export function unknownNames(messages: readonly string[]): string[] {
  const names = new Set<string>();
  for (const message of messages) {
    const found = /^Cannot find name '([\p{L}\p{N}_$]+)'\.$/u.exec(message);
    if (found?.[1]) names.add(found[1]);
  }
  return [...names];
}

/**
 * The top-level names a cell declares: imports, `const`/`let`/`var` (plain or destructured), functions and
 * classes. A reading of the lesson's own cells, not a TypeScript parser: a name it misses only means the
 * advice does not say which cell defines it.
 */
export function declaredNames(source: string): string[] {
  const names: string[] = [];
  for (const found of source.matchAll(/^import\s+(?:type\s+)?([\s\S]*?)\s+from\s+['"][^'"]+['"]/gm)) {
    const clause = found[1] ?? '';
    const star = /\*\s+as\s+([\w$]+)/.exec(clause);
    if (star?.[1]) names.push(star[1]);
    const braces = /\{([\s\S]*)\}/.exec(clause);
    for (const part of braces?.[1]?.split(',') ?? []) {
      const name = part
        .trim()
        .split(/\s+as\s+/)
        .pop()
        ?.trim();
      if (name) names.push(name);
    }
    const byDefault = /^([\w$]+)/.exec(clause.trim());
    if (byDefault?.[1] && byDefault[1] !== 'type') names.push(byDefault[1]);
  }
  for (const found of source.matchAll(/^(?:export\s+)?(?:const|let|var)\s+(\{[^}]*\}|\[[^\]]*\]|[\w$]+)/gm)) {
    const target = found[1] ?? '';
    if (/^[\w$]+$/.test(target)) names.push(target);
    else
      for (const part of target.slice(1, -1).split(',')) {
        const name = part.split(':').pop()?.split('=')[0]?.replace('...', '').trim();
        if (name && /^[\w$]+$/.test(name)) names.push(name);
      }
  }
  for (const found of source.matchAll(/^(?:export\s+)?(?:async\s+)?(?:function\*?|class)\s+([\w$]+)/gm)) {
    if (found[1]) names.push(found[1]);
  }
  return names;
}

interface NotebookCell {
  cell_type?: string;
  source?: string | string[];
  metadata?: { tags?: string[] };
}

/**
 * Where the notebooks in `folder` define each name. A name some notebook defines outside its set-up cell
 * (chapter 2 loads the credentials in the middle of the chapter) is not called a set-up name.
 */
export function definitionsIn(folder: string): Map<string, Definition> {
  const found = new Map<string, Set<Definition>>();
  let files: string[] = [];
  try {
    files = readdirSync(folder).filter((name) => name.endsWith('.ipynb'));
  } catch {
    return new Map();
  }
  for (const file of files) {
    let cells: NotebookCell[];
    try {
      cells = (JSON.parse(readFileSync(join(folder, file), 'utf8')) as { cells?: NotebookCell[] }).cells ?? [];
    } catch {
      continue; // a notebook being saved, or not a notebook: it tells nothing
    }
    const code = cells.filter((cell) => cell.cell_type === 'code');
    code.forEach((cell, index) => {
      const source = Array.isArray(cell.source) ? cell.source.join('') : (cell.source ?? '');
      const where: Definition = index === 0 ? 'set-up' : cell.metadata?.tags?.includes('exercise') ? 'exercise' : 'earlier';
      for (const name of declaredNames(source)) {
        const places = found.get(name) ?? new Set<Definition>();
        places.add(where);
        found.set(name, places);
      }
    });
  }
  const definitions = new Map<string, Definition>();
  for (const [name, places] of found) {
    definitions.set(name, places.size === 1 ? [...places][0]! : places.has('exercise') ? 'exercise' : 'earlier');
  }
  return definitions;
}

const WHERE: Record<Definition, string> = {
  'set-up': 'the set-up cell, the first code cell of the chapter',
  exercise: 'your answer cell (the exercise cell above this one)',
  earlier: 'a cell above this one',
};

/**
 * What the trainee reads under the compile error when the unknown names are ones the lesson's notebooks
 * define: nothing is wrong with the cell, the cells before it have not run since the kernel started.
 * Undefined when none of the names is the lesson's (a typo or a name the trainee made up): the compiler's
 * message is the right one then.
 */
export function restartAdvice(unknown: readonly string[], definitions: ReadonlyMap<string, Definition>): string | undefined {
  const known = unknown.filter((name) => definitions.has(name));
  if (known.length === 0) return undefined;
  const byPlace = new Map<Definition, string[]>();
  for (const name of known) {
    const place = definitions.get(name)!;
    byPlace.set(place, [...(byPlace.get(place) ?? []), name]);
  }
  const list = (names: string[]) => names.map((name) => `\`${name}\``).join(', ');
  const lines = [
    `↻ The kernel does not know ${list(known)} yet: ${known.length === 1 ? 'the cell that defines it has' : 'the cells that define them have'} not run since the kernel started (a restart of the kernel forgets every cell).`,
    ...[...byPlace].map(([place, names]) => `  ${list(names)} ${names.length === 1 ? 'comes' : 'come'} from ${WHERE[place]}.`),
    // Every UI the lesson runs in has the command under another name.
    '  What to do: click in this cell, run the cells above it (Notebook 6: Cell → Run All Above; Notebook 7 and JupyterLab: Run → Run All Above Selected Cell; VS Code: Execute Above Cells), then run this cell again.',
  ];
  return lines.join('\n');
}
