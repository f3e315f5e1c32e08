// After a kernel restart tslab reports a forgotten name as a compile error before any lesson code runs, so
// the advice is on the page: the top of every generated notebook says to use Cell → Run All Above, and that
// works because every chapter's first code cell is its set-up (the kit, the credentials, `exercises`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESTART_LINE } from '../../lesson/tools/build.js';
import { ROOT } from '../support/paths.js';

interface Cell {
  cell_type: string;
  source: string[] | string;
}

const text = (cell: Cell) => (Array.isArray(cell.source) ? cell.source.join('') : cell.source);

for (const folder of ['notebooks', join('notebooks', 'instructor')]) {
  const chapters = readdirSync(join(ROOT, folder)).filter((f) => /^\d\d-.*\.ipynb$/.test(f));
  test(`every chapter in ${folder}/ says at its top what to do after a kernel restart, and starts with its set-up`, () => {
    assert.equal(chapters.length, 10);
    for (const chapter of chapters) {
      const cells = (JSON.parse(readFileSync(join(ROOT, folder, chapter), 'utf8')) as { cells: Cell[] }).cells;
      assert.ok(text(cells[0]!).includes(RESTART_LINE), `${chapter}: the first cell carries the restart advice`);
      const setUp = cells.find((c) => c.cell_type === 'code');
      assert.ok(setUp, `${chapter} has code`);
      assert.match(text(setUp), /from 'pid-handson\/lesson'/, `${chapter}: the first code cell imports the lesson kit`);
      assert.match(text(setUp), /ch0\d as exercises/, `${chapter}: the first code cell defines exercises`);
      assert.match(text(setUp), /loadLessonCredentials\(\)/, `${chapter}: the first code cell loads the credentials`);
    }
  });
}
