// The lesson's schedule, read from the real chapters: every chapter carries its minutes in its schedule block,
// the core path covers every step of the original EUDAT lesson (docs: /work/shared/docs/lesson.md, "the lesson
// we are porting") and fits a three-hour half-day with its breaks, and the generated schedule in the instructor
// notes and the README is exactly what the blocks give, so a changed minute without `npm run notebooks` fails.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadChapters, SCHEDULE_NOTES } from '../../lesson/tools/build.js';
import {
  BREAKS_MINUTES,
  CORE_BUDGET_MINUTES,
  type ChapterSchedule,
  checkBudget,
  coreTotal,
  notesTimeLine,
  readmeTiming,
  readSchedule,
  type ScheduledChapter,
  scheduleMarkdown,
  WORKSHOP_MINUTES,
} from '../../lesson/tools/schedule.js';

const ROOT = resolve(__dirname, '..', '..');

/**
 * The seed steps of the original lesson, each with the chapter sections that teach it. Every one must be on the
 * core path: in a core chapter and not inside a section marked optional.
 */
const SEED_STEPS: Array<{ step: string; chapter: string; sections: string[] }> = [
  {
    step: '1 resolve a Handle, a DOI and an ARK; the record instead of the redirect; prefix and suffix',
    chapter: '01-warming-up',
    sections: ['Three PIDs', 'A DOI is a Handle', "Don't redirect: look at the record", 'Prefix and suffix'],
  },
  {
    step: '2 connect with a credentials file',
    chapter: '02-connecting',
    sections: ['What the keys mean', 'A deliberate failure first: a client without credentials', 'Building the client'],
  },
  {
    step: '3 register a file under prefix + UUID, download it, register it again',
    chapter: '03-registering-a-file',
    sections: [
      'Building the PID: prefix + "/" + UUID',
      'Registering the PID',
      'Downloading through the resolver',
      'How is the downloaded file named?',
      'Registering the same PID again',
    ],
  },
  {
    step: '4 store TYPE and CHECKSUM, read them back; everything is public',
    chapter: '04-storing-and-updating',
    sections: ['Adding key/value pairs', 'A checksum of the file', 'Reading it back', 'PID data is always public'],
  },
  { step: '5 update the URL', chapter: '04-storing-and-updating', sections: ['The file moved'] },
  { step: '6 link two files with REPLICA', chapter: '05-linking', sections: ['Two copies, two PIDs'] },
  {
    step: '7 reverse look-up by checksum, wildcards, one server only',
    chapter: '06-reverse-lookups',
    sections: ['Given only the checksum', 'Wildcards', 'Why only this server?'],
  },
  {
    step: '8 the command-line client',
    chapter: '08-the-command-line',
    sections: ['Create a PID', 'Read it', 'Add the checksum', 'Search', 'Link two PIDs: `relation`'],
  },
];

/** The generated text between a file's markers. */
function generated(path: string, name: string): string {
  const text = readFileSync(path, 'utf8');
  const start = `<!-- ${name}:start -->\n`;
  const end = `\n<!-- ${name}:end -->`;
  assert.ok(text.includes(start) && text.includes(end), `${path} has the ${name} markers`);
  return text.slice(text.indexOf(start) + start.length, text.indexOf(end));
}

