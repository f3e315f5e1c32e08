// The class's compile service (lesson/kernel/compile-service.ts) must change where a kernel's TypeScript
// runs, never what a cell does: every code cell of every learner and instructor notebook compiles to the
// same result through the service as with tslab's own converter, without the kernel loading TypeScript;
// a kernel whose service is missing, or whose cell needs the trainee's own files, compiles itself with the
// same result; and a session can neither read files outside the installation nor see another session's.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { install, KERNEL_PROBE_CELLS, KERNEL_PROBE_STATUSES, runCells, workspace } from '../support/kernel-cells.js';
import { linkLessonPackage, NOTEBOOKS } from '../support/notebook-runs.js';
import { onLines } from '../../lesson/kernel/compile-protocol.js';
import { assertBuilt, ROOT } from '../support/paths.js';
import { stopChild } from '../support/processes.js';
import { temporaryFolder } from '../support/temporary-folders.js';

const execFileAsync = promisify(execFile);
const SERVICE = join(ROOT, 'dist', 'lesson', 'kernel', 'compile-service.js');
const CONVERT_CELLS = join(ROOT, 'test', 'support', 'convert-cells.cjs');

interface Converted {
  results: Array<{ meta: unknown; result: { diagnostics: Array<{ code: number; messageText: string }>; output?: string; sideOutputs?: unknown } }>;
  loadedTypeScript: boolean;
}

/** Compiles `cells` in `folder` as a kernel does, through the service at `address` or (undefined) by itself. */
async function convertCells(folder: string, cells: string[], address: string | undefined): Promise<Converted> {
  const file = join(temporaryFolder('pid-cells-'), 'cells.json');
  writeFileSync(file, JSON.stringify(cells));
  const env = { ...process.env };
  delete env.PID_HANDSON_COMPILE_SERVICE;
  if (address) env.PID_HANDSON_COMPILE_SERVICE = address;
  const { stdout } = await execFileAsync(process.execPath, [CONVERT_CELLS, file], { cwd: folder, env, maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout) as Converted;
}

function codeCells(notebook: string): string[] {
  const cells = (JSON.parse(readFileSync(notebook, 'utf8')) as { cells: Array<{ cell_type: string; source: string | string[] }> }).cells;
  return cells.filter((c) => c.cell_type === 'code').map((c) => (Array.isArray(c.source) ? c.source.join('') : c.source));
}

/** Lines sent on a connection of their own, and the service's reply lines. */
function ask(address: string, lines: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = connect(address);
    const replies: string[] = [];
    onLines(socket, (line) => {
      replies.push(line);
      if (replies.length === lines.length) socket.end();
    });
    socket.on('close', () => resolve(replies));
    socket.on('error', reject);
    socket.on('connect', () => {
      for (const line of lines) socket.write(`${line}\n`);
    });
  });
}

