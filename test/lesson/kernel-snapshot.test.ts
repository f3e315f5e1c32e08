// The kernel's start-up snapshot (lesson/kernel/typescript-snapshot.ts) must change how fast a kernel starts,
// never what a cell does: the same cells run on a kernel installed with the snapshot and on one without
// must give the same replies and outputs; a declaration file changed after the snapshot was built must be
// compiled from its new text; and the installation must say when its snapshot no longer fits.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { install, KERNEL_PROBE_CELLS, KERNEL_PROBE_STATUSES, LAUNCHER, runCells, workspace } from '../support/kernel-cells.js';
import { linkLessonPackage } from '../support/notebook-runs.js';
import { assertBuilt, ROOT } from '../support/paths.js';
import { temporaryFolder } from '../support/temporary-folders.js';

function check(prefix: string, snapshot = true): number | null {
  return spawnSync(process.execPath, [LAUNCHER, 'check', '--prefix', prefix], { env: { ...process.env, PID_HANDSON_KERNEL_SNAPSHOT: snapshot ? '1' : '0' } })
    .status;
}

describe('the kernel starts from a snapshot of its TypeScript', () => {
  test('install writes the spec with the snapshot and without the user NODE_OPTIONS; check tells a current installation from a stale one', () => {
    assertBuilt();
    const prefix = temporaryFolder('pid-kernel-snapshot-');
    const spec = install(prefix);
    const folder = join(prefix, 'share', 'jupyter', 'kernels', 'tslab');
    assert.deepEqual(spec.argv, [process.execPath, '--snapshot-blob', join(folder, 'typescript.blob'), LAUNCHER, '--config-path', '{connection_file}']);
    assert.deepEqual(spec.env, { NODE_OPTIONS: '' }, 'a V8 flag in NODE_OPTIONS would make Node refuse the snapshot');
    assert.ok(existsSync(join(folder, 'typescript.blob')));
    assert.equal(check(prefix), 0, 'just installed: current');

    const stamp = join(folder, 'typescript.blob.json');
    const built = JSON.parse(readFileSync(stamp, 'utf8'));
    writeFileSync(stamp, JSON.stringify({ ...built, node: 'v0.0.0' }));
    assert.equal(check(prefix), 1, 'a snapshot built by another Node is stale (that Node would refuse it)');

    const plain = install(prefix, LAUNCHER, false);
    assert.deepEqual(plain.argv, [process.execPath, LAUNCHER, '--config-path', '{connection_file}'], 'PID_HANDSON_KERNEL_SNAPSHOT=0: no snapshot');
    assert.ok(!existsSync(join(folder, 'typescript.blob')), 'and no snapshot file left behind');
    assert.equal(check(prefix, false), 0);
    assert.equal(check(prefix, true), 1, 'wanting a snapshot again makes the installation stale');
  });

  test('the same cells give the same replies and outputs with and without the snapshot', async () => {
    assertBuilt();
    linkLessonPackage();
    const withSnapshot = temporaryFolder('pid-kernel-with-');
    const without = temporaryFolder('pid-kernel-without-');
    install(withSnapshot);
    install(without, LAUNCHER, false);
    const [a, b] = [await runCells(withSnapshot, workspace(), KERNEL_PROBE_CELLS), await runCells(without, workspace(), KERNEL_PROBE_CELLS)];
    assert.deepEqual(
      a.map((c) => c.status),
      KERNEL_PROBE_STATUSES,
      JSON.stringify(a),
    );
    assert.deepEqual(a, b);
  });

  test('a declaration file changed after the snapshot was built is compiled from its new text', async () => {
    assertBuilt();
    // (A declared constant has no value at run time, so the cells use only its type.)
    // An installation of its own: the launcher in a folder whose node_modules is the project's, except
    // @types, which also holds a package this test rewrites.
    const root = temporaryFolder('pid-kernel-stale-');
    const kernelDir = join(root, 'dist', 'lesson', 'kernel');
    mkdirSync(kernelDir, { recursive: true });
    for (const file of readdirSync(join(ROOT, 'dist', 'lesson', 'kernel')))
      if (file.endsWith('.js')) cpSync(join(ROOT, 'dist', 'lesson', 'kernel', file), join(kernelDir, file));
    mkdirSync(join(root, 'node_modules', '@types', 'pid-handson-probe'), { recursive: true });
    for (const entry of readdirSync(join(ROOT, 'node_modules')))
      if (entry !== '@types') symlinkSync(join(ROOT, 'node_modules', entry), join(root, 'node_modules', entry));
    for (const entry of readdirSync(join(ROOT, 'node_modules', '@types')))
      symlinkSync(join(ROOT, 'node_modules', '@types', entry), join(root, 'node_modules', '@types', entry));
    const probe = join(root, 'node_modules', '@types', 'pid-handson-probe', 'index.d.ts');
    writeFileSync(probe, 'declare const pidHandsonProbe: number;\n');
    mkdirSync(join(root, 'notebooks'));
    const prefix = join(root, 'prefix');
    const spec = install(prefix, join(kernelDir, 'launch.js'));
    assert.equal(spec.argv[1], '--snapshot-blob');

    const before = await runCells(prefix, join(root, 'notebooks'), ['let before: typeof pidHandsonProbe = 1;']);
    assert.deepEqual(
      before.map((c) => c.status),
      ['ok'],
      `the declaration as it was built: ${JSON.stringify(before)}`,
    );
    writeFileSync(probe, 'declare const pidHandsonProbe: string;\n');
    const after = await runCells(prefix, join(root, 'notebooks'), ["let now: typeof pidHandsonProbe = 'text';", 'let old: typeof pidHandsonProbe = 1;']);
    assert.deepEqual(
      after.map((c) => c.status),
      ['ok', 'error'],
      `the new text counts, not the snapshot's: ${JSON.stringify(after)}`,
    );
  });
});
