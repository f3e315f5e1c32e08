// The lesson's timings, read from the one place they are written: a `<!-- schedule … -->` block at the top of
// each chapter.md. Everything else that states minutes (the notebooks' timing line and optional-section
// headings, the schedule in lesson/instructor-notes.md, the README's sentence) is generated from it by
// lesson/tools/build.ts, and `npm run notebooks -- --check` fails when any of them is stale.
//
// Why per chapter, in the chapter: the minutes sit next to the text they measure (an author who adds a
// section sees the block), a renamed section heading fails the build instead of silently losing its mark, and
// two people editing two chapters never touch the same file.
//
//   <!-- schedule
//   core: teaching 10 min, exercises 5 min
//   optional "One PID, several locations: `10320/LOC`": teaching 12 min, exercises 5 min
//   -->
//
// The first line is the chapter itself (`core` or `optional`) without its optional sections; each further line
// names one `##`/`###` section by its heading text, which runs to the next heading of its level or higher.

/** A half-day workshop: three hours, with two ten-minute breaks. */
export const WORKSHOP_MINUTES = 180;
export const BREAKS_MINUTES = [10, 10] as const;
/** What the core path's teaching and exercises may take: the workshop less its breaks. */
export const CORE_BUDGET_MINUTES = WORKSHOP_MINUTES - BREAKS_MINUTES.reduce((a, b) => a + b, 0);

export interface Minutes {
  teaching: number;
  exercises: number;
}

export interface OptionalSection extends Minutes {
  heading: string;
}

export interface ChapterSchedule {
  /** The chapter without its optional sections. */
  kind: 'core' | 'optional';
  own: Minutes;
  optional: OptionalSection[];
}

