// The defects of issue 10, one test each, over real HTTP/TLS to a real server: stored script in
// showurls, pages without a Content-Security-Policy, deep JSON and oversized look-ups answered with 500,
// errors outside the Handle envelope, redirects to javascript:/data:, and two servers on one folder.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { assertHandleEnvelope, basicHeader, rawExchange, realmBasicHeader } from '../support/http.js';
import { PREFIX, startTestServer, uniqueName, type TestServer } from '../support/mock-server.js';
import { startMockServer } from '../../mock-server/server.js';
import { serverAdminsOf } from '../../mock-server/data-folder/provisioning-state.js';
import { DataFolderLockedError } from '../../mock-server/data-folder/lock.js';
import { HandleStore } from '../../mock-server/storage/store.js';
import { HandleService } from '../../mock-server/handle/handle-service.js';
import { MAX_JSON_DEPTH } from '../../mock-server/http/json-depth.js';
import { MAX_SEARCH_KEYS, MAX_SEARCH_PATTERNS } from '../../mock-server/routes/hrls.js';
import { temporaryFolder } from '../support/temporary-folders.js';

let t: TestServer;
before(async () => {
  t = await startTestServer();
});
after(async () => t.close());

const traineeWrite = () => ({ authorization: basicHeader(t.trainee.identity, t.trainee.password), 'content-type': 'application/json' });

async function createRecord(values: unknown[]): Promise<string> {
  const handle = `${PREFIX}/${uniqueName('DEF')}`;
  const created = await t.request({ method: 'PUT', path: `/api/handles/${handle}`, headers: traineeWrite(), body: JSON.stringify({ values }) });
  assert.equal(created.status, 201, created.text);
  return handle;
}

