// Proves the conformance replay can fail: synthetic transcripts, one deliberately wrong, must yield exactly that
// mismatch and the right counts, and the command must refuse to run without a folder.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { exitCodeOf, formatReport, replayFolder, type ReplayReport } from './harness/replay.js';
import { ROOT } from '../support/paths.js';
import { temporaryFolder } from '../support/temporary-folders.js';

const JSON_TYPE = { 'content-type': 'application/json;charset=utf-8' };

function transcript(scheme: 'http' | 'https', method: string, requestPath: string, status: number, body: unknown): unknown {
  return {
    request: { method, path: requestPath, headers: {}, body: null },
    response: { status, headers: JSON_TYPE, body },
    meta: { scheme, clientCertificate: null, otherResponseHeaders: {}, note: 'synthetic' },
  };
}

let folder: string;
let report: ReplayReport;

before(async () => {
  folder = temporaryFolder('conformance-test-');
  const write = (name: string, content: unknown) => writeFileSync(path.join(folder, name), JSON.stringify(content));
  // Matches the mock: the pre-existing record of the scenario, with a timestamp from another day.
  write(
    '01-get-existing.json',
    transcript('http', 'GET', '/api/handles/21.T12995/EXISTING1?index=1', 200, {
      responseCode: 1,
      handle: '21.T12995/EXISTING1',
      values: [{ index: 1, type: 'URL', data: { format: 'string', value: 'https://example.org/existing1' }, ttl: 86400, timestamp: '2020-01-01T00:00:00Z' }],
    }),
  );
  // Deliberately wrong: a missing handle is 404, not 200; the body itself is right.
  write(
    '02-get-missing-wrong-status.json',
    transcript('http', 'GET', '/api/handles/21.T12995/DOES-NOT-EXIST', 200, { responseCode: 100, handle: '21.T12995/DOES-NOT-EXIST' }),
  );
  // Only the variant server (which does not home 0.NA) answers 400/301 here; the main one would say 404.
  write(
    '10-variant-get-no-slash.json',
    transcript('http', 'GET', '/api/handles/NOSLASH', 400, { responseCode: 301, message: "That prefix doesn't live here", handle: 'NOSLASH' }),
  );
  writeFileSync(path.join(folder, 'README.md'), 'not a transcript');
  report = await replayFolder(folder);
});

after(() => rmSync(folder, { recursive: true, force: true }));

test('plays the numbered transcripts in numeric order, variant cases on the variant server', () => {
  assert.deepEqual(
    report.results.map((r) => [r.number, r.name, r.server]),
    [
      [1, 'get-existing', 'main'],
      [2, 'get-missing-wrong-status', 'main'],
      [10, 'variant-get-no-slash', 'variant'],
    ],
  );
});

test('reports exactly the deliberate status mismatch and the counts', () => {
  assert.deepEqual(report.results[0]!.mismatches, []);
  assert.deepEqual(report.results[1]!.mismatches, [{ field: 'status', expected: '200', actual: '404' }]);
  assert.deepEqual(report.results[2]!.mismatches, []);
  assert.equal(report.passed, 2);
  assert.equal(report.failed, 1);
  assert.equal(exitCodeOf(report), 1);

  const lines = formatReport(report).split('\n');
  assert.deepEqual(
    lines.filter((line) => line.startsWith('MISMATCH')),
    ['MISMATCH 02 get-missing-wrong-status [main] status: expected 200 | actual 404'],
  );
  assert.ok(lines.includes('conformance: 2 passed, 1 failed'));
});

test('accepts a volatile field only through a documented difference', () => {
  assert.deepEqual(
    report.results[0]!.accepted.map((a) => [a.id, a.field]),
    [['timestamps', 'body.values[index=1].timestamp']],
  );
});

test('the command exits 2 with a usage message when the folder is missing or not a folder', () => {
  for (const args of [[], [path.join(folder, 'README.md')]]) {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'test/conformance/harness/cli.ts', ...args], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /usage: npm run conformance -- <folder/);
    assert.equal(run.stdout, '');
  }
});