const BLOCK = /^<!-- schedule\n([\s\S]*?)\n-->\n/;
const MINUTES = 'teaching (\\d+) min, exercises (\\d+) min';
const CHAPTER_LINE = new RegExp(`^(core|optional): ${MINUTES}$`);
const SECTION_LINE = new RegExp(`^optional "(.+)": ${MINUTES}$`);
/** Minutes written anywhere else in a chapter would be a second source that can disagree. */
const STRAY_MINUTES = /\(teaching \d+ min/;

export const total = (m: Minutes): number => m.teaching + m.exercises;

/** Splits a chapter source into its schedule and the rest; throws when the block is missing or malformed. */
export function readSchedule(text: string, file: string): { schedule: ChapterSchedule; body: string } {
  const block = BLOCK.exec(text);
  if (!block) throw new Error(`${file}: no schedule; start the file with a <!-- schedule … --> block (lesson/tools/schedule.ts)`);
  const [first, ...rest] = block[1]!.split('\n').map((l) => l.trim());
  const chapter = CHAPTER_LINE.exec(first ?? '');
  if (!chapter) throw new Error(`${file}: the schedule's first line must be "core|optional: teaching N min, exercises N min", not: ${first}`);
  const optional = rest.map((line) => {
    const m = SECTION_LINE.exec(line);
    if (!m) throw new Error(`${file}: a schedule line must be 'optional "Section heading": teaching N min, exercises N min', not: ${line}`);
    return { heading: m[1]!, teaching: Number(m[2]), exercises: Number(m[3]) };
  });
  const body = text.slice(block[0].length);
  const stray = body.split('\n').find((line) => STRAY_MINUTES.test(line));
  if (stray !== undefined) throw new Error(`${file}: minutes belong in the schedule block only: ${stray}`);
  const schedule: ChapterSchedule = {
    kind: chapter[1] as 'core' | 'optional',
    own: { teaching: Number(chapter[2]), exercises: Number(chapter[3]) },
    optional,
  };
  if (schedule.kind === 'optional' && optional.length) throw new Error(`${file}: an optional chapter has no separately optional sections`);
  if (total(schedule.own) === 0) throw new Error(`${file}: the chapter's own minutes are 0`);
  for (const section of optional) {
    if (total(section) === 0) throw new Error(`${file}: optional "${section.heading}" has 0 minutes`);
    const headings = body.split('\n').filter((line) => line === `## ${section.heading}` || line === `### ${section.heading}`);
    if (headings.length !== 1) throw new Error(`${file}: the schedule names "${section.heading}", which is not exactly one ## or ### heading of the chapter`);
  }
  return { schedule, body };
}

export const coreMinutes = (s: ChapterSchedule): Minutes => (s.kind === 'core' ? s.own : { teaching: 0, exercises: 0 });

export function optionalMinutes(s: ChapterSchedule): number {
  return s.kind === 'optional' ? total(s.own) : s.optional.reduce((sum, o) => sum + total(o), 0);
}

/** The heading as a notebook shows it: marked so a trainee or instructor can skip it. */
export function optionalHeading(section: OptionalSection): string {
  return `Optional (${total(section)} min): ${section.heading}`;
}

/** The line at the top of a chapter's notebook. */
export function timingLine(s: ChapterSchedule): string {
  if (s.kind === 'optional')
    return `⏱ **Optional chapter**, not on the half-day core path: ${total(s.own)} min (teaching ${s.own.teaching}, exercises ${s.own.exercises})`;
  const extra = s.optional.length ? ` · optional sections, marked "Optional" in their heading: ${optionalMinutes(s)} min more` : ' · no optional sections';
  return `⏱ **Core path**: ${total(s.own)} min (teaching ${s.own.teaching}, exercises ${s.own.exercises})${extra}`;
}

/** The "Time" line of a chapter's own instructor notes (lesson/NN-name/instructor-notes.md). */
export function notesTimeLine(s: ChapterSchedule): string {
  const source = "(generated from `chapter.md`'s schedule block)";
  if (s.kind === 'optional') {
    return `- **Time:** optional chapter, not on the half-day core path: ${s.own.teaching} min teaching, ${s.own.exercises} min exercises ${source}.`;
  }
  const optional = s.optional.map((o) => `"${o.heading}" ${total(o)} min`).join(', ');
  return `- **Time:** core ${s.own.teaching} min teaching, ${s.own.exercises} min exercises; ${optional ? `optional sections: ${optional}` : 'no optional sections'} ${source}.`;
}

/** A chapter's instructor notes with their Time line regenerated; throws when the notes have none. */
export function withNotesTimeLine(notes: string, s: ChapterSchedule, file: string): string {
  const lines = notes.split('\n');
  const at = lines.flatMap((line, i) => (line.startsWith('- **Time:**') ? [i] : []));
  if (at.length !== 1) throw new Error(`${file}: needs exactly one "- **Time:**" line, which the build writes from the chapter's schedule`);
  lines[at[0]!] = notesTimeLine(s);
  return lines.join('\n');
}

export interface ScheduledChapter {
  file: string;
  title: string;
  schedule: ChapterSchedule;
}

/**
 * A chapter's number is its folder's (`00-typescript` is chapter 0), not its position: the chapters refer to
 * each other by number ("the warm-up Handle of chapter 1"), and the opening chapter 0 must not shift them.
 */
export const chapterNumber = (file: string): number => Number(file.slice(0, 2));

export function coreTotal(chapters: ScheduledChapter[]): number {
  return chapters.reduce((sum, c) => sum + total(coreMinutes(c.schedule)), 0);
}

export function optionalTotal(chapters: ScheduledChapter[]): number {
  return chapters.reduce((sum, c) => sum + optionalMinutes(c.schedule), 0);
}

/** Throws when the core path does not fit the half-day. */
export function checkBudget(chapters: ScheduledChapter[]): void {
  const core = coreTotal(chapters);
  if (core > CORE_BUDGET_MINUTES) {
    throw new Error(
      `the core path takes ${core} min of teaching and exercises; a ${WORKSHOP_MINUTES}-minute workshop with breaks of ${BREAKS_MINUTES.join(' and ')} min leaves ${CORE_BUDGET_MINUTES}: mark sections optional or shorten them`,
    );
  }
}

/** Wraps a paragraph at the width the project's Markdown is written in. */
function wrap(text: string, width = 110): string {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      out.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...out, line].join('\n');
}

const clock = (minutes: number): string => `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, '0')}`;