/** The compile service on `address`, once it listens; `log.text` grows with what it writes on stderr. */
async function startService(address: string): Promise<{ child: ChildProcess; log: { text: string } }> {
  const child = spawn(process.execPath, [SERVICE, '--socket', address], { stdio: ['ignore', 'ignore', 'pipe'] });
  const log = { text: '' };
  await new Promise<void>((resolve, reject) => {
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      log.text += chunk;
      if (log.text.includes('listening')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the service exited (${code}): ${log.text}`)));
  });
  return { child, log };
}

/** A kernel between a trainee's cells: convert-cells.cjs reading one cell per line. */
function interactiveKernel(folder: string, address: string) {
  const child = spawn(process.execPath, [CONVERT_CELLS, '-'], {
    cwd: folder,
    env: { ...process.env, PID_HANDSON_COMPILE_SERVICE: address },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const answers: string[] = [];
  const waiting: Array<(line: string) => void> = [];
  onLines(child.stdout, (line) => {
    const next = waiting.shift();
    if (next) next(line);
    else answers.push(line);
  });
  return {
    run(
      cell: string | { module: string; content: string } | { inspect: string; position: number } | { complete: string; position: number },
    ): Promise<{ result: { diagnostics: unknown[]; output?: string }; loadedTypeScript: boolean }> {
      child.stdin.write(`${JSON.stringify(cell)}\n`);
      return new Promise((resolve) => {
        const ready = answers.shift();
        if (ready !== undefined) resolve(JSON.parse(ready));
        else waiting.push((line) => resolve(JSON.parse(line)));
      });
    },
    close: () => stopChild(child),
  };
}

describe('the class compile service', () => {
  let service: ChildProcess;
  let address: string;
  let serviceLog: { text: string };

  before(async () => {
    assertBuilt();
    linkLessonPackage();
    address = join(temporaryFolder('pid-compile-'), 'compile.sock');
    const started = await startService(address);
    service = started.child;
    serviceLog = started.log;
  });
  after(() => {
    service.kill();
  });

  test('every code cell of every learner and instructor notebook compiles to what tslab itself gives, and the kernel never loads TypeScript', async () => {
    const notebooks = [
      ...readdirSync(NOTEBOOKS)
        .filter((f) => f.endsWith('.ipynb'))
        .map((f) => join(NOTEBOOKS, f)),
      ...readdirSync(join(NOTEBOOKS, 'instructor'))
        .filter((f) => f.endsWith('.ipynb'))
        .map((f) => join(NOTEBOOKS, 'instructor', f)),
    ];
    assert.ok(notebooks.length >= 20, `learner and instructor notebooks: ${notebooks.length}`);
    for (const notebook of notebooks) {
      const cells = codeCells(notebook);
      const folder = join(notebook, '..');
      const [remote, local] = await Promise.all([convertCells(folder, cells, address), convertCells(folder, cells, undefined)]);
      assert.equal(remote.results.length, cells.length);
      assert.deepEqual(remote.results, local.results, notebook);
      assert.equal(local.loadedTypeScript, true, 'the comparison: tslab loads TypeScript in the kernel');
      assert.equal(remote.loadedTypeScript, false, `${notebook}: compiled by the service, not the kernel`);
    }
  });

  test('a kernel whose service is not running compiles itself, with the same results', async () => {
    const cells = codeCells(join(NOTEBOOKS, '01-warming-up.ipynb'));
    const missing = join(temporaryFolder('pid-compile-missing-'), 'nobody.sock');
    const [alone, local] = await Promise.all([convertCells(NOTEBOOKS, cells, missing), convertCells(NOTEBOOKS, cells, undefined)]);
    assert.deepEqual(alone.results, local.results);
    assert.equal(alone.loadedTypeScript, true);
  });

  test("a cell that imports the trainee's own file or package is compiled by the kernel, from the trainee's folder", async () => {
    const folder = workspace();
    writeFileSync(join(folder, 'helper.ts'), 'export const answer: number = 42;\n');
    const cells = [
      "import { answer } from './helper';\nanswer + 1",
      "import { ownValue } from 'trainee-own';\nconst checked: string = ownValue;",
      'const after: number = answer * 2;',
    ];
    // A package only in the trainee's folder: the folder's node_modules is the project's, so it goes under @types there.
    const own = join(temporaryFolder('pid-compile-own-'), 'node_modules');
    mkdirSync(join(own, 'trainee-own'), { recursive: true });
    writeFileSync(join(own, 'trainee-own', 'index.d.ts'), 'export declare const ownValue: string;\n');
    const trainee = join(own, '..', 'notebooks');
    mkdirSync(trainee);
    writeFileSync(join(trainee, 'helper.ts'), 'export const answer: number = 42;\n');
    for (const where of [folder, trainee]) {
      const [remote, local] = await Promise.all([convertCells(where, cells, address), convertCells(where, cells, undefined)]);
      assert.deepEqual(remote.results, local.results, where);
    }
    const inTrainee = await convertCells(trainee, cells, address);
    assert.deepEqual(
      inTrainee.results.map((r) => r.result.diagnostics.map((d) => d.code)),
      [[], [], []],
      `the helper and the package are the trainee's: ${JSON.stringify(inTrainee.results.map((r) => r.result.diagnostics))}`,
    );
  });

  test('a session reads nothing outside the installation and nothing of another session; bad requests change nothing', async () => {
    const outside = join(temporaryFolder('pid-compile-outside-'), 'outside.d.ts');
    writeFileSync(outside, 'declare const leakedOutside: "SECRET-OUTSIDE-TEXT";\n');
    const [reference] = await ask(address, [
      JSON.stringify({ id: 1, op: 'convert', prevDecl: '', src: `/// <reference path="${outside}" />\nconst seen: string = leakedOutside;` }),
    ]);
    assert.ok(reference && !reference.includes('SECRET-OUTSIDE-TEXT'), reference);
    const referenced = JSON.parse(reference ?? '{}') as { result?: { diagnostics: Array<{ code: number }> } };
    assert.ok(referenced.result && referenced.result.diagnostics.length > 0, `the file outside is not read: ${reference}`);

    // Session A adds a module; session B cannot import it (its look-up is refused: B's kernel compiles that cell).
    const module = JSON.stringify({ id: 1, op: 'addModule', name: 'mine', content: 'export const mine = "A-ONLY";' });
    const importIt = JSON.stringify({ id: 2, op: 'convert', prevDecl: '', src: "import { mine } from './mine';\nmine" });
    const [added, fromA] = await ask(address, [module, importIt]);
    assert.deepEqual(JSON.parse(added ?? '{}'), { id: 1, result: [] });
    const ownModule = JSON.parse(fromA ?? '{}') as { result?: { diagnostics: unknown[]; output: string } };
    assert.deepEqual(ownModule.result?.diagnostics, [], `A imports its own module: ${fromA}`);
    const [fromB] = await ask(address, [importIt]);
    assert.deepEqual(JSON.parse(fromB ?? '{}'), { id: 2, local: true }, 'B does not see A’s module: its kernel compiles that cell');

    // Not JSON, and a line larger than any cell: the first is answered "compile it yourself", the second closes that connection.
    const [garbage] = await ask(address, ['{"id": 7, "op": "convert", "src": SECRET-CELL-TEXT']);
    assert.deepEqual(JSON.parse(garbage ?? '{}'), { id: -1, local: true });
    const huge = await ask(address, [`{"id":1,"op":"convert","prevDecl":"","src":"${'x'.repeat(9 * 1024 * 1024)}`]).catch(() => ['closed']);
    assert.ok(huge.length === 0 || huge[0] === 'closed', 'an oversized request is not served');
    const [still] = await ask(address, [JSON.stringify({ id: 3, op: 'convert', prevDecl: '', src: 'const n: number = 1;\nn' })]);
    assert.equal((JSON.parse(still ?? '{}') as { result: { diagnostics: unknown[] } }).result.diagnostics.length, 0, 'the service still serves');
    assert.ok(!serviceLog.text.includes('SECRET-CELL-TEXT'), 'a cell is never logged');
  });

  test('a kernel waits for a restarted service and goes on through it; a service that stays away, it compiles without', { timeout: 120_000 }, async () => {
    const own = join(temporaryFolder('pid-compile-restart-'), 'compile.sock');
    let restartable = await startService(own);
    const kernel = interactiveKernel(NOTEBOOKS, own);
    try {
      const first = await kernel.run('const seeds: number = 1;');
      assert.deepEqual([first.result.diagnostics, first.loadedTypeScript], [[], false]);
      const module = await kernel.run({ module: 'helpers', content: 'export const twice = (n: number): number => n * 2;' });
      assert.deepEqual([module.result.diagnostics, module.loadedTypeScript], [[], false]);
      // The hub restarts a service that exits; the kernel's next cell comes while it is still starting.
      restartable.child.kill('SIGKILL');
      const restarted = startService(own);
      // A request on its way when the service died is compiled by the kernel (it may be what killed the
      // service); the trainee's next cell comes after the kernel has seen the connection close.
      await sleep(500);
      const second = await kernel.run('const more: number = seeds + 1;');
      restartable = await restarted;
      assert.deepEqual([second.result.diagnostics, second.loadedTypeScript], [[], false], 'compiled by the restarted service');
      assert.match(second.result.output ?? '', /exports\.more = more/);
      const fromModule = await kernel.run("import { twice } from './helpers';\nconst doubled: number = twice(more);");
      assert.deepEqual([fromModule.result.diagnostics, fromModule.loadedTypeScript], [[], false], 'the restarted service has the kernel’s module');
      // A service that does not come back: after the wait, the kernel compiles the cell itself.
      restartable.child.kill('SIGKILL');
      await sleep(500);
      const waited = performance.now();
      const third = await kernel.run('const most: number = more + 1;');
      assert.deepEqual([third.result.diagnostics, third.loadedTypeScript], [[], true]);
      assert.ok(performance.now() - waited >= 15_000, 'the kernel gave the service its time to come back first');
    } finally {
      await kernel.close();
      restartable.child.kill();
    }
  });

  test("what the notebook shows on Shift+Tab and Tab through the service is tslab's own, from a folder deeper down too", async () => {
    const folder = join(NOTEBOOKS, 'instructor');
    const asked = [
      "import { HandleClient } from 'pid-handson/lesson';",
      "declare const client: HandleClient;\nconst receipt = client.retrieveHandleRecordJson('x');",
      { inspect: 'receipt', position: 3 },
      { complete: 'client.retr', position: 11 },
      { complete: 'recei', position: 5 },
    ];
    const viaService = interactiveKernel(folder, address);
    const alone = interactiveKernel(folder, join(temporaryFolder('pid-compile-none-'), 'nobody.sock'));
    try {
      for (const question of asked) {
        const [remote, local] = [await viaService.run(question), await alone.run(question)];
        assert.deepEqual(remote.result, local.result, JSON.stringify(question));
        assert.deepEqual([remote.loadedTypeScript, local.loadedTypeScript], [false, true]);
        if (typeof question === 'object' && 'complete' in question && question.complete === 'client.retr')
          assert.ok((remote.result as unknown as { candidates: string[] }).candidates.includes('retrieveHandleRecordJson'), 'a real completion');
      }
    } finally {
      await Promise.all([viaService.close(), alone.close()]);
    }
  });

  test('a kernel on the service runs cells as a kernel without it: same replies and outputs', async () => {
    const prefix = temporaryFolder('pid-kernel-service-');
    install(prefix, undefined, false);
    const [viaService, alone] = [
      await runCells(prefix, workspace(), KERNEL_PROBE_CELLS, { PID_HANDSON_COMPILE_SERVICE: address }),
      await runCells(prefix, workspace(), KERNEL_PROBE_CELLS, { PID_HANDSON_COMPILE_SERVICE: '' }),
    ];
    assert.deepEqual(
      viaService.map((c) => c.status),
      KERNEL_PROBE_STATUSES,
      JSON.stringify(viaService),
    );
    assert.deepEqual(viaService, alone);
  });
});
