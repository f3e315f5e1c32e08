// `pid bulk` with a 2,000-line file of mixed operations and bad lines against a real mock server: result order, counts, summary and no escape codes off a terminal.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startMockProcess, type MockProcess } from '../support/mock-process.js';
import { PID_BIN } from '../support/paths.js';
import { B2SAFE_IRODS_PID_COUNT, WARMUP_HANDLE } from '../../mock-server/fixtures/seed-records.js';
import { assertFailure, runPid, scratchDir, type PidRun } from './run-pid.js';

const prefix = '21.T12995';
const FILE_LINES = 2000;
const UUID_V4 = /^21\.T12995\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** One input line and what its result line must look like. */
interface Expectation {
  line: string;
  /** `OK …` result must start with this; undefined for a line expected to fail. */
  ok?: string;
  /** For a failing line: the op word and a pattern of the reason. */
  error?: { op: string; reason: RegExp };
  /** Extra check of an OK result line. */
  check?: (result: string) => void;
}

const comment = (text: string): Expectation => ({ line: text });

/**
 * Lines about one handle are kept next to each other, so with 8 operations in flight they only come
 * out right if the run keeps per-handle file order.
 */
function lifecycle(i: number): Expectation[] {
  const h = `${prefix}/bulk-${i}`;
  const lines: Expectation[] = [
    { line: `CREATE ${h} http://example.org/bulk/${i} md5-${i}`, ok: `OK CREATE ${h} http://example.org/bulk/${i}` },
    { line: `MODIFY ${h} TYPE file`, ok: `OK MODIFY ${h} TYPE file` },
    { line: `READ ${h} TYPE`, ok: `OK READ ${h} TYPE file` },
    { line: `MODIFY ${h} URL http://example.org/bulk/${i}/v2`, ok: `OK MODIFY ${h} URL http://example.org/bulk/${i}/v2` },
    { line: `READ ${h} URL`, ok: `OK READ ${h} URL http://example.org/bulk/${i}/v2` },
  ];
  if (i % 3 === 0) {
    lines.push({ line: `DELETE ${h} TYPE`, ok: `OK DELETE ${h} TYPE` });
    lines.push({
      line: `READ ${h}`,
      ok: `OK READ ${h} [`,
      check: (result) => {
        const values = JSON.parse(result.slice(`OK READ ${h} `.length)) as Array<{ type: string }>;
        assert.deepEqual(
          values.map((v) => v.type),
          ['URL', 'CHECKSUM', 'HS_ADMIN'],
        );
      },
    });
  }
  if (i % 5 === 1) lines.push({ line: `DELETE ${h}`, ok: `OK DELETE ${h}` });
  return lines;
}

/** Children are handles whose lifecycle keeps them (i % 5 !== 1), created earlier in the file. */
function relation(parent: number, child: number): Expectation {
  const line = `RELATION ${prefix}/bulk-${parent} ${prefix}/bulk-${child}`;
  return { line, ok: `OK ${line} http://127.0.0.1:` };
}

const BAD_LINES: Expectation[] = [
  { line: 'FROB 21.T12995/x', error: { op: 'FROB', reason: /unknown operation "FROB"/ } },
  { line: `UPDATE ${prefix}/bulk-0 URL http://x`, error: { op: 'UPDATE', reason: /unknown operation/ } },
  { line: `REPLACE ${prefix}/bulk-0 URL a b`, error: { op: 'REPLACE', reason: /unknown operation/ } },
  { line: 'Createx - http://x', error: { op: 'Createx', reason: /unknown operation/ } },
  { line: `MODIFY ${prefix}/bulk-0 URL`, error: { op: 'MODIFY', reason: /MODIFY takes HANDLE KEY VALUE, got 2 fields/ } },
  { line: 'READ', error: { op: 'READ', reason: /READ takes HANDLE \[KEY\], got 0 fields/ } },
  { line: `CREATE ${prefix}/only-a-handle`, error: { op: 'CREATE', reason: /got 1 field\b/ } },
  { line: `RELATION ${prefix}/bulk-0`, error: { op: 'RELATION', reason: /RELATION takes PARENT CHILD/ } },
  { line: `DELETE ${prefix}/bulk-0 URL extra`, error: { op: 'DELETE', reason: /got 3 fields/ } },
  { line: 'SEARCH URL a b', error: { op: 'SEARCH', reason: /got 3 fields/ } },
  { line: `READ ${prefix}/missing-1`, error: { op: 'READ', reason: /HandleNotFoundError/ } },
  { line: `DELETE ${prefix}/missing-2`, error: { op: 'DELETE', reason: /HandleNotFoundError/ } },
  { line: `MODIFY ${prefix}/missing-3 URL http://x`, error: { op: 'MODIFY', reason: /HandleNotFoundError/ } },
  { line: `RELATION ${prefix}/bulk-0 ${prefix}/missing-child`, error: { op: 'RELATION', reason: /child .* does not exist/ } },
  { line: `READ ${WARMUP_HANDLE} NO_SUCH_TYPE`, error: { op: 'READ', reason: /no value of type NO_SUCH_TYPE/ } },
  { line: 'READ nonsense', error: { op: 'READ', reason: /HandleSyntaxError: "nonsense" has no slash/ } },
  { line: 'DELETE /no-prefix', error: { op: 'DELETE', reason: /HandleSyntaxError: .*empty prefix/ } },
  { line: `READ ${prefix}/`, error: { op: 'READ', reason: /HandleSyntaxError: .*empty suffix/ } },
  { line: 'MODIFY no-slash URL http://x', error: { op: 'MODIFY', reason: /HandleSyntaxError/ } },
  { line: 'CREATE - http://example.org/x none none TYPE', error: { op: 'CREATE', reason: /"TYPE" is not KEY=VALUE/ } },
  { line: `MODIFY ${WARMUP_HANDLE} URL http://example.org/hijack`, error: { op: 'MODIFY', reason: /HandlePermissionError/ } },
];

