// An instructor reads a note before teaching what it is about ("do the failing cell first"), so every
// `> **Instructor note**` cell of a chapter stands directly before the heading of its section, never
// after the exercises it concerns.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSource } from '../../lesson/tools/build.js';
import { ROOT } from '../support/paths.js';

const LESSON = join(ROOT, 'lesson');

test('every instructor note opens the section it is about: the next cell is a heading', () => {
  const chapters = readdirSync(LESSON).filter((f) => /^\d\d-/.test(f));
  assert.ok(chapters.length >= 9);
  let notes = 0;
  for (const chapter of chapters) {
    const cells = parseSource(readFileSync(join(LESSON, chapter, 'chapter.md'), 'utf8'), `${chapter}/chapter.md`);
    cells.forEach((cell, i) => {
      if (cell.role !== 'instructor-note') return;
      notes++;
      const next = cells[i + 1];
      assert.ok(
        next?.role === 'markdown' && /^#{2,3} /.test(next.text) && !/^## Key points/.test(next.text),
        `${chapter}: the note "${cell.text.slice(0, 70)}…" is followed by ${next ? `"${next.text.slice(0, 50)}"` : 'nothing'}, not a section heading`,
      );
    });
  }
  assert.ok(notes >= 10, `the chapters carry their notes (${notes})`);
});
