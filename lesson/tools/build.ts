// Builds the lesson notebooks from their sources: `lesson/NN-name/chapter.md` → the instructor master
// `notebooks/instructor/NN-name.ipynb` (with solutions) → the learner copy `notebooks/NN-name.ipynb`
// (solutions replaced by placeholders, instructor notes dropped, no outputs), each with
// previous/contents/next navigation.
// `--check` fails when a committed notebook differs from what the sources give.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  type ChapterSchedule,
  chapterNumber,
  checkBudget,
  optionalHeading,
  withNotesTimeLine,
  readmeTiming,
  readSchedule,
  scheduleMarkdown,
  timingLine,
} from './schedule.js';

const LESSON = resolve(__dirname, '..');
const ROOT = resolve(LESSON, '..');
const NOTEBOOKS = join(ROOT, 'notebooks');
/** The whole-day instructor notes, whose schedule table is generated from the chapters' schedule blocks. */
export const SCHEDULE_NOTES = join(LESSON, 'instructor-notes.md');
const README = join(ROOT, 'README.md');
/** A chapter's folder in lesson/, named as its notebooks. */
const CHAPTER_FOLDER = /^\d\d-[a-z0-9-]+$/;
/** The widest line of a placeholder block: what a notebook cell shows without scrolling sideways. */
const PLACEHOLDER_LINE_WIDTH = 90;

type CellRole = 'markdown' | 'code' | 'solution' | 'placeholder' | 'instructor' | 'instructor-note';

interface SourceCell {
  role: CellRole;
  text: string;
}

interface Chapter {
  file: string; // e.g. 03-registering-a-file
  title: string;
  cells: SourceCell[];
  schedule: ChapterSchedule;
}

interface NotebookCell {
  id: string;
  cell_type: 'markdown' | 'code';
  metadata: Record<string, unknown>;
  source: string[];
  outputs?: unknown[];
  execution_count?: null;
}

/**
 * Source format: Markdown. A fenced block ```ts is a code cell; ```ts solution is an exercise's
 * solution and must be followed by ```ts placeholder (what learners get instead); ```ts instructor is
 * a code cell for the master only. A line `+++` starts a new Markdown cell; a Markdown cell starting
 * with `> **Instructor` is kept in the master only.
 */
export function parseSource(text: string, file: string): SourceCell[] {
  const cells: SourceCell[] = [];
  const lines = text.split('\n');
  let markdown: string[] = [];
  const flushMarkdown = () => {
    const body = markdown.join('\n').trim();
    if (body) cells.push({ role: body.startsWith('> **Instructor') ? 'instructor-note' : 'markdown', text: body });
    markdown = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fence = /^```ts(?:\s+(solution|placeholder|instructor))?\s*$/.exec(line);
    if (fence) {
      flushMarkdown();
      const body: string[] = [];
      for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i]!);
      if (i >= lines.length) throw new Error(`${file}: unterminated code block starting at line ${cells.length}`);
      cells.push({ role: (fence[1] as CellRole | undefined) ?? 'code', text: body.join('\n').trim() });
    } else if (line.trim() === '+++') {
      flushMarkdown();
    } else {
      markdown.push(line);
    }
  }
  flushMarkdown();
  cells.forEach((cell, i) => {
    if (cell.role === 'solution' && cells[i + 1]?.role !== 'placeholder') throw new Error(`${file}: a solution block must be followed by a placeholder block`);
    if (cell.role === 'placeholder' && cells[i - 1]?.role !== 'solution') throw new Error(`${file}: a placeholder block must follow a solution block`);
    // A trainee reads a placeholder's comment in a cell about 90 characters wide: a longer line runs off its edge.
    const long = cell.role === 'placeholder' ? cell.text.split('\n').find((line) => line.length > PLACEHOLDER_LINE_WIDTH) : undefined;
    if (long !== undefined) throw new Error(`${file}: a placeholder line is longer than ${PLACEHOLDER_LINE_WIDTH} characters; wrap it: ${long}`);
  });
  return cells;
}

export function loadChapters(): Chapter[] {
  return readdirSync(LESSON)
    .filter((folder) => CHAPTER_FOLDER.test(folder) && existsSync(join(LESSON, folder, 'chapter.md')))
    .sort()
    .map((file) => {
      const f = `${file}/chapter.md`;
      const { schedule, body } = readSchedule(readFileSync(join(LESSON, f), 'utf8'), f);
      const cells = parseSource(body, f).map((cell) => (cell.role === 'markdown' ? { ...cell, text: markOptional(cell.text, schedule) } : cell));
      const heading = cells.find((c) => c.role === 'markdown')?.text.match(/^#\s+(.+)$/m)?.[1];
      if (!heading) throw new Error(`${f}: the first Markdown cell needs a "# Title" heading`);
      return { file, title: heading.trim(), cells, schedule };
    });
}

/** An optional section's heading says so, with its minutes, so a trainee or instructor can skip it. */
function markOptional(text: string, schedule: ChapterSchedule): string {
  return text
    .split('\n')
    .map((line) => {
      const section = schedule.optional.find((o) => line === `## ${o.heading}` || line === `### ${o.heading}`);
      return section ? line.replace(section.heading, optionalHeading(section)) : line;
    })
    .join('\n');
}

