// The mock behind JupyterHub's service proxy (`pid-mock serve --base-path /services/pid-mock/`): the same
// server answers with and without the prefix, the prefix itself leads to the live page, and pages served
// under the prefix name their root-relative links, redirects and cookies under it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { startMockServer, type RunningMockServer } from '../../mock-server/server';
import { normaliseBasePath, prefixRootPaths, withoutBasePath } from '../../mock-server/http/base-path';
import { temporaryFolder } from '../support/temporary-folders.js';

const BASE = '/services/pid-mock';
let server: RunningMockServer;
let dataDir: string;

before(async () => {
  dataDir = temporaryFolder('pid-mock-base-path-');
  server = await startMockServer({ host: '127.0.0.1', port: 0, dataDir, prefixes: ['21.T12995'], basePath: `${BASE}/` });
});

after(async () => {
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

test('the base path is normalised and only a path under it is rewritten', () => {
  assert.equal(normaliseBasePath('/services/pid-mock/'), BASE);
  assert.equal(normaliseBasePath('services/pid-mock'), BASE);
  assert.equal(normaliseBasePath('/'), undefined);
  assert.equal(normaliseBasePath(undefined), undefined);
  assert.equal(withoutBasePath(`${BASE}/api/handles/21.T12995/x?a=1`, BASE), '/api/handles/21.T12995/x?a=1');
  assert.equal(withoutBasePath(BASE, BASE), '/');
  assert.equal(withoutBasePath(`${BASE}?x`, BASE), '/?x');
  assert.equal(withoutBasePath('/services/pid-mockery/x', BASE), '/services/pid-mockery/x');
  assert.equal(withoutBasePath('/21.T12995/services/pid-mock/x', BASE), '/21.T12995/services/pid-mock/x');
});

test('root-relative links in pages and scripts are named under the prefix; others are left alone', () => {
  const page = `<link rel="stylesheet" href="/_admin/live/live.css"><form method="post" action="/_admin/login"><a href="//cdn.example/x">x</a><a href="https://h.example/y">y</a><script src="/_admin/live/live.js"></script>`;
  assert.equal(
    prefixRootPaths(page, BASE),
    `<link rel="stylesheet" href="${BASE}/_admin/live/live.css"><form method="post" action="${BASE}/_admin/login"><a href="//cdn.example/x">x</a><a href="https://h.example/y">y</a><script src="${BASE}/_admin/live/live.js"></script>`,
  );
  const script = `new EventSource('/_admin/live/stream'); post("/_admin/live/reset"); var a = 10 / 2; var re = /x/;`;
  assert.equal(
    prefixRootPaths(script, BASE),
    `new EventSource('${BASE}/_admin/live/stream'); post("${BASE}/_admin/live/reset"); var a = 10 / 2; var re = /x/;`,
  );
});

test('the server answers under the prefix and without it, and the prefix leads to the live page', async () => {
  for (const path of [`${BASE}/_admin/health`, '/_admin/health']) {
    const answer = await fetch(`${server.httpUrl}${path}`);
    assert.equal(answer.status, 200, path);
    assert.deepEqual(await answer.json(), { status: 'serving' });
  }
  for (const path of [BASE, `${BASE}/`]) {
    const menu = await fetch(`${server.httpUrl}${path}`, { redirect: 'manual' });
    assert.equal(menu.status, 302, path);
    assert.equal(menu.headers.get('location'), `${BASE}/_admin/live`);
  }
  const record = await fetch(`${server.httpUrl}${BASE}/api/handles/11304/cf8956a2-39d3-11e5-8a18-f31aa6f4d448`);
  assert.equal(record.status, 200);
  assert.equal(((await record.json()) as { handle: string }).handle, '11304/cf8956a2-39d3-11e5-8a18-f31aa6f4d448');
});

test('a page served under the prefix links under it, the same page without it does not', async () => {
  const path = '/11304/cf8956a2-39d3-11e5-8a18-f31aa6f4d448?noredirect';
  const under = await (await fetch(`${server.httpUrl}${BASE}${path}`)).text();
  const plain = await (await fetch(`${server.httpUrl}${path}`)).text();
  assert.match(plain, /href="\/help\.html"/);
  assert.match(under, new RegExp(`href="${BASE}/help\\.html"`));
  assert.doesNotMatch(under, /href="\/help\.html"/);
  // Absolute links keep their host.
  assert.match(under, /href="http:\/\/127\.0\.0\.1:\d+\/0\.TYPE\/URL"/);
});