const hoursAndMinutes = (minutes: number): string => (minutes % 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes / 60} h`);

/** The schedule table of lesson/instructor-notes.md: the half-day timetable, breaks placed between chapters. */
export function scheduleMarkdown(chapters: ScheduledChapter[]): string {
  const core = coreTotal(chapters);
  const corePath = chapters.filter((c) => c.schedule.kind === 'core');
  // A break after the chapter where the core path first passes each third of its length.
  const breaksAfter = new Map<string, number>();
  let elapsed = 0;
  let next = 0;
  for (const c of corePath) {
    elapsed += total(c.schedule.own);
    if (next < BREAKS_MINUTES.length && elapsed >= (core * (next + 1)) / (BREAKS_MINUTES.length + 1) && c !== corePath.at(-1)) {
      breaksAfter.set(c.file, BREAKS_MINUTES[next]!);
      next++;
    }
  }
  const rows: string[] = ['| Starts at | Chapter | Core: teaching | Core: exercises | Optional (skip in a half-day) |', '|---|---|---|---|---|'];
  let at = 0;
  chapters.forEach((c) => {
    const s = c.schedule;
    const link = `${chapterNumber(c.file)} [${c.title}](${c.file}/instructor-notes.md)`;
    if (s.kind === 'optional') {
      rows.push(`| — | ${link} | — | — | the whole chapter: ${total(s.own)} min (teaching ${s.own.teaching}, exercises ${s.own.exercises}) |`);
      return;
    }
    const optional = s.optional.map((o) => `${o.heading} (${total(o)} min)`).join('; ') || '—';
    rows.push(`| ${clock(at)} | ${link} | ${s.own.teaching} min | ${s.own.exercises} min | ${optional} |`);
    at += total(s.own);
    const pause = breaksAfter.get(c.file);
    if (pause) {
      rows.push(`| ${clock(at)} | *break* | ${pause} min | | |`);
      at += pause;
    }
  });
  rows.push(`| ${clock(at)} | *end of the half-day* | | | |`);
  const teaching = chapters.reduce((sum, c) => sum + coreMinutes(c.schedule).teaching, 0);
  const exercises = chapters.reduce((sum, c) => sum + coreMinutes(c.schedule).exercises, 0);
  const optional = optionalTotal(chapters);
  const breaks = BREAKS_MINUTES.reduce((a, b) => a + b, 0);
  return [
    ...rows,
    '',
    wrap(
      `**Core path**: ${core} min (teaching ${teaching}, exercises ${exercises}) plus ${BREAKS_MINUTES.length} breaks of ` +
        `${BREAKS_MINUTES.join(' and ')} min = ${clock(core + breaks)}, within a ${hoursAndMinutes(WORKSHOP_MINUTES)} half-day ` +
        `(${CORE_BUDGET_MINUTES - core} min to spare for set-up problems and questions). **Optional** chapters and sections: ` +
        `${optional} min more (${hoursAndMinutes(core + optional)} for everything without breaks); they are marked ` +
        '"Optional (N min)" in the notebooks and can be skipped or left as homework (bundles keep working as long as ' +
        'the server runs and the trainee is not revoked).',
    ),
  ].join('\n');
}

/** A list as a sentence says it: 7, `7 and 9`, `5, 7 and 9`; `none` when empty. */
function inWords(items: readonly number[]): string {
  if (items.length === 0) return 'none';
  return items.length === 1 ? String(items[0]) : `${items.slice(0, -1).join(', ')} and ${String(items.at(-1))}`;
}

/** The README's sentence about the lesson's length. */
export function readmeTiming(chapters: ScheduledChapter[]): string {
  const core = coreTotal(chapters);
  const breaks = BREAKS_MINUTES.reduce((a, b) => a + b, 0);
  const optionalChapters = chapters.filter((c) => c.schedule.kind === 'optional').map((c) => chapterNumber(c.file));
  return wrap(
    `The **core path** (every chapter except ${inWords(optionalChapters)}, without the sections marked ` +
      `"Optional (N min)") takes ${core} min of teaching and exercises: with ${BREAKS_MINUTES.length} breaks of ` +
      `${BREAKS_MINUTES.join(' and ')} min it fits a ${hoursAndMinutes(WORKSHOP_MINUTES)} half-day ` +
      `(${clock(core + breaks)}); the optional parts add ${optionalTotal(chapters)} min. The timetable: ` +
      '[lesson/instructor-notes.md](lesson/instructor-notes.md#timings-per-chapter).',
  );
}