function lines(text: string): string[] {
  const parts = text.split('\n');
  return parts.map((line, i) => (i < parts.length - 1 ? `${line}\n` : line));
}

function cellId(chapter: string, kind: string, index: number): string {
  return createHash('sha1').update(`${chapter}:${kind}:${index}`).digest('hex').slice(0, 12);
}

/**
 * What to do after a kernel restart, at the top of every chapter: tslab reports a forgotten variable as a
 * compile error (`Cannot find name 'exercises'`) before any of the lesson's code runs, so the advice has to
 * be on the page. Run All Above is safe because no cell destroys what later cells need (decision 028).
 */
// The menus of every UI the lesson runs in are named: Notebook 6 (npm start with Debian's Jupyter, the
// class hub), Notebook 7 and JupyterLab (pip's Jupyter, Binder), VS Code.
export const RESTART_LINE =
  "↻ After a restart of the kernel (**Kernel → Restart**), or when you come back to this notebook later, the kernel has forgotten every cell: click in the cell where you were and run the cells above it: **Cell → Run All Above** (Notebook 6), **Run → Run All Above Selected Cell** (Notebook 7, JupyterLab), **Execute Above Cells** in the cell's run menu (VS Code). An error `Cannot find name '…'` means exactly this.";

function navigation(chapters: Chapter[], index: number, inInstructorFolder: boolean): { header: string; footer: string } {
  const chapter = chapters[index]!;
  const prev = chapters[index - 1];
  const next = chapters[index + 1];
  const link = (c: Chapter) => `[${c.title}](${c.file}.ipynb)`;
  const contents = inInstructorFolder ? '[Contents](../README.md)' : '[Contents](README.md)';
  const parts = [prev ? `← ${link(prev)}` : null, contents, next ? `${link(next)} →` : null].filter(Boolean).join(' | ');
  const badge = inInstructorFolder ? ' · *instructor copy, with solutions*' : '';
  return {
    header: `*pid-handson · chapter ${chapterNumber(chapter.file)} of ${chapterNumber(chapters.at(-1)!.file)}${badge}* — ${parts}\n\n${timingLine(chapter.schedule)}\n\n${RESTART_LINE}`,
    footer: `---\n${parts}\n\n<small>${chapter.title}</small>`,
  };
}