/** Exactly FILE_LINES lines: comments, a blank line, lifecycles, generated CREATEs, searches, relations and the bad lines spread through. */
function bulkFile(): Expectation[] {
  const lines: Expectation[] = [comment('# pid bulk test file'), comment('')];
  let i = 0;
  let bad = 0;
  while (lines.length < FILE_LINES) {
    lines.push(...lifecycle(i));
    if (i % 4 === 2)
      lines.push({ line: `CREATE - http://example.org/generated/${i}`, ok: 'OK CREATE 21.T12995/', check: (r) => assert.match(r.split(' ')[2]!, UUID_V4) });
    if (i % 9 === 4)
      lines.push({
        line: `create ${prefix}/uuid http://example.org/epic/${i} none none TYPE=x`,
        ok: 'OK CREATE 21.T12995/',
        check: (r) => assert.match(r.split(' ')[2]!, UUID_V4),
      });
    if (i % 10 === 7) lines.push(relation(i, i - 2));
    if (i % 25 === 3) {
      lines.push({
        line: 'SEARCH URL irods:*',
        ok: 'OK SEARCH URL irods:* [',
        check: (r) => assert.equal((JSON.parse(r.slice('OK SEARCH URL irods:* '.length)) as string[]).length, B2SAFE_IRODS_PID_COUNT),
      });
    }
    if (i % 7 === 6 && bad < BAD_LINES.length) lines.push(BAD_LINES[bad++]!);
    if (i % 30 === 29) lines.push(comment(`# after handle ${i}`), comment('   '));
    i++;
  }
  assert.equal(bad, BAD_LINES.length, 'the file is long enough for every bad line');
  return lines.slice(0, FILE_LINES);
}

let server: MockProcess;
let expectations: Expectation[];
let run: PidRun;
let results: string[];
let inputFile: string;

before(async () => {
  server = await startMockProcess();
  const dir = scratchDir(server.dataDir);
  expectations = bulkFile();
  inputFile = join(dir, 'operations.txt');
  writeFileSync(inputFile, `${expectations.map((e) => e.line).join('\n')}\n`);
  run = await runPid(['bulk', '--input', inputFile, '--result', join(dir, 'results.txt'), '--json'], { credentials: server.credentialsFile });
  results = readFileSync(join(dir, 'results.txt'), 'utf8').split('\n');
  assert.equal(results.pop(), '', 'the result file ends with a newline');
});

after(async () => {
  await server?.stop();
});

