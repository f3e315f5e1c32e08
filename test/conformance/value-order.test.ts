// The value-order difference relaxes a check only by rule: index order instead of the real server's body
// order, and a redirect to the first URL value in index order of the record the transcripts wrote; a record
// that differs in content, or a redirect anywhere else, is still a mismatch.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { replayFolder, type ReplayReport } from './harness/replay.js';
import { temporaryFolder } from '../support/temporary-folders.js';

const JSON_TYPE = { 'content-type': 'application/json;charset=utf-8' };
const AUTH = { Authorization: `Basic ${Buffer.from('300%3A21.T12995%2FUSER01:password01').toString('base64')}`, 'Content-Type': 'application/json' };
const HANDLE = '21.T12995/ORDER-TEST';
const url = (n: number) => `https://example.org/order-${n}`;
const stored = (index: number, type: string, value: string) => ({
  index,
  type,
  data: { format: 'string', value },
  ttl: 86400,
  timestamp: '2020-01-01T00:00:00Z',
});

function transcript(method: string, requestPath: string, status: number, body: unknown, extra: Record<string, unknown> = {}): unknown {
  return {
    request: { method, path: requestPath, headers: method === 'GET' ? {} : AUTH, body: extra.requestBody ?? null },
    response: { status, headers: extra.html ? { 'content-type': 'text/html; charset=utf-8' } : JSON_TYPE, body },
    meta: { scheme: method === 'GET' ? 'http' : 'https', clientCertificate: null, otherResponseHeaders: extra.headers ?? {}, note: 'synthetic' },
  };
}

let folder: string;
let report: ReplayReport;

before(async () => {
  folder = temporaryFolder('value-order-test-');
  const write = (name: string, content: unknown) => writeFileSync(path.join(folder, name), JSON.stringify(content));
  const body = {
    values: [
      { index: 7, type: 'url', data: url(7) },
      { index: 3, type: 'URL', data: url(3) },
      { index: 1, type: 'DESC', data: 'first in index order' },
    ],
  };
  write('01-put.json', transcript('PUT', `/api/handles/${HANDLE}`, 201, { responseCode: 1, handle: HANDLE }, { requestBody: body }));
  // The real server's body order: accepted, since the mock answers the same values in index order.
  write(
    '02-get-body-order.json',
    transcript('GET', `/api/handles/${HANDLE}`, 200, {
      responseCode: 1,
      handle: HANDLE,
      values: [stored(7, 'url', url(7)), stored(3, 'URL', url(3)), stored(1, 'DESC', 'first in index order')],
    }),
  );
  // Other content (index 9 instead of 1): a mismatch whatever the order.
  write(
    '03-get-other-values.json',
    transcript('GET', `/api/handles/${HANDLE}`, 200, {
      responseCode: 1,
      handle: HANDLE,
      values: [stored(7, 'url', url(7)), stored(3, 'URL', url(3)), stored(9, 'DESC', 'x')],
    }),
  );
  const redirect = (target: string) =>
    transcript('GET', `/${HANDLE}`, 302, `<html><head><title>Handle Redirect</title></head>\n<body><a href="${target}">${target}</a></body></html>`, {
      html: true,
      headers: { location: target, expires: new Date(Date.now() + 86400_000).toUTCString() },
    });
  // Body order picks url@7; the rule applied in index order picks URL@3, which is what the mock does.
  write('04-redirect-body-order.json', redirect(url(7)));
  // A target that no rule explains.
  write('05-redirect-elsewhere.json', redirect('https://example.org/somewhere-else'));
  // A minted suffix glued to a slashless name is compared by shape wherever the UUID sits.
  write(
    '06-mint-slashless.json',
    transcript(
      'PUT',
      '/api/handles/21.T12995?mintNewSuffix=true',
      201,
      { responseCode: 1, handle: '21.T1299528404c59-0fe0-41a9-a892-0621435fed27' },
      { requestBody: { values: [{ index: 1, type: 'DESC', data: 'x' }] } },
    ),
  );
  report = await replayFolder(folder);
});

after(() => rmSync(folder, { recursive: true, force: true }));

const result = (n: number) => report.results.find((r) => r.number === n)!;

test('body order of the real server is accepted as the documented value-order difference', () => {
  assert.deepEqual(result(1).mismatches, []);
  assert.deepEqual(result(2).mismatches, []);
  assert.ok(result(2).accepted.some((a) => a.id === 'value-order' && a.field === 'body.values indexes'));
});

test('values with other content are still a mismatch', () => {
  assert.deepEqual(
    result(3).mismatches.map((m) => m.field),
    ['body.values indexes'],
  );
});

test('a redirect is accepted only when it is the first URL value in index order of the written record', () => {
  assert.deepEqual(result(4).mismatches, []);
  assert.deepEqual(
    result(4)
      .accepted.filter((a) => a.id === 'value-order')
      .map((a) => a.field),
    ['header location', 'html text'],
  );
  assert.deepEqual(
    result(5).mismatches.map((m) => m.field),
    ['header location', 'html text'],
  );
});

test('a minted UUID glued to a slashless name is compared by shape', () => {
  assert.deepEqual(result(6).mismatches, []);
  assert.ok(result(6).accepted.some((a) => a.id === 'minted-suffix'));
});