describe('1: stored script through 10320/LOC attribute names', () => {
  const hostile =
    '<locations><location href="https://example.org/a" id="0" weight="1" xmlns="http://www.w3.org/1999/xhtml" ' +
    'tabindex="1" autofocus="" onfocus="document.title=1" style="x" /></locations>';

  test('showurls writes only the attributes the 10320/LOC schema defines', async () => {
    const handle = await createRecord([{ index: 1, type: '10320/LOC', data: hostile }]);
    const page = await t.request({ path: `/${handle}?action=showurls`, scheme: 'http' });
    assert.equal(page.status, 200);
    assert.equal(page.text, '<locations>\n<location href="https://example.org/a" id="0" weight="1" />\n</locations>\n');
  });

  test('every HTML and XML page carries a Content-Security-Policy and nosniff', async () => {
    const handle = await createRecord([{ index: 1, type: 'URL', data: 'https://example.org/x' }]);
    const pages = [
      `/${handle}?action=showurls`,
      `/${handle}?noredirect`,
      `/${PREFIX}/NO-SUCH-${uniqueName()}`,
      '/10.9999/unknown-prefix',
      '/',
      `/${handle}?type=NOTHING`,
      '/files/',
    ];
    for (const path of pages) {
      const page = await t.request({ path, scheme: 'http' });
      assert.match(String(page.headers['content-type']), /html|xml/, path);
      assert.match(String(page.headers['content-security-policy']), /default-src 'none'/, path);
      assert.match(String(page.headers['content-security-policy']), /script-src 'sha256-/, path);
      assert.equal(page.headers['x-content-type-options'], 'nosniff', path);
    }
  });
});

describe('3: client mistakes that ended in 500', () => {
  const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
  for (const [name, body] of [
    ['index', `{"values":[{"index":${deep(100_000)},"type":"URL","data":"x"}]}`],
    ['handle', `{"handle":${deep(100_000)},"values":[]}`],
    ['references', `{"values":[{"index":1,"type":"URL","data":"x","references":${deep(100_000)}}]}`],
    ['admin value', `{"values":[{"index":100,"type":"HS_ADMIN","data":{"format":"admin","value":${deep(100_000)}}}]}`],
  ] as const) {
    test(`JSON nested 100,000 deep in ${name} is a 400 naming the limit, and creates nothing`, async () => {
      const handle = `${PREFIX}/${uniqueName('DEEP')}`;
      const response = await t.request({ method: 'PUT', path: `/api/handles/${handle}`, headers: traineeWrite(), body });
      assert.equal(response.status, 400);
      const envelope = assertHandleEnvelope(response);
      assert.equal(envelope.responseCode, 4);
      assert.match(String(envelope.message), new RegExp(`more than ${MAX_JSON_DEPTH} levels`));
      assert.equal((await t.request({ path: `/api/handles/${handle}` })).status, 404);
    });
  }

  test('JSON nested deeply in an admin request body outside /api is a 400 too', async () => {
    const response = await t.request({
      method: 'POST',
      path: '/_admin/reset',
      scheme: 'http',
      headers: { authorization: `Bearer ${t.adminToken}`, 'content-type': 'application/json' },
      body: deep(100_000),
    });
    assert.equal(response.status, 400, response.text);
    assert.match(response.text, new RegExp(`more than ${MAX_JSON_DEPTH} levels`));
  });

  const search = (query: string) =>
    t.request({ path: `/hrls/handles?${query}`, headers: { authorization: realmBasicHeader(t.searchUser.name, t.searchUser.password) } });

  test('a reverse look-up with 65 keys is a 400 naming the limit', async () => {
    const response = await search(Array.from({ length: 65 }, (_, i) => `KEY${i}=x`).join('&'));
    assert.equal(response.status, 400);
    assert.match(response.text, new RegExp(`at most ${MAX_SEARCH_KEYS} value types`));
  });

  for (const count of [600, 1000]) {
    test(`a reverse look-up with ${count} patterns is a 400 naming the limit`, async () => {
      const response = await search(Array.from({ length: count }, (_, i) => `URL=*a${i}*`).join('&'));
      assert.equal(response.status, 400);
      assert.match(response.text, new RegExp(`at most ${MAX_SEARCH_PATTERNS} patterns`));
    });
  }

  test('a look-up at the limits still answers', async () => {
    const keys = Array.from({ length: MAX_SEARCH_KEYS }, (_, i) => `KEY${i}=x`).join('&');
    assert.equal((await search(keys)).status, 200);
    const patterns = Array.from({ length: MAX_SEARCH_PATTERNS }, (_, i) => `URL=*a${i}*`).join('&');
    assert.equal((await search(patterns)).status, 200);
  });
});

describe('4: one Handle envelope for every error under /api', () => {
  for (const [label, head] of [
    ['a raw space in the path', 'GET /api/handles/a b HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['a control byte in the path', 'GET /api/handles/\x01x HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['an unknown method', 'FROBNICATE /api/handles/x HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['a broken HTTP version', 'GET /api/handles/x HTTP/9\r\nHost: x\r\n\r\n'],
    ['a bad header name', 'GET /api/handles/x HTTP/1.1\r\nHo st: x\r\n\r\n'],
  ] as const) {
    for (const scheme of ['http', 'https'] as const) {
      test(`${label} over ${scheme} gets a 400 envelope`, async () => {
        const answer = await rawExchange(t, scheme, head);
        assert.equal(answer.status, 400, answer.raw);
        assert.equal(answer.json?.responseCode, 4, answer.raw);
        assert.match(String(answer.json?.message), /java\.lang\.Exception: /);
      });
    }
  }

  for (const [label, head] of [
    ['a 20 KB URL', `GET /api/handles/${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`],
    ['a 20 KB header', `GET /api/handles/x HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`],
  ] as const) {
    for (const scheme of ['http', 'https'] as const) {
      test(`${label} over ${scheme} gets a 431 envelope, not a closed connection`, async () => {
        const answer = await rawExchange(t, scheme, head);
        assert.equal(answer.status, 431, answer.raw);
        assert.equal(answer.json?.responseCode, 4);
        assert.match(String(answer.json?.message), /16 KB/);
      });
    }
  }
});

describe('5: redirects only to http, https, ftp (and file:, which lesson chapter 5 shows)', () => {
  for (const url of ['javascript:alert(document.domain)', 'data:text/html,<script>alert(1)</script>', 'vbscript:msgbox(1)', ' JavaScript:alert(1)']) {
    test(`a URL value ${JSON.stringify(url)} is shown, never sent as Location`, async () => {
      const handle = await createRecord([{ index: 1, type: 'URL', data: url }]);
      const response = await t.request({ path: `/${handle}`, scheme: 'http' });
      assert.equal(response.status, 200);
      assert.equal(response.headers.location, undefined);
      assert.match(response.text, /<td>URL<\/td>|>URL</);
    });
  }
  test('the same through 10320/LOC', async () => {
    const handle = await createRecord([{ index: 1, type: '10320/LOC', data: '<locations><location href="javascript:alert(1)" id="0"/></locations>' }]);
    const response = await t.request({ path: `/${handle}`, scheme: 'http' });
    assert.equal(response.headers.location, undefined);
  });
  for (const url of [
    'https://example.org/ok',
    'http://example.org/ok',
    'ftp://example.org/ok',
    'HTTPS://example.org/upper',
    'file:///home/trainee/surveys.csv',
  ]) {
    test(`${url} still redirects`, async () => {
      const handle = await createRecord([{ index: 1, type: 'URL', data: url }]);
      const response = await t.request({ path: `/${handle}`, scheme: 'http' });
      assert.equal(response.status, 302);
      assert.equal(response.headers.location, url);
    });
  }
});

describe('6: one server per data folder, and create-if-absent is atomic', () => {
  test('a second server on the same folder is refused with a clear message, and may start once the first stops', async () => {
    const dataDir = temporaryFolder('pid-mock-lock-');
    try {
      const first = await startMockServer({ host: '127.0.0.1', port: 0, dataDir, prefixes: [PREFIX] });
      try {
        await assert.rejects(
          startMockServer({ host: '127.0.0.1', port: 0, dataDir, prefixes: [PREFIX] }),
          (error: Error) => error instanceof DataFolderLockedError && error.message.includes(`process ${process.pid}`) && error.message.includes('--data'),
        );
      } finally {
        await first.close();
      }
      const second = await startMockServer({ host: '127.0.0.1', port: 0, dataDir, prefixes: [PREFIX] });
      await second.close();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('a create racing another connection between its existence check and its write loses nothing', async () => {
    const dataDir = temporaryFolder('pid-mock-race-');
    const file = join(dataDir, 'handles.sqlite');
    const setup = await startMockServer({ host: '127.0.0.1', port: 0, dataDir, prefixes: [PREFIX] });
    const admins = setup.state;
    await setup.close();
    const storeA = HandleStore.open(file);
    const storeB = HandleStore.open(file);
    // B must give up quickly when A holds the write lock, rather than wait its usual five seconds.
    (Reflect.get(storeB, 'db') as { pragma(text: string): void }).pragma('busy_timeout = 50');
    const serverAdmins = () => serverAdminsOf(admins);
    const serviceA = new HandleService(storeA, serverAdmins);
    const serviceB = new HandleService(storeB, serverAdmins);
    const handle = `${PREFIX}/${uniqueName('RACE')}`;
    const caller = (service: HandleService) =>
      ({ authentication: { kind: 'authenticated', identity: { index: 300, handle: `${PREFIX}/USER01` }, via: 'basic' }, overTls: true }) as Parameters<
        typeof service.put
      >[3];
    const record = (who: string) => ({ values: [{ index: 1, type: 'URL', data: `https://example.org/${who}` }] });
    const outcomes: string[] = [];
    // B's create lands exactly between A's "is it absent?" and A's write.
    const realGetValues = storeA.getValues.bind(storeA);
    let raced = false;
    storeA.getValues = (name: string) => {
      const seen = realGetValues(name);
      if (!raced && name === handle) {
        raced = true;
        try {
          outcomes.push(`B ${serviceB.put(handle, record('B'), { indexes: undefined, overwrite: false, mintNewSuffix: false }, caller(serviceB)).httpStatus}`);
        } catch (error) {
          outcomes.push(`B refused: ${(error as Error).message}`);
        }
      }
      return seen;
    };
    try {
      let a: string;
      try {
        a = `A ${serviceA.put(handle, record('A'), { indexes: undefined, overwrite: false, mintNewSuffix: false }, caller(serviceA)).httpStatus}`;
      } catch (error) {
        a = `A refused: ${(error as Error).message}`;
      }
      outcomes.push(a);
      const winners = outcomes.filter((o) => / 201$/.test(o));
      assert.equal(winners.length, 1, outcomes.join('; '));
      const stored = storeB.getValues(handle)!;
      assert.equal(stored[0]!.data.toString(), `https://example.org/${winners[0]!.slice(0, 1)}`);
    } finally {
      storeA.close();
      storeB.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('7: a Transfer-Encoding other than chunked (found by the hostile-input run with seed 938711)', () => {
  for (const scheme of ['http', 'https'] as const) {
    test(`"gzip, chunked" over ${scheme} is a 400 envelope at once that names the coding, and nothing is written`, async () => {
      const handle = `${PREFIX}/${uniqueName('TE')}`;
      const head =
        `PUT /api/handles/${handle} HTTP/1.1\r\nHost: x\r\nAuthorization: ${basicHeader(t.trainee.identity, t.trainee.password)}\r\n` +
        'Content-Type: application/json\r\nTransfer-Encoding: gzip, chunked\r\nConnection: close\r\n\r\n';
      // No body follows: before the fix the server waited for chunks until its request timeout (60 s).
      const answer = await rawExchange(t, scheme, head, 5_000);
      assert.equal(answer.status, 400, answer.raw);
      assert.equal(answer.json?.responseCode, 4, answer.raw);
      assert.match(String(answer.json?.message), /Transfer-Encoding "gzip, chunked" is not supported.*no gzip/);
      const read = await t.request({ path: `/api/handles/${handle}` });
      assert.equal(read.status, 404, read.text);
    });
  }

  test('plain chunked bodies are still read', async () => {
    const handle = `${PREFIX}/${uniqueName('TE')}`;
    const body = JSON.stringify({ values: [{ index: 1, type: 'URL', data: { format: 'string', value: 'https://example.org/te' } }] });
    const head =
      `PUT /api/handles/${handle} HTTP/1.1\r\nHost: x\r\nAuthorization: ${basicHeader(t.trainee.identity, t.trainee.password)}\r\n` +
      `Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n0\r\n\r\n`;
    const answer = await rawExchange(t, 'https', head, 5_000);
    assert.equal(answer.status, 201, answer.raw);
  });
});