/** Whether the line of a chapter's source lies in one of its optional sections. */
function optionalSectionOf(source: string, schedule: ChapterSchedule, heading: string): string | undefined {
  const lines = source.split('\n');
  const headings = lines.flatMap((line, i) => {
    const m = /^(#{2,3}) (.+)$/.exec(line);
    return m ? [{ i, level: m[1]!.length, text: m[2]! }] : [];
  });
  const at = headings.findIndex((h) => h.text === heading);
  if (at < 0) return undefined;
  // The section itself, or an enclosing ## section, is optional.
  for (let k = at; k >= 0; k--) {
    const h = headings[k]!;
    if (k !== at && h.level >= headings[at]!.level) continue;
    if (schedule.optional.some((o) => o.heading === h.text)) return h.text;
    if (h.level === 2) break;
  }
  return undefined;
}

const chapters = loadChapters();

describe('the lesson schedule, from the chapters', () => {
  test('every chapter has a schedule with minutes', () => {
    assert.equal(chapters.length, 10);
    assert.equal(chapters[0]!.file, '00-typescript', 'the TypeScript opening comes first');
    assert.equal(chapters[0]!.schedule.kind, 'core', 'the TypeScript opening is on the core path');
    for (const c of chapters) {
      const { schedule } = readSchedule(readFileSync(join(ROOT, 'lesson', c.file, 'chapter.md'), 'utf8'), c.file);
      assert.deepEqual(schedule, c.schedule);
      assert.ok(c.schedule.own.teaching + c.schedule.own.exercises > 0, `${c.file} has minutes`);
    }
  });

  test('the core path covers every seed step of the original lesson', () => {
    for (const seed of SEED_STEPS) {
      const chapter = chapters.find((c) => c.file === seed.chapter);
      assert.ok(chapter, `seed step ${seed.step}: chapter ${seed.chapter} exists`);
      assert.equal(chapter.schedule.kind, 'core', `seed step ${seed.step}: ${seed.chapter} is on the core path`);
      const source = readFileSync(join(ROOT, 'lesson', seed.chapter, 'chapter.md'), 'utf8');
      for (const section of seed.sections) {
        assert.match(
          source,
          new RegExp(`^#{2,3} ${section.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'),
          `seed step ${seed.step}: ${seed.chapter} has "${section}"`,
        );
        assert.equal(
          optionalSectionOf(source, chapter.schedule, section),
          undefined,
          `seed step ${seed.step}: "${section}" of ${seed.chapter} is core, not optional`,
        );
      }
    }
  });

  test('the core path fits a three-hour half-day with its breaks', () => {
    assert.equal(WORKSHOP_MINUTES, 180);
    assert.equal(CORE_BUDGET_MINUTES, 180 - BREAKS_MINUTES.reduce((a, b) => a + b, 0));
    assert.ok(BREAKS_MINUTES.length >= 2);
    const core = coreTotal(chapters);
    assert.ok(core <= CORE_BUDGET_MINUTES, `core path ${core} min ≤ ${CORE_BUDGET_MINUTES} min`);
    assert.doesNotThrow(() => checkBudget(chapters));
  });

  test('the schedule in the instructor notes and the README is what the chapters give', () => {
    assert.equal(generated(SCHEDULE_NOTES, 'schedule'), scheduleMarkdown(chapters));
    assert.equal(generated(join(ROOT, 'README.md'), 'timing'), readmeTiming(chapters));
    // A hand-written total elsewhere in the notes would be a second source.
    const notes = readFileSync(SCHEDULE_NOTES, 'utf8').replace(/<!-- schedule:start -->[\s\S]*<!-- schedule:end -->/, '');
    assert.doesNotMatch(notes, /\d+ min|hours with breaks|half-day fits/);
    for (const c of chapters) {
      const own = readFileSync(join(ROOT, 'lesson', c.file, 'instructor-notes.md'), 'utf8').split('\n');
      assert.deepEqual(
        own.filter((line) => /\d+ min/.test(line)),
        [notesTimeLine(c.schedule)],
        `${c.file}/instructor-notes.md states minutes only in its generated Time line`,
      );
    }
  });

  test("a chapter's changed minutes no longer match the committed notes", () => {
    const changed: ScheduledChapter[] = chapters.map((c, i) =>
      i === 3 ? { ...c, schedule: { ...c.schedule, own: { ...c.schedule.own, exercises: c.schedule.own.exercises + 1 } } } : c,
    );
    assert.notEqual(scheduleMarkdown(changed), generated(SCHEDULE_NOTES, 'schedule'));
    assert.notEqual(readmeTiming(changed), generated(join(ROOT, 'README.md'), 'timing'));
    const notes = readFileSync(join(ROOT, 'lesson', changed[3]!.file, 'instructor-notes.md'), 'utf8');
    assert.ok(!notes.includes(notesTimeLine(changed[3]!.schedule)));
  });

  test('the build refuses a core path over the budget', () => {
    const over: ScheduledChapter[] = chapters.map((c) => (c.schedule.kind === 'optional' ? { ...c, schedule: { ...c.schedule, kind: 'core' as const } } : c));
    assert.throws(() => checkBudget(over), /the core path takes \d+ min of teaching and exercises; a 180-minute workshop/);
  });

  test('the build refuses a chapter without marks, a mark for a missing section, and minutes outside the block', () => {
    const body = '# T\n\n**Objectives**\n\n## A section\n\ntext\n';
    assert.throws(() => readSchedule(body, 'x.md'), /x\.md: no schedule/);
    assert.throws(() => readSchedule(`<!-- schedule\ncore: teaching 5 min\n-->\n${body}`, 'x.md'), /first line must be/);
    assert.throws(
      () => readSchedule(`<!-- schedule\ncore: teaching 5 min, exercises 5 min\noptional "Gone": teaching 1 min, exercises 0 min\n-->\n${body}`, 'x.md'),
      /names "Gone", which is not exactly one/,
    );
    assert.throws(
      () =>
        readSchedule(
          `<!-- schedule\ncore: teaching 5 min, exercises 5 min\n-->\n${body.replace('**Objectives**', '**Objectives** (teaching 5 min, exercises 5 min)')}`,
          'x.md',
        ),
      /minutes belong in the schedule block only/,
    );
    const ok = readSchedule(
      `<!-- schedule\ncore: teaching 5 min, exercises 5 min\noptional "A section": teaching 2 min, exercises 1 min\n-->\n${body}`,
      'x.md',
    );
    assert.deepEqual(ok.schedule.optional, [{ heading: 'A section', teaching: 2, exercises: 1 }]);
    assert.equal(ok.body, body);
  });

  test('chapters are numbered by their folders, so the opening is chapter 0 and the others keep their numbers', () => {
    const last = Number(chapters.at(-1)!.file.slice(0, 2));
    assert.equal(last, 9);
    const contents = readFileSync(join(ROOT, 'notebooks', 'README.md'), 'utf8');
    for (const c of chapters) {
      const n = Number(c.file.slice(0, 2));
      for (const folder of ['notebooks', 'notebooks/instructor']) {
        const nb = JSON.parse(readFileSync(join(ROOT, folder, `${c.file}.ipynb`), 'utf8')) as { cells: Array<{ source: string[] }> };
        assert.match(nb.cells[0]!.source.join(''), new RegExp(`^\\*pid-handson · chapter ${n} of ${last}[ *]`), `${folder}/${c.file} header`);
      }
      assert.ok(contents.includes(`\n${n}. [${c.title}](${c.file}.ipynb)`), `notebooks/README.md lists ${c.file} as ${n}.`);
      assert.ok(generated(SCHEDULE_NOTES, 'schedule').includes(`| ${n} [${c.title}](${c.file}/instructor-notes.md) |`), `the timetable numbers ${c.file} ${n}`);
    }
    assert.match(readmeTiming(chapters), /every chapter except 7 and 9,/, 'the optional chapters are named by their own numbers');
  });

  test('the notebooks show the timing line and mark optional sections', () => {
    for (const c of chapters) {
      for (const folder of ['notebooks', 'notebooks/instructor']) {
        const nb = JSON.parse(readFileSync(join(ROOT, folder, `${c.file}.ipynb`), 'utf8')) as { cells: Array<{ source: string[] }> };
        const header = nb.cells[0]!.source.join('');
        assert.match(header, c.schedule.kind === 'core' ? /⏱ \*\*Core path\*\*: \d+ min/ : /⏱ \*\*Optional chapter\*\*/, `${folder}/${c.file} timing line`);
        const text = nb.cells.map((cell) => cell.source.join('')).join('\n');
        for (const o of c.schedule.optional) {
          assert.ok(text.includes(`## Optional (${o.teaching + o.exercises} min): ${o.heading}\n`), `${folder}/${c.file} marks "${o.heading}" optional`);
        }
      }
    }
  });
});
