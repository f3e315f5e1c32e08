// Hostile input: well over 1,000 generated requests (fast-check) over every route of a real server:
// broken and deeply nested JSON, wrong types, huge bodies, invalid UTF-8 and percent-encoding, control
// and bidi characters in handles, traversal under /files/, absurd query values, SQL LIKE and quote
// characters in look-ups, odd request lines and headers. Never a 5xx, API errors are Handle envelopes,
// a refused write changes nothing, and the server is still serving at the end.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { assertHandleEnvelope, basicHeader, rawExchange, realmBasicHeader, type HttpResult } from '../support/http.js';
import { PREFIX, startTestServer, storeSnapshot, type TestServer } from '../support/mock-server.js';

const SEED = Number(process.env.RELIABILITY_SEED ?? Date.now() % 1_000_000);
let t: TestServer;
let tried = 0;
const statuses = new Map<number, number>();

before(async () => {
  t = await startTestServer();
});
after(async () => {
  console.log(`# hostile input: ${tried} generated requests, statuses ${JSON.stringify(Object.fromEntries([...statuses].sort()))} (seed ${SEED})`);
  await t?.close();
});

// ---- generators ----

// biome-ignore format: the hostile strings read best packed, as a table
const nasty = fc.constantFrom(
  '\u0000', '\u0001', '\u001f', '\u007f', '\u202e', '\u2066', '\u200f', '\ufeff', '\ud800', '\udfff', '%', '%%', '%zz', '%C3', '%C3%28',
  '%ED%A0%80', '%00', '%2F', '%2e%2e', '..', '../', '..\\', '/', '//', '\\', "'", '"', '`', ';', '--', '/*', '*', '_', '%25', '?', '#', '&', '=',
  '+', ' ', '\t', '\r\n', '<script>', '${x}', 'HS_SECKEY', 'NULL', "' OR 1=1 --", '\\0', '\u00e9', '\u4e2d', '\ud83d\ude00',
);
/** Text mixing ordinary characters with the characters that break parsers, decoders and SQL. */
const hostileText = fc
  .array(fc.oneof(nasty, fc.string({ maxLength: 6 }), fc.string({ unit: 'binary', maxLength: 4 })), { maxLength: 8 })
  .map((parts) => parts.join(''));
