// Tests the notebook helpers: record tables (HTML and text), escaping, HS_ADMIN decoding, the display sink and the exercise checks.
import { afterEach, before, after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { inspect } from 'node:util';
import {
  YOUR_ANSWER,
  describeAnswer,
  escapeHtml,
  exercise,
  shapeProblem,
  hsAdminPermissions,
  linkTo,
  recordTable,
  recordText,
  setDisplay,
  showRecord,
  type DisplaySink,
} from '../../lesson/kit/notebook.js';
import type { HandleRecordJson, HandleValue } from '../../src/types.js';
import { lessonExercise } from '../../lesson/kit/exercise.js';
import * as lesson from '../../lesson/index.js';

const execFileAsync = promisify(execFile);
const HANDLE = '21.T12995/0a1b2c3d-0000-4000-8000-000000000001';
const TIMESTAMP = '2024-05-02T10:11:12Z';
const XSS_IMG = '<img src=x onerror=alert(1)>';

function value(index: number, type: string, data: HandleValue['data'], extra: Partial<HandleValue> = {}): HandleValue {
  return { index, type, data, ttl: 86400, timestamp: TIMESTAMP, ...extra };
}

function record(values: HandleValue[], handle = HANDLE): HandleRecordJson {
  return { responseCode: 1, handle, values };
}

const ADMIN = value(100, 'HS_ADMIN', {
  format: 'admin',
  value: { handle: '0.NA/21.T12995', index: 200, permissions: '011111110011' },
});
const LESSON_RECORD = record([
  value(1, 'URL', { format: 'string', value: 'https://example.org/files/surveys.csv' }),
  value(2, 'CHECKSUM', { format: 'string', value: '7d5e9f1c0b7e3a6f8e2d4c1b0a9f8e7d' }),
  value(3, 'TYPE', { format: 'string', value: 'file' }),
  ADMIN,
]);

/** The rows of a table's body, one HTML string per `<tr>`. */
function bodyRows(html: string): string[] {
  const body = html.split('<tbody>')[1]?.split('</tbody>')[0] ?? '';
  return body.split('</tr>').filter((row) => row.includes('<tr'));
}

/** Points the helpers' output at an array for the rest of the test. */
function capture(): Array<{ html: string; text: string }> {
  const outputs: Array<{ html: string; text: string }> = [];
  setDisplay((output) => outputs.push(output));
  return outputs;
}

afterEach(() => {
  setDisplay(null);
});

describe('escapeHtml and linkTo', () => {
  test('escapeHtml turns every markup character into an entity', () => {
    assert.equal(escapeHtml(`<a href="x" title='y'>&</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
    assert.equal(escapeHtml(42), '42');
  });

  test('linkTo makes an http(s) URL a link that opens in a new tab without access to the notebook', () => {
    assert.equal(
      linkTo('https://hdl.handle.net/11304/cf8956a2', 'resolve'),
      '<a href="https://hdl.handle.net/11304/cf8956a2" target="_blank" rel="noopener noreferrer">resolve</a>',
    );
    assert.match(linkTo('http://localhost:8000/x'), />http:\/\/localhost:8000\/x<\/a>$/);
  });

  test('linkTo leaves javascript:, data: and relative URLs as plain escaped text', () => {
    for (const url of ['javascript:alert(1)', ' JavaScript:alert(1)', 'data:text/html,<script>alert(1)</script>', '/relative', 'irods://zone/x']) {
      const html = linkTo(url);
      assert.ok(!html.includes('<a'), `${url} must not become a link`);
      assert.ok(!html.includes('<script'), `${url} must be escaped`);
    }
  });

  test('linkTo keeps quotes in a URL from breaking out of the href attribute', () => {
    const html = linkTo('https://example.org/"onmouseover="alert(1)', 'x');
    assert.ok(!html.includes('"onmouseover'), html);
    assert.match(html, /^<a href="https:\/\/example\.org\/[^"]*" target/);
  });
});

describe('recordTable', () => {
  test('the table has a header row with index, type, value, TTL and timestamp', () => {
    const html = recordTable(LESSON_RECORD);
    const headers = [...html.matchAll(/<th[^>]*>([^<]*)<\/th>/g)].map((m) => m[1]);
    assert.deepEqual(headers, ['index', 'type', 'value', 'TTL', 'timestamp']);
  });

  test('each value becomes one row showing its index, type, value, TTL and timestamp', () => {
    const rows = bodyRows(recordTable(LESSON_RECORD));
    assert.equal(rows.length, 4);
    const checksum = rows[1] ?? '';
    for (const expected of ['>2<', '>CHECKSUM<', '7d5e9f1c0b7e3a6f8e2d4c1b0a9f8e7d', '86400 s (1 d)', TIMESTAMP]) {
      assert.ok(checksum.includes(expected), `${expected} in ${checksum}`);
    }
  });

  test('the values keep the order the server sent them in', () => {
    const rows = bodyRows(recordTable(record([value(100, 'HS_ADMIN', ADMIN.data), value(1, 'URL', { format: 'string', value: 'x' })])));
    assert.match(rows[0] ?? '', /HS_ADMIN/);
    assert.match(rows[1] ?? '', /URL/);
  });

  test('the caption holds the handle and the resolve, record page and JSON links', () => {
    const html = recordTable(LESSON_RECORD, { resolverBaseUrl: 'http://localhost:8000', apiBaseUrl: 'https://localhost:8443' });
    const caption = html.split('<caption')[1]?.split('</caption>')[0] ?? '';
    assert.ok(caption.includes(HANDLE));
    assert.ok(caption.includes(`<a href="http://localhost:8000/${HANDLE}" target="_blank" rel="noopener noreferrer">resolve</a>`));
    assert.ok(caption.includes(`<a href="http://localhost:8000/${HANDLE}?noredirect" target="_blank" rel="noopener noreferrer">record page</a>`));
    assert.ok(caption.includes(`<a href="https://localhost:8443/api/handles/${HANDLE}" target="_blank" rel="noopener noreferrer">JSON</a>`));
  });

  test('links go to the global Handle proxy when no base URL is given, and the JSON link follows the resolver', () => {
    assert.ok(recordTable(LESSON_RECORD).includes(`href="https://hdl.handle.net/${HANDLE}"`));
    assert.ok(recordTable(LESSON_RECORD).includes(`href="https://hdl.handle.net/api/handles/${HANDLE}"`));
    assert.ok(recordTable(LESSON_RECORD, { resolverBaseUrl: 'http://127.0.0.1:8000/' }).includes(`href="http://127.0.0.1:8000/api/handles/${HANDLE}"`));
  });

  test('a trailing slash on a base URL does not double the slash in links', () => {
    const html = recordTable(LESSON_RECORD, { resolverBaseUrl: 'http://localhost:8000/', apiBaseUrl: 'http://localhost:8000//' });
    assert.ok(!html.includes('8000//'));
  });

  test('a suffix with ?, # or spaces is encoded in links but shown as it is', () => {
    const html = recordTable(record([], '21.T12995/a?b#c d'));
    assert.ok(html.includes('href="https://hdl.handle.net/21.T12995/a%3Fb%23c%20d?noredirect"'));
    assert.ok(html.includes('>21.T12995/a?b#c d</strong>'));
  });

  test('an http(s) URL value is a link, and a javascript: URL value stays plain text', () => {
    const rows = bodyRows(
      recordTable(
        record([
          value(1, 'URL', { format: 'string', value: 'https://example.org/files/surveys.csv' }),
          value(2, 'URL2', { format: 'string', value: 'javascript:alert(document.cookie)' }),
          value(3, 'URL3', { format: 'string', value: 'file:///home/trainee/surveys.csv' }),
        ]),
      ),
    );
    assert.ok(rows[0]?.includes('<a href="https://example.org/files/surveys.csv"'));
    assert.ok(!rows[1]?.includes('<a '));
    assert.ok(rows[1]?.includes('javascript:alert(document.cookie)'));
    assert.ok(!rows[2]?.includes('<a '));
  });

  test('XSS payloads in a type, a value and the handle come out as inert text', () => {
    const html = recordTable(
      record(
        [
          value(1, '<script>alert(1)</script>', { format: 'string', value: XSS_IMG }),
          value(2, 'HS_ADMIN', { format: 'admin', value: { handle: '<svg onload=alert(2)>', index: 200, permissions: '011111110011' } }),
          value(3, 'HS_VLIST', { format: 'vlist', value: [{ handle: '"><iframe src=javascript:alert(3)>', index: 300 }] }),
          value(4, 'NOTE', { format: 'string', value: '</td></tr></table><b>out</b>' }, { timestamp: '<i>t</i>', ttl: '<u>ttl</u>' }),
        ],
        '21.T12995/"><svg onload=alert(4)>',
      ),
      { resolverBaseUrl: 'http://x/"><script>alert(5)</script>' },
    );
    for (const tag of ['<script', '<img', '<svg', '<iframe', '<b>', '<i>', '<u>', '</table><']) {
      assert.ok(!html.includes(tag), `${tag} must not appear`);
    }
    assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'));
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.equal(html.match(/<table/g)?.length, 1);
    assert.equal(html.match(/<\/table>/g)?.length, 1);
  });

  test('an HS_ADMIN value shows its handle, index and permissions with the names of the permissions granted', () => {
    const row = bodyRows(recordTable(record([ADMIN])))[0] ?? '';
    assert.ok(row.includes('handle=0.NA/21.T12995 index=200 permissions=011111110011'));
    assert.ok(row.includes('grants: read value, add admin, remove admin, modify admin, add value, remove value, modify value, delete handle, add handle'));
    assert.ok(!row.includes('list handles'));
  });

  test('an HS_ADMIN written by B2HANDLE with the index as a string reads the same', () => {
    const row = bodyRows(
      recordTable(record([value(100, 'HS_ADMIN', { format: 'admin', value: { index: '200', handle: '0.NA/21.T12995', permissions: '011111110011' } })])),
    )[0];
    assert.ok(row?.includes('handle=0.NA/21.T12995 index=200 permissions=011111110011'));
  });

  test('rows whose type is highlighted get an inline background, matching the type case-insensitively', () => {
    const rows = bodyRows(recordTable(LESSON_RECORD, { highlight: ['checksum', 'TYPE'] }));
    const marked = rows.map((row) => /^<tr style="[^"]*background/.test(row));
    assert.deepEqual(marked, [false, true, true, false]);
  });

  test('vlist, key, base64 and site values are shown in a readable form', () => {
    const modulus = Buffer.concat([Buffer.from([0x00, 0xc3]), Buffer.alloc(255, 0x11)]).toString('base64url');
    const rows = bodyRows(
      recordTable(
        record([
          value(200, 'HS_VLIST', {
            format: 'vlist',
            value: [
              { handle: '21.T12995/USER01', index: 300 },
              { handle: '21.T12995/USER02', index: 300 },
            ],
          }),
          value(300, 'HS_PUBKEY', { format: 'key', value: { kty: 'RSA', n: modulus, e: 'AQAB' } }),
          value(5, 'BLOB', { format: 'base64', value: 'AAEC' }),
          value(1, 'HS_SITE', {
            format: 'site',
            value: {
              version: 1,
              primarySite: true,
              servers: [{ serverId: 1, address: '127.0.0.1', interfaces: [{ protocol: 'HTTPS', port: 8000 }] }],
            },
          }),
        ]),
      ),
    );
    assert.ok(rows[0]?.includes('300:21.T12995/USER01<br>300:21.T12995/USER02'));
    assert.ok(rows[1]?.includes('RSA public key, 2048 bits, e=AQAB'));
    assert.ok(rows[2]?.includes('base64: '));
    assert.ok(rows[2]?.includes('AAEC'));
    assert.ok(rows[3]?.includes('server 1 at 127.0.0.1 (HTTPS 8000)'));
  });

  test('a value with non-default permissions says who may read and write it', () => {
    const row = bodyRows(recordTable(record([value(300, 'HS_SECKEY', { format: 'string', value: 'secret' }, { permissions: '1100' })])))[0];
    assert.ok(row?.includes('access 1100: admin read, admin write'));
  });

  test('a TTL given as a date is shown as an expiry time', () => {
    const row = bodyRows(recordTable(record([value(1, 'URL', { format: 'string', value: 'x' }, { ttl: '2030-01-01T00:00:00Z' })])))[0];
    assert.ok(row?.includes('until 2030-01-01T00:00:00Z'));
  });

  test('long values may wrap inside their cell', () => {
    const row = bodyRows(recordTable(record([value(2, 'CHECKSUM', { format: 'string', value: 'a'.repeat(500) })])))[0] ?? '';
    assert.match(row, /white-space:pre-wrap/);
    assert.match(row, /overflow-wrap:anywhere/);
  });

  test('a record with no values says so instead of showing an empty table', () => {
    assert.ok(recordTable(record([])).includes('(no values)'));
  });

  test('the table carries its own inline styles and needs no style element or CSS class', () => {
    const html = recordTable(LESSON_RECORD, { highlight: ['URL'] });
    assert.ok(!html.includes('<style'));
    assert.ok(!html.includes('class='));
    assert.match(html, /^<table style="/);
  });

  test('a null record, as the client returns for an unknown handle, gives a note instead of a table', () => {
    assert.match(recordTable(null), /^<div[^>]*>No handle record to show: the handle does not exist/);
    assert.match(recordText(null), /^No handle record to show/);
  });

  test('passing a Promise instead of a record explains that await is missing', () => {
    const pending = Promise.resolve(LESSON_RECORD) as unknown as HandleRecordJson;
    assert.throws(
      () => recordTable(pending),
      (error: unknown) => error instanceof TypeError && /await/.test(error.message),
    );
  });

  test('passing something that is not a record says what a record looks like', () => {
    assert.throws(() => recordTable(undefined as unknown as HandleRecordJson), /needs a handle record/);
  });
});

describe('hsAdminPermissions', () => {
  test('011111110011 grants everything except listing handles and the derived-prefix operations', () => {
    assert.deepEqual(hsAdminPermissions('011111110011'), [
      'read value',
      'add admin',
      'remove admin',
      'modify admin',
      'add value',
      'remove value',
      'modify value',
      'delete handle',
      'add handle',
    ]);
  });

  test('each position of the bit string stands for the permission of protocol reference §2.4', () => {
    const table = [
      'list handles',
      'read value',
      'add admin',
      'remove admin',
      'modify admin',
      'add value',
      'remove value',
      'modify value',
      'delete derived prefix',
      'add derived prefix',
      'delete handle',
      'add handle',
    ];
    table.forEach((name, position) => {
      const bits = `${'0'.repeat(position)}1${'0'.repeat(11 - position)}`;
      assert.deepEqual(hsAdminPermissions(bits), [name], bits);
    });
  });

  test('a short bit string is padded on the left with zeros, and * grants everything', () => {
    assert.deepEqual(hsAdminPermissions('11'), ['delete handle', 'add handle']);
    assert.equal(hsAdminPermissions('*').length, 12);
    assert.deepEqual(hsAdminPermissions('000000000000'), []);
  });

  test('an unreadable bit string is a RangeError, and the table shows it without failing', () => {
    assert.throws(() => hsAdminPermissions('0111111100112'), RangeError);
    assert.throws(() => hsAdminPermissions('yes'), RangeError);
    const row = bodyRows(recordTable(record([value(100, 'HS_ADMIN', { format: 'admin', value: { handle: '0.NA/X', index: 200, permissions: 'yes' } })])))[0];
    assert.ok(row?.includes('unreadable permission string'));
  });
});

describe('recordText', () => {
  test('the text table lists the handle, its links and one line per value', () => {
    const text = recordText(LESSON_RECORD, { resolverBaseUrl: 'http://localhost:8000' });
    const lines = text.split('\n');
    assert.equal(lines[0], `Handle ${HANDLE}`);
    assert.ok(text.includes(`resolve:     http://localhost:8000/${HANDLE}`));
    assert.ok(text.includes(`record page: http://localhost:8000/${HANDLE}?noredirect`));
    assert.ok(text.includes(`JSON:        http://localhost:8000/api/handles/${HANDLE}`));
    assert.match(text, /index\s+type\s+value\s+TTL\s+timestamp/);
    assert.match(text, /^\s+1\s+URL\s+https:\/\/example\.org\/files\/surveys\.csv\s+86400 s \(1 d\)\s+2024-05-02T10:11:12Z$/m);
    assert.match(text, /^\s+100\s+HS_ADMIN\s+handle=0\.NA\/21\.T12995 index=200 permissions=011111110011/m);
    assert.match(text, /grants: read value, add admin/);
  });

  test('the text table contains no HTML, so an XSS payload is printed as it is', () => {
    const text = recordText(record([value(1, 'NOTE', { format: 'string', value: XSS_IMG })]));
    assert.ok(text.includes(XSS_IMG));
    assert.ok(!text.includes('<td'));
    assert.ok(!text.includes('&lt;'));
  });

  test('long values are wrapped onto continuation lines that keep the columns aligned', () => {
    const text = recordText(record([value(2, 'CHECKSUM', { format: 'string', value: 'a'.repeat(150) })]));
    const valueLines = text.split('\n').filter((line) => line.includes('aaaa'));
    assert.equal(valueLines.length, 3);
    const columns = valueLines.map((line) => line.indexOf('a'));
    assert.equal(new Set(columns).size, 1);
  });

  test('highlighted rows start with >', () => {
    const text = recordText(LESSON_RECORD, { highlight: ['CHECKSUM'] });
    const marked = text.split('\n').filter((line) => line.startsWith('>'));
    assert.equal(marked.length, 1);
    assert.match(marked[0] ?? '', /CHECKSUM/);
  });

  test('control characters from a record are shown as escapes instead of reaching the terminal', () => {
    const text = recordText(record([value(1, 'NOTE', { format: 'string', value: 'clear\u001b[2Jscreen' })]));
    assert.ok(!text.includes('\u001b'));
    assert.ok(text.includes('clear\\u001b[2Jscreen'));
  });
});

describe('showRecord and the display sink', () => {
  test('showRecord sends the HTML table and the text table to the sink together', () => {
    const outputs = capture();
    showRecord(LESSON_RECORD, { resolverBaseUrl: 'http://localhost:8000', highlight: ['URL'] });
    assert.equal(outputs.length, 1);
    assert.equal(outputs[0]?.html, recordTable(LESSON_RECORD, { resolverBaseUrl: 'http://localhost:8000', highlight: ['URL'] }));
    assert.equal(outputs[0]?.text, recordText(LESSON_RECORD, { resolverBaseUrl: 'http://localhost:8000', highlight: ['URL'] }));
  });

  test('setDisplay accepts a tslab-like display object and sends it the HTML', () => {
    const shown: string[] = [];
    setDisplay({ html: (html: string) => shown.push(html) });
    showRecord(LESSON_RECORD);
    assert.deepEqual(shown, [recordTable(LESSON_RECORD)]);
  });

  test('setDisplay returns the previous sink so that a caller can put it back', () => {
    const first: DisplaySink = () => {};
    assert.equal(setDisplay(first), null);
    assert.equal(setDisplay(null), first);
  });
});

describe('exercise', () => {
  function buildTask(overrides: Partial<Parameters<typeof exercise<string>>[0]> = {}) {
    const calls: string[] = [];
    const task = exercise<string>({
      id: '3.1',
      title: 'Build a PID from the prefix and a UUID',
      check: (answer) => {
        calls.push(answer);
        return answer.startsWith('21.T12995/') || `A PID starts with your prefix and a slash: \`21.T12995/\`, not ${answer}`;
      },
      hint: ['Join the prefix and the suffix with "/".', 'Use `randomUUID()` from node:crypto.', 'prefix + "/" + randomUUID()'],
      solution: 'const pid = `${prefix}/${randomUUID()}`; // <b>not bold</b>',
      ...overrides,
    });
    return { task, calls };
  }

  test('an undefined, null, empty or ____ answer is not attempted yet, and the check function is not called', async () => {
    const outputs = capture();
    const { task, calls } = buildTask();
    for (const answer of [undefined, null, '', '   ', '____']) {
      assert.equal(await task.check(answer as unknown as string), 'unattempted');
    }
    assert.deepEqual(calls, []);
    assert.equal(outputs.length, 5);
    assert.match(outputs[0]?.html ?? '', /data-outcome="unattempted"/);
    assert.match(outputs[0]?.html ?? '', /Not attempted yet/);
    assert.match(outputs[0]?.text ?? '', /Not attempted yet[\s\S]*Replace the placeholder/);
  });

  test("a notebook's own placeholder is recognised through the unattempted option", async () => {
    capture();
    const { task } = buildTask({ unattempted: (answer) => answer === '21.T12995/CHANGE-ME' });
    assert.equal(await task.check('21.T12995/CHANGE-ME'), 'unattempted');
    assert.equal(await task.check('21.T12995/abc'), 'correct');
  });

  test('a check returning a message is a wrong answer, shown with that message escaped', async () => {
    const outputs = capture();
    const { task } = buildTask();
    assert.equal(await task.check(XSS_IMG), 'wrong');
    const html = outputs[0]?.html ?? '';
    assert.match(html, /data-outcome="wrong"/);
    assert.ok(html.includes('<code>21.T12995/</code>'), 'backticks become code');
    assert.ok(html.includes('&lt;img src=x onerror=alert(1)&gt;'));
    assert.ok(!html.includes('<img'));
    assert.match(outputs[0]?.text ?? '', /Not quite[\s\S]*A PID starts with your prefix/);
  });

  test('a check returning true is a correct answer', async () => {
    const outputs = capture();
    const { task } = buildTask();
    assert.equal(await task.check('21.T12995/0a1b'), 'correct');
    assert.match(outputs[0]?.html ?? '', /data-outcome="correct"[\s\S]*Correct/);
    assert.match(outputs[0]?.text ?? '', /Correct — 3\.1 Build a PID/);
  });

  test('an async check is awaited before the verdict is shown', async () => {
    const outputs = capture();
    const task = exercise<string>({
      id: '4.2',
      title: 'Store the checksum',
      check: async (answer) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return answer === 'CHECKSUM' || 'The type is `CHECKSUM`';
      },
      hint: 'Look at the type names in the lesson.',
      solution: 'await client.modifyHandleValue(pid, { CHECKSUM: md5 });',
    });
    assert.equal(await task.check('MD5'), 'wrong');
    assert.equal(await task.check('CHECKSUM'), 'correct');
    assert.deepEqual(
      outputs.map((o) => /data-outcome="(\w+)"/.exec(o.html)?.[1]),
      ['wrong', 'correct'],
    );
  });

  test('a check that throws an Error carrying a hint shows the message and the hint, never the stack', async () => {
    const outputs = capture();
    const failure = Object.assign(new Error('Handle 21.T12995/abc already exists'), {
      name: 'HandleAlreadyExistsError',
      hint: 'this PID already exists — generate a new suffix or pass overwrite: true',
      httpStatus: 409,
      responseCode: 101,
      handle: '21.T12995/abc',
    });
    const { task } = buildTask({
      check: () => {
        throw failure;
      },
    });
    assert.equal(await task.check('21.T12995/abc'), 'error');
    const { html, text } = outputs[0] ?? { html: '', text: '' };
    assert.match(html, /data-outcome="error"/);
    for (const shown of [html, text]) {
      assert.ok(shown.includes('HandleAlreadyExistsError: Handle 21.T12995/abc already exists'));
      assert.ok(shown.includes('generate a new suffix or pass overwrite: true'));
      assert.ok(shown.includes('HTTP status 409'));
      assert.ok(shown.includes('Handle responseCode 101'));
      assert.ok(!shown.includes('    at '), 'no stack frames');
      assert.ok(!shown.includes(__filename), 'no file names from the stack');
    }
  });

  test('an answer that is a rejected Promise is reported as an error with its hint', async () => {
    const outputs = capture();
    const { task, calls } = buildTask();
    const rejected = Promise.reject(Object.assign(new Error('Authentication failed'), { hint: 'check the password in your credentials file' }));
    assert.equal(await task.check(rejected), 'error');
    assert.deepEqual(calls, []);
    assert.match(outputs[0]?.text ?? '', /Authentication failed[\s\S]*Hint: check the password/);
  });

  test('an answer that is a Promise is awaited before it is checked', async () => {
    capture();
    const { task, calls } = buildTask();
    assert.equal(await task.check(Promise.resolve('21.T12995/abc')), 'correct');
    assert.deepEqual(calls, ['21.T12995/abc']);
  });

  test('a thrown value that is not an Error still gives an error verdict with what was thrown', async () => {
    const outputs = capture();
    const { task } = buildTask({
      check: () => {
        throw 'plain string <b>thrown</b>';
      },
    });
    assert.equal(await task.check('x'), 'error');
    assert.ok(outputs[0]?.html.includes('plain string &lt;b&gt;thrown&lt;/b&gt;'));
  });

  test('check never rejects, even when the unattempted function throws', async () => {
    const { task } = buildTask({
      unattempted: () => {
        throw new Error('bad placeholder test');
      },
    });
    capture();
    assert.equal(await task.check('x'), 'error');
  });

  test('a check returning something other than true or a message counts as wrong with a general message', async () => {
    const outputs = capture();
    const { task } = buildTask({ check: (() => false) as unknown as (answer: string) => true | string });
    assert.equal(await task.check('x'), 'wrong');
    assert.match(outputs[0]?.text ?? '', /not the expected answer/);
  });

  test('each of the four outcomes has its own colour', async () => {
    const outputs = capture();
    const { task } = buildTask({
      check: (answer) => {
        if (answer === 'throw') throw new Error('boom');
        return answer === 'right' || 'wrong';
      },
    });
    for (const answer of ['', 'nope', 'throw', 'right']) await task.check(answer);
    const borders = outputs.map((o) => /border-left:6px solid (#[0-9a-f]{6})/.exec(o.html)?.[1]);
    assert.equal(new Set(borders).size, 4);
    assert.ok(borders.every(Boolean));
  });

  test('hint() shows the first hint and says how to get the next one', () => {
    const outputs = capture();
    buildTask().task.hint();
    assert.match(outputs[0]?.text ?? '', /Hint 1 of 3: Join the prefix and the suffix/);
    assert.match(outputs[0]?.text ?? '', /hint\(2\)/);
    assert.match(outputs[0]?.html ?? '', /data-outcome="hint"/);
  });

  test('hint(n) shows the nth hint, and the last one when n is larger than the number of hints', () => {
    const outputs = capture();
    const { task } = buildTask();
    task.hint(2);
    task.hint(3);
    task.hint(99);
    task.hint(0);
    assert.match(outputs[0]?.text ?? '', /Hint 2 of 3: Use `randomUUID\(\)`/);
    assert.ok(outputs[0]?.html.includes('<code>randomUUID()</code>'));
    assert.match(outputs[1]?.text ?? '', /Hint 3 of 3/);
    assert.ok(!outputs[1]?.text.includes('hint(4)'), 'the last hint points nowhere');
    assert.match(outputs[2]?.text ?? '', /Hint 3 of 3/);
    assert.match(outputs[3]?.text ?? '', /Hint 1 of 3/);
  });

  test('a single hint string is shown without numbering', () => {
    const outputs = capture();
    buildTask({ hint: 'Only one hint.' }).task.hint(3);
    assert.match(outputs[0]?.text ?? '', /^\? Hint — 3\.1 .*\n {2}Only one hint\.$/);
  });

  test('solution() shows the solution as an escaped code block', () => {
    const outputs = capture();
    buildTask().task.solution();
    const html = outputs[0]?.html ?? '';
    assert.ok(html.includes('<pre'));
    assert.ok(html.includes('<code>const pid = `${prefix}/${randomUUID()}`; // &lt;b&gt;not bold&lt;/b&gt;</code>'));
    assert.match(outputs[0]?.text ?? '', /Solution — 3\.1[\s\S]*const pid = `\$\{prefix\}/);
  });
});

describe('the placeholder YOUR_ANSWER and the shape of an answer', () => {
  const ONE_PID = { type: 'string', what: 'one PID', fromObject: 'take its `.handle`' } as const;

  function pidExercise(checked: unknown[] = []) {
    return lessonExercise<string>({
      id: '3.1',
      name: 'registerCsv',
      title: 'Register the CSV',
      answer: { ...ONE_PID, ifMissing: 'registerHandle returns the PID: put `await` in front of the call.' },
      check: (pid) => {
        checked.push(pid);
        return pid === '21.T12995/right' || `${pid} is not it`;
      },
      hint: ['first hint', 'second hint'],
      solution: 'const myPid = await client.generateAndRegisterHandle(cred.prefix!, urls.surveysCsv);',
    });
  }

  test('YOUR_ANSWER reads as YOUR_ANSWER in a template string, a String() and console.log, and is one frozen value', () => {
    assert.equal(`${YOUR_ANSWER}`, 'YOUR_ANSWER');
    assert.equal(String(YOUR_ANSWER), 'YOUR_ANSWER');
    assert.equal(inspect(YOUR_ANSWER), 'YOUR_ANSWER');
    assert.ok(Object.isFrozen(YOUR_ANSWER));
  });

  test('a lesson exercise is not attempted exactly while the placeholder YOUR_ANSWER is there', async () => {
    const outputs = capture();
    const checked: unknown[] = [];
    const task = pidExercise(checked);
    await task.check(YOUR_ANSWER);
    assert.match(outputs[0]?.html ?? '', /data-outcome="unattempted"/);
    assert.match(outputs[0]?.text ?? '', /Replace the placeholder `YOUR_ANSWER`/);
    for (const attempt of [undefined, null, '']) await task.check(attempt);
    assert.deepEqual(
      outputs.slice(1).map((o) => /data-outcome="(\w+)"/.exec(o.html)?.[1]),
      ['wrong', 'wrong', 'wrong'],
      'undefined, null and an empty string from a real attempt are wrong answers',
    );
    assert.match(outputs[1]?.text ?? '', /Your answer is undefined: registerHandle returns the PID/);
    assert.match(outputs[2]?.text ?? '', /Your answer is null: registerHandle returns the PID/);
    assert.deepEqual(checked, [''], 'only the string reaches the check');
  });

  test('an answer of the wrong shape gets a verdict naming the shape, and the check is not called', async () => {
    const outputs = capture();
    const checked: unknown[] = [];
    const task = pidExercise(checked);
    const answers: Array<[unknown, RegExp]> = [
      [['21.T12995/a', '21.T12995/b', '21.T12995/c'], /You gave a list of 3 PIDs; this exercise wants one PID — take one element, e\.g\. `result\[0\]`/],
      [[], /You gave an empty list; this exercise wants one PID — the list is empty/],
      [
        LESSON_RECORD,
        /You gave a whole record \(the JSON of 21\.T12995\/0a1b2c3d-0000-4000-8000-000000000001\); this exercise wants one PID — take its `\.handle`/,
      ],
      [{ URL: 'https://example.org', CHECKSUM: 'abc' }, /You gave a whole record \(its values by type: URL, CHECKSUM\)/],
      [42, /You gave the number 42; this exercise wants one PID — write it as text/],
      [() => '21.T12995/right', /You gave a function; this exercise wants one PID — call it/],
      [new Response('x', { status: 302 }), /You gave a whole HTTP response/],
      [{ status: 1, stdout: '{}', stderr: '' }, /You gave the whole result of runPid/],
    ];
    for (const [answer] of answers) await task.check(answer);
    assert.deepEqual(checked, []);
    answers.forEach(([, expected], i) => {
      assert.match(outputs[i]?.html ?? '', /data-outcome="wrong"/);
      assert.match(outputs[i]?.text ?? '', expected);
    });
  });

  test('numbers and strings and lists are told apart both ways', () => {
    const count = { type: 'number', what: 'how many PIDs, as a number' } as const;
    assert.match(shapeProblem('12', count) ?? '', /You gave the string "12"; this exercise wants how many PIDs, as a number — write the number without quotes/);
    assert.match(shapeProblem(['a/1', 'a/2'], count) ?? '', /You gave a list of 2 PIDs; .* — count its elements with `\.length`/);
    assert.match(shapeProblem(Number.NaN, count) ?? '', /You gave NaN/);
    assert.equal(shapeProblem(12, count), undefined);
    const names = { type: 'string[]', what: 'a list of permission names' } as const;
    assert.match(shapeProblem('add handle', names) ?? '', /You gave the string "add handle"; .* in square brackets/);
    assert.match(shapeProblem([1, 2], names) ?? '', /You gave a list of 2 numbers; .* every element must be a string/);
    assert.equal(shapeProblem(['add handle'], names), undefined);
    assert.equal(shapeProblem('21.T12995/a', ONE_PID), undefined);
    assert.match(shapeProblem(undefined, ONE_PID) ?? '', /^Your answer is undefined: the expression you wrote gave no value/);
  });

  test('describeAnswer names what the lesson calls return', () => {
    assert.equal(describeAnswer(['21.T12995/a']), 'a list of 1 PID');
    assert.equal(describeAnswer(['x', 'y']), 'a list of 2 strings');
    assert.equal(describeAnswer(Promise.resolve(1)), 'a Promise');
    assert.equal(describeAnswer(new Map()), 'a Map object');
    assert.equal(describeAnswer({ a: 1 }), 'an object with the field a');
    assert.equal(describeAnswer(YOUR_ANSWER), 'the placeholder YOUR_ANSWER');
    assert.equal(describeAnswer('x'.repeat(100)).length < 80, true, 'a long string is shortened');
  });

  test('a Promise is awaited: a right value is correct, with a note to put await in front; a wrong one says both', async () => {
    const outputs = capture();
    const task = pidExercise();
    await task.check(Promise.resolve('21.T12995/right'));
    assert.match(outputs[0]?.html ?? '', /data-outcome="correct"/);
    assert.match(outputs[0]?.text ?? '', /You gave a Promise[\s\S]*Put `await` in front/);
    await task.check(Promise.resolve(['21.T12995/a', '21.T12995/b']));
    assert.match(outputs[1]?.html ?? '', /data-outcome="wrong"/);
    assert.match(outputs[1]?.text ?? '', /You gave a Promise[\s\S]*You gave a list of 2 PIDs/);
  });

  test('every "Not quite" box ends with how to get help, naming the exercise as the chapter does', async () => {
    const outputs = capture();
    const task = pidExercise();
    await task.check('21.T12995/wrong');
    assert.match(
      outputs[0]?.text ?? '',
      /Stuck\? `exercises\.registerCsv\.hint\(\)` gives a hint \(1 of 2\); after the last hint, `exercises\.registerCsv\.solution\(\)` shows a solution\.$/,
    );
    assert.match(outputs[0]?.html ?? '', /<code>exercises\.registerCsv\.hint\(\)<\/code>/);
    task.hint();
    assert.match(outputs[1]?.text ?? '', /More help: `exercises\.registerCsv\.hint\(2\)`/);
    await task.check([]);
    assert.match(outputs[2]?.text ?? '', /`exercises\.registerCsv\.hint\(2\)` gives a hint \(2 of 2\)/);
    task.hint(2);
    await task.check(undefined);
    assert.match(outputs[4]?.text ?? '', /Still stuck\? `exercises\.registerCsv\.solution\(\)` shows a solution\.$/);
  });

  test("every chapter's exercise is named as its notebook reaches it (exercises.<export>) and declares its answer's shape", () => {
    const found: string[] = [];
    const questions: string[] = [];
    for (const [chapter, checks] of Object.entries(lesson).filter(([key]) => /^ch\d\d$/.test(key))) {
      for (const [key, value] of Object.entries(checks as Record<string, unknown>)) {
        if (typeof value !== 'object' || value === null || typeof (value as { check?: unknown }).check !== 'function') continue;
        assert.equal((value as { callName: string }).callName, `exercises.${key}`, `${chapter}.${key}`);
        // A chapter's formative question (lesson/kit/question.ts) is reached the same way; it is counted apart.
        ('options' in value ? questions : found).push(`${chapter}.${key}`);
      }
    }
    // 18 exercises and 8 questions in chapters 1–8, one of each in chapter 0 ("Just enough TypeScript"), and
    // 2 exercises and 1 question in chapter 9 ("PIDs that machines act on").
    assert.equal(found.length, 21, found.join(', '));
    assert.equal(questions.length, 10, questions.join(', '));
  });
});

describe('outside Jupyter and inside a tslab kernel', () => {
  const SCRIPT = join(__dirname, 'notebook-script.ts');
  let fakeTslab: string;

  async function runScript(...args: string[]): Promise<string> {
    const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', SCRIPT, ...args], { cwd: join(__dirname, '../..') });
    return stdout;
  }

  function writeFakeTslab(publicJs: string): string {
    const dist = join(fakeTslab, `variant-${Math.random().toString(36).slice(2)}`, 'node_modules', 'tslab', 'dist');
    mkdirSync(dist, { recursive: true });
    writeFileSync(join(dist, 'jupyter.js'), 'exports.lastWriteDisplayData = () => {};\n');
    writeFileSync(join(dist, 'public.js'), publicJs);
    return dist;
  }

  before(() => {
    fakeTslab = mkdtempSync(join(tmpdir(), 'pid-notebook-'));
  });

  after(() => {
    rmSync(fakeTslab, { recursive: true, force: true });
  });

  test('in a plain Node script everything prints as readable text and nothing throws', async () => {
    const stdout = await runScript('plain');
    assert.ok(!stdout.includes('THREW'), stdout);
    assert.ok(!stdout.includes('<table'), 'no HTML in a terminal');
    assert.match(stdout, /^Handle 21\.T12995\/SCRIPT$/m);
    assert.match(stdout, /https:\/\/example\.org\/surveys\.csv/);
    assert.match(stdout, /Not attempted yet[\s\S]*outcome unattempted/);
    assert.match(stdout, /Not quite[\s\S]*outcome wrong/);
    assert.match(stdout, /it broke[\s\S]*Hint: try x[\s\S]*outcome error/);
    assert.match(stdout, /Correct[\s\S]*outcome correct/);
    assert.match(stdout, /Hint 2 of 2: second hint/);
    assert.match(stdout, /const answer = "x";/);
    assert.match(stdout, /outcome with a broken sink correct/);
  });

  test("inside a tslab kernel the HTML goes to the kernel's own display, even before a cell imported tslab", async () => {
    const dist = writeFakeTslab('exports.display = { html(s) { process.stdout.write("KERNEL-HTML " + s.slice(0, 30) + "\\n"); } };\n');
    const stdout = await runScript('kernel-started', dist);
    assert.match(stdout, /^KERNEL-HTML <table style=/m);
    assert.match(stdout, /^KERNEL-HTML <div data-outcome="correct"/m);
    assert.ok(!stdout.includes('Handle 21.T12995/SCRIPT'), 'no text table when HTML was shown');
  });

  test('when a cell already imported tslab, that same display object is used', async () => {
    const dist = writeFakeTslab('exports.display = { html(s) { process.stdout.write("IMPORTED-HTML " + s.slice(0, 6) + "\\n"); } };\n');
    const stdout = await runScript('kernel-imported', dist);
    assert.match(stdout, /^IMPORTED-HTML <table/m);
  });

  test("when the kernel's display is not ready, the text is printed instead", async () => {
    const dist = writeFakeTslab('exports.display = { html() { throw new Error("Not ready"); } };\n');
    const stdout = await runScript('kernel-started', dist);
    assert.ok(!stdout.includes('THREW'), stdout);
    assert.match(stdout, /^Handle 21\.T12995\/SCRIPT$/m);
    assert.match(stdout, /outcome correct/);
  });
});
