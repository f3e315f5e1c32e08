// The progress reports and planned failures from inside a real tslab kernel: two trainees of a class
// provisioned by `pid-mock class provision` run a chapter each with their own bundle (one a master with
// the solutions, one a learner copy with its placeholders), headless with nbclient. The class model then
// holds their verdicts, each reported once per check, and the chapter's deliberate 403 or 409 as a planned
// failure, not an error; no cell printed anything on stderr.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { httpRequest } from '../support/http.js';
import { runCli, spawnServer, type ServerProcess } from '../support/mock-process.js';
import { linkLessonPackage, runNotebookAs } from '../support/notebook-runs.js';
import { temporaryFolder } from '../support/temporary-folders.js';

interface Row {
  name: string;
  exercises: Record<string, string>;
  attempts: Record<string, number>;
  unexpectedErrors: number;
  plannedErrors: number;
}

let dataDir: string;
let server: ServerProcess;
const outDir = temporaryFolder('progress-kernel-notebooks-');

before(async () => {
  linkLessonPackage();
  dataDir = temporaryFolder('pid-progress-kernel-');
  server = await spawnServer(dataDir);
  const provisioned = await runCli(['class', 'provision', '--trainees', '2', '--data', dataDir]);
  assert.match(provisioned.stdout, /^2 new/, provisioned.stdout);
});

after(async () => {
  await server?.kill('SIGTERM');
});

/** Runs a notebook as `trainee`, with their bundle's cred_file.json as PID_CREDENTIALS; returns the cells that failed or wrote stderr. */
function runAs(trainee: string, notebook: string): Promise<string[]> {
  return runNotebookAs(join(dataDir, 'instructor', 'class', 'bundles', `pid-handson-${trainee}`, 'cred_file.json'), notebook, join(outDir, `${trainee}.ipynb`));
}

async function admin(path: string): Promise<unknown> {
  const result = await httpRequest(`${server.httpsUrl}${path}`, { headers: { authorization: `Bearer ${server.adminToken}` }, dispatcher: server.agent });
  assert.equal(result.status, 200, result.text);
  return result.json();
}

async function rowOf(trainee: string): Promise<Row> {
  const view = (await admin('/_admin/class/progress')) as { trainees: Row[] };
  const row = view.trainees.find((t) => t.name === trainee);
  assert.ok(row, `${trainee} is not in the class`);
  return row;
}

test("chapter 3's master, run by a trainee: its checks are Correct on the board, its 409 is planned", async () => {
  assert.deepEqual(await runAs('TRAINEE01', 'instructor/03-registering-a-file.ipynb'), [], 'every cell ran, none wrote to stderr');
  // The last check's report is sent after its cell ended: give it a moment to land.
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const row = await rowOf('TRAINEE01');
  assert.deepEqual(row.exercises, { '3.1': 'correct', '3.2': 'correct', Q3: 'correct' });
  assert.deepEqual(row.attempts, { '3.1': 1, '3.2': 1, Q3: 1 });
  assert.deepEqual([row.plannedErrors, row.unexpectedErrors], [1, 0], "the chapter's duplicate registration is the lesson's, not the trainee's");
  const stored = ((await admin('/_admin/state')) as { progress: Array<{ trainee: string; attempt: number }> }).progress.filter(
    (r) => r.trainee === '21.T12995/TRAINEE01',
  );
  assert.deepEqual(
    stored.map((r) => r.attempt),
    [1, 1, 1],
  );
});

test("chapter 2's learner copy, run untouched: every check Not attempted yet, its refusals planned", async () => {
  assert.deepEqual(await runAs('TRAINEE02', '02-connecting.ipynb'), [], 'every cell ran, none wrote to stderr');
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const row = await rowOf('TRAINEE02');
  // The board lists every exercise reported in the class (chapter 3's too): chapter 2's are this trainee's.
  const chapter2 = Object.fromEntries(Object.entries(row.exercises).filter(([id]) => /^(2\.|Q2)/.test(id)));
  assert.deepEqual(chapter2, { '2.1': 'unattempted', '2.2': 'unattempted', Q2: 'unattempted' });
  assert.equal(row.unexpectedErrors, 0, 'the 403 on the warm-up Handle is planned');
  assert.equal(row.plannedErrors, 1, 'the 403 of the client with credentials (the one without sends no write)');
});
