// Taking the lesson home (docs/taking-it-home.md): every chapter, learner copy and instructor master, runs
// headless on the real tslab kernel against `pid-mock serve --plain`, a server with no mock-only part, as a
// trainee's own Handle server is. Every cell must reply ok; every part that needs the mock must be skipped
// with its reason, and only those parts, chapter by chapter. One chapter at a time: the machine is shared.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MISSING, NO_SEARCH_ACCOUNT, type ServerPart } from '../../lesson/kit/offers.js';
import { type MockProcess, startMockProcess } from '../support/mock-process.js';
import { type CellReport, jupyterEnv, lessonChapters, linkLessonPackage, NOTEBOOKS, PYTHON } from '../support/notebook-runs.js';
import { ROOT } from '../support/paths.js';
import { temporaryFolder } from '../support/temporary-folders.js';

const execFileAsync = promisify(execFile);

/** What each chapter cannot do without the mock (chapter 0 reads another handle instead of the warm-up one). */
const SKIPPED: Record<string, ServerPart[]> = {
  '00-typescript': ['warm-up-records'],
  '01-warming-up': ['repository', 'warm-up-records'],
  '02-connecting': ['warm-up-records'],
  '03-registering-a-file': ['repository'],
  '04-storing-and-updating': ['repository'],
  '05-linking': ['repository', 'reverse-lookup'],
  '06-reverse-lookups': ['repository', 'reverse-lookup'],
  '07-under-the-hood': ['teaching-faults', 'warm-up-records'],
  '08-the-command-line': ['repository', 'reverse-lookup', 'warm-up-records'],
  '09-pids-machines-act-on': ['content-negotiation', 'typed-services'],
};

const REASONS = new Set([...Object.values(MISSING), NO_SEARCH_ACCOUNT]);
let server: MockProcess | undefined;
const outDir = temporaryFolder('plain-notebooks-');

before(async () => {
  linkLessonPackage();
  server = await startMockProcess({ plain: true });
});
after(async () => {
  await server?.stop();
});

async function run(notebook: string): Promise<CellReport[]> {
  const folder = notebook.startsWith('instructor/') ? join(NOTEBOOKS, 'instructor') : NOTEBOOKS;
  const name = notebook.replace(/^instructor\//, '');
  const { stdout } = await execFileAsync(PYTHON, [join(ROOT, 'test', 'notebooks', 'run_notebook.py'), name, join(outDir, notebook.replace('/', '-'))], {
    cwd: folder,
    env: { ...jupyterEnv(process.env), PID_CREDENTIALS: server!.credentialsFile },
    maxBuffer: 64 * 1024 * 1024,
    timeout: 10 * 60 * 1000,
  });
  return (JSON.parse(stdout) as { cells: CellReport[] }).cells;
}

/** Shown text of the HTML a check box is (escapeHtml's five entities undone). */
function unescaped(html: string): string {
  return html
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The parts whose reason the run showed, above a skipped cell or in a skipped check. */
function skippedParts(cells: CellReport[]): ServerPart[] {
  const shown = unescaped(cells.map((c) => `${c.stdout}\n${c.output}`).join('\n'));
  return (Object.keys(MISSING) as ServerPart[]).filter((part) => shown.includes(MISSING[part])).sort();
}

describe('every chapter runs against a plain Handle server (pid-mock serve --plain)', { concurrency: 1 }, () => {
  for (const chapter of lessonChapters()) {
    for (const notebook of [`${chapter}.ipynb`, `instructor/${chapter}.ipynb`]) {
      const isMaster = notebook.startsWith('instructor/');
      test(`${notebook}: every cell ok, and it skips exactly what needs the mock, saying why`, async () => {
        const cells = await run(notebook);
        const failures = cells.filter((c) => c.status !== 'ok' || c.error || c.stderr);
        assert.deepEqual(
          failures.map((c) => `cell ${c.index} [${c.status}] ${c.error ?? ''} ${c.stderr ?? ''} :: ${c.source.split('\n')[0]}`),
          [],
          `cells that failed on a plain server in ${notebook}`,
        );
        // Every "Skipping …" line follows the sentence that says which part is missing.
        for (const cell of cells) {
          const lines = cell.stdout.split('\n');
          lines.forEach((line, at) => {
            if (!line.startsWith('Skipping ')) return;
            assert.ok(
              REASONS.has(lines[at - 1] ?? ''),
              `cell ${cell.index} skips without its reason: ${JSON.stringify(lines.slice(Math.max(0, at - 1), at + 1))}`,
            );
          });
        }
        const outputs = cells.map((c) => c.output).join('\n');
        // A skipped check's box: its heading, then the reason and what it means for the exercise.
        for (const box of outputs.matchAll(/data-outcome="skipped"[\s\S]*?<div style="margin-top:4px">([\s\S]*?)<\/div><\/div>/g)) {
          const said = unescaped(box[1]!);
          assert.ok(
            [...REASONS].some((reason) => said.startsWith(reason)),
            `a skipped check says why: ${said}`,
          );
        }
        const verdicts = [...outputs.matchAll(/data-outcome="(\w+)"/g)].map((m) => m[1]);
        const allowed = isMaster ? ['correct', 'hint', 'solution', 'skipped'] : ['unattempted', 'hint', 'solution', 'skipped'];
        assert.deepEqual(
          verdicts.filter((v) => !allowed.includes(v!)),
          [],
          `${notebook}: checks say ${isMaster ? 'correct' : 'not attempted'} or skipped`,
        );
        assert.deepEqual(skippedParts(cells), [...(SKIPPED[chapter] ?? [])].sort(), `the parts ${notebook} skips`);
      });
    }
  }
});