/** As it would appear in a URL: sometimes raw, sometimes percent-encoded (which keeps any "%zz" as it was). */
const inUrl = fc.tuple(hostileText, fc.boolean()).map(([text, encode]) => {
  const safe = text.replace(/[\u0000-\u0020\u007f-\uffff#?]/g, (c) => encodeURIComponent(c.length === 1 && c >= '\ud800' && c <= '\udfff' ? '\ufffd' : c));
  return encode ? encodeURIComponent(text.replace(/[\ud800-\udfff]/g, '\ufffd')) : safe;
});
const absurdNumber = fc.oneof(
  fc.constantFrom('-1', '0', '1e400', '99999999999999999999', 'NaN', 'Infinity', '-0', '0x10', '1.5', '', ' 1', '2147483648', '-2147483649'),
  fc.integer().map(String),
  hostileText,
);
const query = fc
  .array(
    fc.tuple(
      fc.constantFrom(
        'index',
        'type',
        'overwrite',
        'mintNewSuffix',
        'publicOnly',
        'pretty',
        'callback',
        'prefix',
        'page',
        'pageSize',
        'auth',
        'noredirect',
        'action',
        'locatt',
        'urlappend',
        'limit',
        'retrieverecords',
        'URL',
        'EMAIL',
      ),
      fc.oneof(absurdNumber, inUrl),
    ),
    { maxLength: 5 },
  )
  .map((pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}` : ''));

const deepJson = fc.integer({ min: 50, max: 20_000 }).chain((depth) =>
  fc.constantFrom('[', '{"a":', '{"values":[').map((open) => {
    const close = open === '[' ? ']' : open === '{"a":' ? '}' : ']}';
    return `${open.repeat(depth)}1${close.repeat(depth)}`;
  }),
);
const wrongTypes = fc.record(
  {
    index: fc.oneof(fc.jsonValue(), fc.constantFrom(-1, 0, 1.5, 1e300, '1', null)),
    type: fc.oneof(fc.jsonValue(), hostileText),
    data: fc.oneof(fc.jsonValue(), fc.record({ format: fc.jsonValue(), value: fc.jsonValue() })),
    ttl: fc.jsonValue(),
    references: fc.jsonValue(),
    permissions: fc.jsonValue(),
  },
  { requiredKeys: [] },
);
const body = fc.oneof(
  fc.json().map((text) => ({ text })),
  deepJson.map((text) => ({ text })),
  fc.array(wrongTypes, { maxLength: 4 }).map((values) => ({ text: JSON.stringify({ values }) })),
  fc.tuple(fc.jsonValue(), fc.array(wrongTypes, { maxLength: 3 })).map(([handle, values]) => ({ text: JSON.stringify({ handle, values }) })),
  hostileText.map((text) => ({ text })),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => ({
    bytes: Buffer.concat([
      Buffer.from('{"values":[{"index":1,"type":"URL","data":"'),
      Buffer.from(bytes),
      Buffer.from([0xc3, 0x28, 0xff]),
      Buffer.from('"}]}'),
    ]),
  })),
  fc.integer({ min: 1_100_000, max: 1_300_000 }).map((size) => ({ text: `{"values":[{"index":1,"type":"URL","data":"${'x'.repeat(size)}"}]}` })),
);
const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=latin1',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  '',
  'application/json\u0000',
);
const who = fc.constantFrom('anonymous', 'trainee', 'wrong-password', 'garbage-auth');

function authorizationFor(kind: string): Record<string, string> {
  if (kind === 'trainee') return { authorization: basicHeader(t.trainee.identity, t.trainee.password) };
  if (kind === 'wrong-password') return { authorization: basicHeader(t.trainee.identity, 'not-the-password') };
  if (kind === 'garbage-auth') return { authorization: 'Basic %%%\u00ff'.replace(/[^\x20-\x7e]/g, '?') };
  return {};
}

// ---- the properties every answer must have ----

const API_STATUSES = new Set([200, 201, 204, 400, 401, 403, 404, 405, 409, 413, 415, 431]);

function check(sentPath: string, response: Pick<HttpResult, 'status' | 'text' | 'headers'>): void {
  // undici sends the path as WHATWG URL parsing leaves it ("/api/..\\" goes out as "/"), so judge that one.
  let path = sentPath;
  try {
    path = new URL(sentPath, 'http://127.0.0.1').pathname;
  } catch {
    // sent raw, as it is
  }
  tried += 1;
  statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
  assert.ok(response.status < 500, `${response.status} for ${JSON.stringify(path)}: ${response.text.slice(0, 300)}`);
  if (path.startsWith('/api')) {
    assert.ok(API_STATUSES.has(response.status), `undocumented ${response.status} for ${JSON.stringify(path)}`);
    const type = String(response.headers['content-type'] ?? '');
    if (response.text !== '' && !type.startsWith('application/javascript')) assertHandleEnvelope(response);
  }
}

async function send(
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string | Buffer; scheme?: 'http' | 'https' } = {},
): Promise<HttpResult> {
  try {
    return await t.request({
      method,
      path,
      scheme: options.scheme ?? 'https',
      headers: options.headers ?? {},
      ...(options.body !== undefined ? { body: options.body } : {}),
    });
  } catch (error) {
    // undici refuses to send some generated requests at all (e.g. a control byte in the path); those go raw.
    const head = `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`;
    const answer = await rawExchange(t, options.scheme ?? 'https', Buffer.from(head, 'latin1'));
    assert.ok(answer.status > 0, `no answer to ${JSON.stringify(head)} (${(error as Error).message})`);
    return {
      status: answer.status,
      text: answer.raw.slice(answer.raw.indexOf('\r\n\r\n') + 4),
      headers: { 'content-type': /content-type: ([^\r]+)/i.exec(answer.raw)?.[1] ?? '' },
      bytes: Buffer.alloc(0),
      json: () => answer.json,
    };
  }
}

/** A write refused with 4xx must leave every record and the journal exactly as they were. */
async function writeChangesNothingUnlessAccepted(method: string, path: string, options: Parameters<typeof send>[2]): Promise<void> {
  const before = storeSnapshot(t.server);
  const response = await send(method, path, options);
  check(path, response);
  if (response.status >= 400) assert.equal(storeSnapshot(t.server), before, `${method} ${path} was refused with ${response.status} but changed the store`);
}

const RUNS = { put: 300, paths: 250, hrls: 150, files: 100, resolver: 150, admin: 50, raw: 100 };

describe(`hostile input (seed ${SEED}; RELIABILITY_SEED=${SEED} replays it)`, () => {
  test(`${RUNS.put} PUTs with hostile bodies, handles, queries and credentials`, async () => {
    await fc.assert(
      fc.asyncProperty(inUrl, query, body, contentType, who, async (suffix, q, payload, type, caller) => {
        const path = `/api/handles/${PREFIX}/${suffix}${q}`;
        const headers = { ...authorizationFor(caller), ...(type ? { 'content-type': type.replace(/\u0000/g, '') } : {}) };
        await writeChangesNothingUnlessAccepted('PUT', path, { headers, body: ('bytes' in payload ? payload.bytes : payload.text) ?? '' });
      }),
      { numRuns: RUNS.put, seed: SEED },
    );
  });

  test(`${RUNS.paths} GETs, DELETEs and odd methods on hostile API paths`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'DELETE', 'POST', 'HEAD', 'OPTIONS', 'PATCH', 'PROPFIND'),
        fc.constantFrom('/api/handles/', `/api/handles/${PREFIX}/`, '/api/', '/api/prefixes/', '/api/site/', '/api/sessions/'),
        inUrl,
        query,
        who,
        fc.constantFrom('http' as const, 'https' as const),
        async (method, base, tail, q, caller, scheme) => {
          const path = `${base}${tail}${q}`;
          if (['DELETE', 'POST', 'PATCH'].includes(method))
            await writeChangesNothingUnlessAccepted(method, path, { headers: authorizationFor(caller), scheme });
          else check(path, await send(method, path, { headers: authorizationFor(caller), scheme }));
        },
      ),
      { numRuns: RUNS.paths, seed: SEED },
    );
  });

  test(`${RUNS.hrls} reverse look-ups with LIKE, GLOB and quote characters and absurd limits`, async () => {
    const likeish = fc
      .array(fc.constantFrom('%', '_', '*', '?', "'", '"', '\\', '[', ']', '^', '-', 'a', 'HTTP', ';', '--', '%25', '%27', '%00', '%zz'), {
        minLength: 1,
        maxLength: 12,
      })
      .map((parts) => parts.join(''));
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.tuple(fc.constantFrom('URL', 'EMAIL', 'HS_SECKEY', 'hs_seckey', 'X%27', 'limit', 'page', "T'YPE"), fc.oneof(likeish, inUrl, absurdNumber)),
          { maxLength: 6 },
        ),
        fc.constantFrom('', '/', `/${PREFIX}`, '/%zz', "/21.T'", '/..%2F'),
        async (pairs, prefix) => {
          const path = `/hrls/handles${prefix}?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`;
          const headers = { authorization: realmBasicHeader(t.searchUser.name, t.searchUser.password) };
          check(path, await send('GET', path, { headers }));
        },
      ),
      { numRuns: RUNS.hrls, seed: SEED },
    );
  });

  test(`${RUNS.files} requests under /files/ and /ark: with traversal`, async () => {
    const traversal = fc
      .array(
        fc.constantFrom(
          '..',
          '%2e%2e',
          '%2E%2E',
          '..%2f',
          '%2f',
          '%5c',
          '..\\',
          '.',
          '%00',
          'etc',
          'passwd',
          'surveys.csv',
          'landing',
          '%252e%252e',
          '\u2024\u2024',
        ),
        { minLength: 1, maxLength: 6 },
      )
      .map((parts) => parts.join('/'));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/files/', '/files/landing/', '/ark:/13030/', '/files/../'), fc.oneof(traversal, inUrl), async (base, tail) => {
        const path = `${base}${tail}`;
        const response = await send('GET', path, { scheme: 'http' });
        check(path, response);
        assert.doesNotMatch(response.text, /root:x:0:0|BEGIN (RSA |EC )?PRIVATE KEY|"password"/, `traversal leaked a file at ${path}`);
      }),
      { numRuns: RUNS.files, seed: SEED },
    );
  });

  test(`${RUNS.resolver} resolver requests with hostile handles and queries`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/', `/${PREFIX}/`, '/hdl:', '/urn:hdl:', '/10.', '/0.NA/'), inUrl, query, async (base, tail, q) => {
        const path = `${base}${tail}${q}`;
        const response = await send('GET', path, { scheme: 'http' });
        check(path, response);
        if (response.headers.location !== undefined) assert.match(String(response.headers.location), /^(https?:|ftp:|\/)/i);
      }),
      { numRuns: RUNS.resolver, seed: SEED },
    );
  });

  test(`${RUNS.admin} admin requests with wrong tokens and hostile bodies`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/_admin/reset', '/_admin/reseed', '/_admin/events', '/_admin/nothing'),
        fc.constantFrom('Bearer wrong', 'Bearer ', 'Basic x', ''),
        fc.oneof(deepJson, fc.json(), hostileText),
        query,
        async (base, auth, text, q) => {
          const path = `${base}${q}`;
          await writeChangesNothingUnlessAccepted('POST', path, {
            scheme: 'http',
            headers: { ...(auth ? { authorization: auth } : {}), 'content-type': 'application/json' },
            body: text,
          });
        },
      ),
      { numRuns: RUNS.admin, seed: SEED },
    );
  });

  test(`${RUNS.raw} odd request lines and headers over raw sockets`, async () => {
    const method = fc.constantFrom('GET', 'PUT', 'get', 'G\u0000T', 'FROB', 'CONNECT', 'TRACE', '', ' GET', 'GET\t', 'PRI');
    const target = fc.oneof(
      fc.constantFrom(
        '/api/handles/x',
        '*',
        'http://evil.example/api/handles/x',
        '/api/handles/\u0000',
        '/api/handles/a b',
        '//api',
        `/api/handles/${'a'.repeat(20_000)}`,
      ),
      inUrl.map((s) => `/api/handles/${s}`),
    );
    const version = fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1 extra', 'HTTP/9.9', '', 'http/1.1');
    const header = fc.oneof(
      fc.constantFrom(
        'Host: x',
        'Host:',
        'Content-Length: -1',
        'Content-Length: 5\r\nContent-Length: 6',
        'Transfer-Encoding: chunked\r\nContent-Length: 3',
        'Transfer-Encoding: gzip, chunked',
        'X: \u0000',
        'Bad Header: x',
        ': empty',
        `X-Long: ${'b'.repeat(20_000)}`,
        'Authorization: Basic \u00ff\u00fe',
      ),
      fc.tuple(hostileText, hostileText).map(([n, v]) => `${n.replace(/[\r\n]/g, '')}: ${v.replace(/[\r\n]/g, '')}`),
    );
    await fc.assert(
      fc.asyncProperty(
        method,
        target,
        version,
        fc.array(header, { maxLength: 3 }),
        fc.constantFrom('http' as const, 'https' as const),
        async (m, path, v, headers, scheme) => {
          const head = `${m} ${path} ${v}\r\n${['Host: 127.0.0.1', ...headers].join('\r\n')}\r\nConnection: close\r\n\r\n`;
          const answer = await rawExchange(t, scheme, Buffer.from(head, 'utf8'));
          tried += 1;
          statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
          assert.ok(answer.status > 0 || head.includes('PRI'), `no answer at all to ${JSON.stringify(head.slice(0, 200))}`);
          assert.ok(answer.status < 500, `${answer.status} for ${JSON.stringify(head.slice(0, 200))}: ${answer.raw.slice(0, 300)}`);
          // A 401 for credentials that do not verify has no body at all, as on the real server.
          if (answer.status >= 400 && path.startsWith('/api') && answer.body !== '')
            assert.equal(typeof answer.json?.responseCode, 'number', `not an envelope: ${answer.raw.slice(0, 300)}`);
        },
      ),
      { numRuns: RUNS.raw, seed: SEED },
    );
  });

  test('the server is still serving, and the lesson records are as seeded', async () => {
    const site = await t.request({ path: '/api/site' });
    assert.equal(site.status, 200);
    assert.ok(tried >= 1_000, `only ${tried} requests tried`);
  });
});