function notebook(cells: NotebookCell[]): string {
  const nb = {
    cells,
    metadata: {
      kernelspec: { display_name: 'TypeScript', language: 'typescript', name: 'tslab' },
      language_info: {
        codemirror_mode: { mode: 'typescript', name: 'javascript', typescript: true },
        file_extension: '.ts',
        mimetype: 'text/typescript',
        name: 'typescript',
        version: '5.0',
      },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
  return `${JSON.stringify(nb, null, 1)}\n`;
}

function markdownCell(chapter: string, kind: string, index: number, text: string, tags: string[] = []): NotebookCell {
  return { id: cellId(chapter, kind, index), cell_type: 'markdown', metadata: tags.length ? { tags } : {}, source: lines(text) };
}

function codeCell(chapter: string, kind: string, index: number, text: string, tags: string[] = []): NotebookCell {
  return {
    id: cellId(chapter, kind, index),
    cell_type: 'code',
    metadata: tags.length ? { tags } : {},
    source: lines(text),
    outputs: [],
    execution_count: null,
  };
}

/** The instructor master: every cell, solutions included (tagged), navigation around it. */
export function masterNotebook(chapters: Chapter[], index: number): NotebookCell[] {
  const chapter = chapters[index]!;
  const nav = navigation(chapters, index, true);
  const cells: NotebookCell[] = [markdownCell(chapter.file, 'nav', 0, nav.header, ['nav-header'])];
  chapter.cells.forEach((cell, i) => {
    if (cell.role === 'markdown') cells.push(markdownCell(chapter.file, 'md', i, cell.text));
    else if (cell.role === 'instructor-note') cells.push(markdownCell(chapter.file, 'md', i, cell.text, ['instructor']));
    else if (cell.role === 'code') cells.push(codeCell(chapter.file, 'code', i, cell.text));
    else if (cell.role === 'instructor') cells.push(codeCell(chapter.file, 'code', i, cell.text, ['instructor']));
    else if (cell.role === 'solution') {
      const placeholder = chapter.cells[i + 1]!.text;
      const c = codeCell(chapter.file, 'code', i, cell.text, ['solution']);
      c.metadata.pid_handson = { placeholder };
      cells.push(c);
    }
  });
  cells.push(markdownCell(chapter.file, 'nav', 1, nav.footer, ['nav-footer']));
  return cells;
}

/** The learner copy, derived from the master: solutions → placeholders, instructor cells dropped, no outputs. */
export function learnerNotebook(master: NotebookCell[], chapters: Chapter[], index: number): NotebookCell[] {
  const nav = navigation(chapters, index, false);
  const cells: NotebookCell[] = [];
  for (const cell of master) {
    const tags = (cell.metadata.tags as string[] | undefined) ?? [];
    if (tags.includes('instructor')) continue;
    if (tags.includes('nav-header')) cells.push({ ...cell, source: lines(nav.header) });
    else if (tags.includes('nav-footer')) cells.push({ ...cell, source: lines(nav.footer) });
    else if (tags.includes('solution')) {
      const placeholder = (cell.metadata.pid_handson as { placeholder: string }).placeholder;
      cells.push({ ...cell, metadata: { tags: ['exercise'] }, source: lines(placeholder), outputs: [], execution_count: null });
    } else cells.push(cell.cell_type === 'code' ? { ...cell, outputs: [], execution_count: null } : cell);
  }
  return cells;
}

/**
 * Every chapter's checks must be in `pid-handson/lesson` (lesson/index.ts) as `chNN`, the namespace its
 * notebook imports: a new chapter fails the build until it is exported there.
 */
function checkKitExports(chapters: Chapter[]): void {
  const index = readFileSync(join(LESSON, 'index.ts'), 'utf8');
  const missing = chapters
    .filter((c) => existsSync(join(LESSON, c.file, 'checks.ts')))
    .map((c) => `export * as ch${c.file.slice(0, 2)} from './${c.file}/checks.js';`)
    .filter((line) => !index.includes(line));
  if (missing.length) throw new Error(`lesson/index.ts does not export every chapter's checks; add:\n${missing.join('\n')}`);
}

function contentsBlock(chapters: Chapter[]): string {
  return chapters.map((c) => `${chapterNumber(c.file)}. [${c.title}](${c.file}.ipynb)`).join('\n');
}

/** `file` with the text between `<!-- name:start -->` and `<!-- name:end -->` replaced; throws when the markers are missing. */
function withGenerated(path: string, name: string, content: string): string {
  const text = readFileSync(path, 'utf8');
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  if (!text.includes(start) || !text.includes(end)) throw new Error(`${path}: the markers ${start} … ${end} are missing`);
  return `${text.slice(0, text.indexOf(start) + start.length)}\n${content}\n${text.slice(text.indexOf(end))}`;
}

/** Every generated file with its content. */
export function buildAll(): Map<string, string> {
  const chapters = loadChapters();
  checkKitExports(chapters);
  checkBudget(chapters);
  const out = new Map<string, string>();
  chapters.forEach((chapter, i) => {
    const master = masterNotebook(chapters, i);
    out.set(join(NOTEBOOKS, 'instructor', `${chapter.file}.ipynb`), notebook(master));
    out.set(join(NOTEBOOKS, `${chapter.file}.ipynb`), notebook(learnerNotebook(master, chapters, i)));
    const notes = join(LESSON, chapter.file, 'instructor-notes.md');
    out.set(notes, withNotesTimeLine(readFileSync(notes, 'utf8'), chapter.schedule, `${chapter.file}/instructor-notes.md`));
  });
  const readmePath = join(NOTEBOOKS, 'README.md');
  const readme = existsSync(readmePath) ? readFileSync(readmePath, 'utf8') : '';
  const start = '<!-- contents:start -->';
  const end = '<!-- contents:end -->';
  if (readme.includes(start) && readme.includes(end)) {
    out.set(readmePath, `${readme.slice(0, readme.indexOf(start) + start.length)}\n${contentsBlock(chapters)}\n${readme.slice(readme.indexOf(end))}`);
  }
  out.set(SCHEDULE_NOTES, withGenerated(SCHEDULE_NOTES, 'schedule', scheduleMarkdown(chapters)));
  out.set(README, withGenerated(README, 'timing', readmeTiming(chapters)));
  return out;
}

function main(): void {
  const check = process.argv.includes('--check');
  const stale: string[] = [];
  for (const [path, content] of buildAll()) {
    const current = existsSync(path) ? readFileSync(path, 'utf8') : undefined;
    if (current === content) continue;
    if (check) stale.push(path);
    else writeFileSync(path, content);
  }
  if (check && stale.length) {
    process.stderr.write(`notebooks or schedules out of date with their sources (run npm run notebooks):\n${stale.map((s) => `  ${s}`).join('\n')}\n`);
    process.exit(1);
  }
  if (check) process.stdout.write('notebooks: up to date with their sources\n');
}

if (require.main === module) main();