describe('a 2,000-line bulk file with mixed operations and bad lines', () => {
  test('the input has 2,000 lines, about 20 of them bad', () => {
    assert.equal(readFileSync(inputFile, 'utf8').split('\n').length - 1, FILE_LINES);
    assert.equal(expectations.filter((e) => e.error).length, BAD_LINES.length);
  });

  test('the result file has one line per operation, skipping blank lines and comments', () => {
    const operations = expectations.filter((e) => e.ok !== undefined || e.error !== undefined);
    assert.equal(results.length, operations.length);
  });

  test('each result line is the outcome of its input line, in input order', () => {
    const operations = expectations.map((e, index) => ({ ...e, lineNumber: index + 1 })).filter((e) => e.ok !== undefined || e.error !== undefined);
    operations.forEach((expected, k) => {
      const result = results[k]!;
      if (expected.error) {
        assert.ok(result.startsWith(`ERROR ${expected.lineNumber} ${expected.error.op} `), `line ${expected.lineNumber} "${expected.line}" gave "${result}"`);
        assert.match(result, expected.error.reason);
        assert.match(result, /\(hint: .+\)$/, 'every error carries a hint');
      } else {
        assert.ok(result.startsWith(expected.ok!), `line ${expected.lineNumber} "${expected.line}" gave "${result}"`);
        expected.check?.(result);
      }
    });
  });

  test('bad lines did not stop the run, which exits 4 with a summary line and the reason on stderr', () => {
    const ok = results.filter((r) => r.startsWith('OK ')).length;
    const failed = results.filter((r) => r.startsWith('ERROR ')).length;
    assert.equal(failed, BAD_LINES.length);
    assert.equal(run.code, 4, run.stderr);
    const [summary, reason, ...rest] = run.stderr.split('\n');
    assert.match(summary!, new RegExp(`^pid bulk: ${results.length} operations, ${ok} OK, ${failed} ERROR, [\\d.]+ s; results in .*results\\.txt$`));
    assert.match(reason!, new RegExp(`^pid: BulkIncompleteError: ${failed} of ${results.length} operations failed \\(hint: .+\\)$`));
    assert.deepEqual(rest, ['']);
  });

  test('--json prints the summary as an object on stdout', () => {
    const summary = JSON.parse(run.stdout) as { operations: number; ok: number; failed: number; seconds: number; result: string };
    assert.equal(summary.operations, results.length);
    assert.equal(summary.failed, BAD_LINES.length);
    assert.equal(summary.ok + summary.failed, summary.operations);
    assert.ok(summary.seconds > 0);
    assert.match(summary.result, /results\.txt$/);
  });

  test('no progress bar escape codes appear when the output is not a terminal', () => {
    assert.doesNotMatch(run.stdout + run.stderr, /\x1b\[|\r/);
  });
});

describe('small bulk runs', () => {
  test('a clean run exits 0 with only the summary on stderr and nothing on stdout', async () => {
    const dir = scratchDir(server.dataDir);
    writeFileSync(join(dir, 'in.txt'), `READ ${WARMUP_HANDLE} URL\n# a comment\n\nSEARCH URL irods:*\n`);
    const clean = await runPid(['bulk', '--input', join(dir, 'in.txt'), '--result', join(dir, 'out.txt'), '--concurrency', '2'], {
      credentials: server.credentialsFile,
    });
    assert.equal(clean.code, 0, clean.stderr);
    assert.equal(clean.stdout, '');
    assert.match(clean.stderr, /^pid bulk: 2 operations, 2 OK, 0 ERROR, [\d.]+ s; results in .*out\.txt\n$/);
    const lines = readFileSync(join(dir, 'out.txt'), 'utf8').split('\n');
    assert.match(lines[0]!, new RegExp(`^OK READ ${WARMUP_HANDLE} URL http://`));
    assert.match(lines[1]!, /^OK SEARCH URL irods:\* \["/);
  });

  test('a result file that cannot be written is a usage error before any work', async () => {
    const dir = scratchDir(server.dataDir);
    writeFileSync(join(dir, 'in.txt'), `CREATE ${prefix}/never-created http://example.org/x\n`);
    assertFailure(
      await runPid(['bulk', '--input', join(dir, 'in.txt'), '--result', join(dir, 'no-such-dir', 'out.txt')], { credentials: server.credentialsFile }),
      2,
      /cannot write the result file/,
    );
    assertFailure(await runPid(['read', `${prefix}/never-created`], { credentials: server.credentialsFile }), 1);
  });

  // `script` gives the child a pseudo-terminal, the only way to see the bar a person would see.
  const hasScript = spawnSync('script', ['--version']).status === 0;
  test('on a terminal a progress bar is drawn on stderr', { skip: hasScript ? false : 'the script command (util-linux) is not installed' }, () => {
    const dir = scratchDir(server.dataDir);
    writeFileSync(join(dir, 'in.txt'), `${Array.from({ length: 50 }, () => `READ ${WARMUP_HANDLE} URL`).join('\n')}\n`);
    const command = `PID_CREDENTIALS='${server.credentialsFile}' '${process.execPath}' '${PID_BIN}' bulk --input '${join(dir, 'in.txt')}' --result '${join(dir, 'out.txt')}'`;
    const terminal = spawnSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8' });
    assert.equal(terminal.status, 0, terminal.stdout);
    assert.match(terminal.stdout, /\x1b\[/);
    assert.match(terminal.stdout, /bulk \[[#.]+\] \d+\/50 lines/);
  });
});
