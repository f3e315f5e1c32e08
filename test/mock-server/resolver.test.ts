// Tests the browser resolver (GET /{handle}) against the real Handle.Net proxy transcripts 98-103 and the 10320/LOC rules of protocol reference §7.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { request } from 'undici';
import type { HandleValueJson } from '../../mock-server/vocabulary/model.js';
import resolverRoutes, { type RecordLookup } from '../../mock-server/routes/resolver.js';
import { chooseRedirect, encodeIriToUri, parseLocations } from '../../mock-server/handle/loc-selection.js';
import { describeAdminValue, renderHandleValuesPage } from '../../mock-server/views/resolver-pages.js';

const FIXTURES = path.resolve(__dirname, '../../../shared/fixtures/real-handle-server');
const REAL_HOST = 'http://127.0.0.1:8000';
const TIMESTAMP = '2026-11-25T19:43:37Z';

interface Transcript {
  request: { path: string };
  response: { status: number; headers: Record<string, string>; body: unknown };
  meta: { otherResponseHeaders: Record<string, string> };
}

function transcript(prefix: string): Transcript {
  const file = readdirSync(FIXTURES).find((name) => name.startsWith(`${prefix}-`));
  assert.ok(file, `transcript ${prefix} exists`);
  return JSON.parse(readFileSync(path.join(FIXTURES, file), 'utf8')) as Transcript;
}

function value(index: number, type: string, data: unknown, extra: Partial<HandleValueJson> = {}): HandleValueJson {
  const format = typeof data === 'string' ? 'string' : type === 'HS_ADMIN' ? 'admin' : 'key';
  return { index, type, data: { format, value: data }, ttl: 86400, timestamp: TIMESTAMP, ...extra };
}

function loc(index: number, xml: string): HandleValueJson {
  return value(index, '10320/LOC', xml);
}

const EXISTING1: HandleValueJson[] = [
  value(1, 'URL', 'https://example.org/existing1'),
  value(2, 'EMAIL', 'someone@example.org'),
  value(3, 'URL', 'https://example.org/existing1-mirror'),
  value(100, 'HS_ADMIN', { handle: '0.NA/21.T12995', index: 200, permissions: '011111110011' }),
];

const RECORDS: Record<string, HandleValueJson[]> = {
  '21.T12995/EXISTING1': EXISTING1,
  '21.T12995/USER02': [value(100, 'HS_ADMIN', { handle: '0.NA/21.T12995', index: 200, permissions: '111111111111' })],
  '21.T12995/XSS': [
    value(1, 'URL', 'javascript:alert(1)'),
    value(2, 'DESC', '<script>alert(1)</script>'),
    value(3, 'EMAIL', 'x@example.org?bcc=victim@example.org" onmouseover="alert(1)'),
    value(4, '<img src=x onerror=alert(1)>', 'plain'),
  ],
  '21.T12995/LOC': [
    value(1, 'URL', 'https://example.org/plain-url'),
    loc(
      2,
      `<locations chooseby="locatt,weighted">
         <location id="0" href="https://uk.example.org/data" country="gb" weight="0" />
         <location id='1' href = 'https://de.example.org/data' country='de' weight="0" />
         <location id="2" href="https://www.example.org/data" />
       </locations>`,
    ),
  ],
  '21.T12995/LOC-303': [loc(1, '<locations><location href="https://example.org/see-other" http_sc="303" http_role="conneg"/></locations>')],
  '21.T12995/LOC-BROKEN': [loc(1, '<locations><location href="https://example.org/never"'), value(2, 'URL', 'https://example.org/fallback')],
  '21.T12995/LONG-TTL': [value(1, 'URL', 'https://example.org/long', { ttl: 30 * 86400 })],
  '21.T12995/SHORT-TTL': [value(1, 'URL', 'https://example.org/short', { ttl: 60 })],
  '21.T12995/IRI': [value(1, 'URL', 'https://example.org/b\u00fccher/%41 x')],
  '21.T12995/A B+C': [value(1, 'URL', 'https://example.org/space')],
};

const lookup: RecordLookup = (handle) => {
  const key = Object.keys(RECORDS).find((name) => name.toUpperCase() === handle.toUpperCase());
  if (key !== undefined) return { status: 'found', handle: key, values: RECORDS[key] as HandleValueJson[] };
  const prefix = handle.split('/')[0] as string;
  if (prefix.toUpperCase() !== '21.T12995') return { status: 'prefix-not-homed', prefix };
  return { status: 'not-found' };
};

let app: FastifyInstance;
let base: string;

async function get(
  pathAndQuery: string,
  init: { method?: 'GET' | 'HEAD'; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const response = await request(`${base}${pathAndQuery}`, { method: init.method ?? 'GET', headers: init.headers ?? {} });
  return { status: response.statusCode, headers: response.headers, body: await response.body.text() };
}

function withOurHost(html: string): string {
  return html.split(REAL_HOST).join(base);
}

before(async () => {
  app = Fastify();
  await app.register(resolverRoutes, { lookup, baseUrl: (req) => `${req.protocol}://${req.host}` });
  // Stands in for the lead's REST API, to prove the resolver's /* does not swallow it.
  app.get('/api/*', async () => ({ route: 'api' }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  assert.ok(address !== null && typeof address === 'object');
  base = `http://127.0.0.1:${address.port}`;
});

after(async () => {
  await app.close();
});

describe('redirects', () => {
  test('a handle with URL values redirects with 302 to the first one, with the page of transcript 98', async () => {
    const real = transcript('98');
    const response = await get('/21.T12995/EXISTING1');
    assert.equal(response.status, 302);
    assert.equal(response.headers.location, real.meta.otherResponseHeaders.location);
    assert.equal(response.headers['content-type'], real.response.headers['content-type']);
    assert.equal(response.body, real.response.body);
    assert.equal(response.headers.vary, undefined);
  });

  test('an Accept: application/json header is ignored, as in transcript 102', async () => {
    const response = await get('/21.T12995/EXISTING1', { headers: { accept: 'application/json' } });
    assert.equal(response.status, 302);
    assert.equal(response.headers.location, transcript('102').meta.otherResponseHeaders.location);
  });

  test('hdl:, doi:, info:hdl/, info:doi/, urn:hdl: and urn:doi: prefixes are stripped, in any letter case', async () => {
    for (const form of ['hdl:', 'HDL:', 'doi:', 'info:hdl/', 'info:doi/', 'urn:hdl:', 'URN:DOI:']) {
      const response = await get(`/${form}21.T12995/EXISTING1`);
      assert.equal(response.status, 302, form);
      assert.equal(response.headers.location, 'https://example.org/existing1', form);
    }
  });

  test('a handle URN may use a colon instead of the slash', async () => {
    const response = await get('/urn:hdl:21.T12995:EXISTING1');
    assert.equal(response.headers.location, 'https://example.org/existing1');
  });

  test('percent-encoded paths are decoded, including %2F, while + stays a plus', async () => {
    assert.equal((await get('/21.T12995%2FEXISTING1')).headers.location, 'https://example.org/existing1');
    assert.equal((await get('/hdl%3A21.T12995%2Fexisting1')).headers.location, 'https://example.org/existing1');
    assert.equal((await get('/21.T12995/A%20B+C')).headers.location, 'https://example.org/space');
  });

  test('Expires follows the TTL of the URL value, and is capped at two days', async () => {
    const startedAt = Date.now();
    const short = await get('/21.T12995/SHORT-TTL');
    const long = await get('/21.T12995/LONG-TTL');
    const shortExpiry = Date.parse(String(short.headers.expires));
    const longExpiry = Date.parse(String(long.headers.expires));
    // HTTP dates have one-second resolution.
    assert.ok(Math.abs(shortExpiry - (startedAt + 60_000)) < 5_000, `short expiry ${short.headers.expires}`);
    assert.ok(Math.abs(longExpiry - (startedAt + 2 * 86400_000)) < 5_000, `long expiry ${long.headers.expires}`);
    assert.match(String(long.headers.expires), /^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
  });

  test('?index= narrows the candidates, so the redirect goes to the URL at that index', async () => {
    const response = await get('/21.T12995/EXISTING1?index=3');
    assert.equal(response.headers.location, 'https://example.org/existing1-mirror');
  });

  test('?index= and ?type= are OR-ed and a type ending in "." matches its sub-types', async () => {
    const page = await get('/21.T12995/EXISTING1?noredirect&type=email&index=100');
    const rows = page.body.match(/<tr bgcolor=/g) ?? [];
    assert.equal(rows.length, 2);
    assert.match(page.body, /someone@example\.org/);
    assert.match(page.body, /HS_ADMIN/);
    assert.equal((await get('/21.T12995/EXISTING1?type=URL.')).headers.location, 'https://example.org/existing1');
  });

  test('?index= that matches no value gives the 200 "No Values Found" page', async () => {
    const response = await get('/21.T12995/EXISTING1?index=999');
    assert.equal(response.status, 200);
    assert.match(response.body, /<title>No Values Found<\/title>/);
    assert.ok(response.body.includes(`<a href="${base}/21.T12995/EXISTING1">`));
  });

  test('?urlappend= is appended to the target, keeping a literal +', async () => {
    const response = await get('/21.T12995/EXISTING1?urlappend=%3Fpage%3D2+3');
    assert.equal(response.headers.location, 'https://example.org/existing1?page=2+3');
    assert.ok(response.body.includes('https://example.org/existing1?page=2+3'));
  });

  test('the Location header is IRI-encoded without encoding an existing % twice', async () => {
    const response = await get('/21.T12995/IRI');
    assert.equal(response.headers.location, 'https://example.org/b%C3%BCcher/%41%20x');
    assert.equal(encodeIriToUri('http://b\u00fccher.example/p'), 'http://xn--bcher-kva.example/p');
    assert.equal(encodeIriToUri('https://example.org/a\r\nSet-Cookie: x'), 'https://example.org/a%0D%0ASet-Cookie:%20x');
  });

  test('HEAD answers like GET, without a body', async () => {
    const response = await get('/21.T12995/EXISTING1', { method: 'HEAD' });
    assert.equal(response.status, 302);
    assert.equal(response.headers.location, 'https://example.org/existing1');
    assert.equal(response.body, '');
  });
});

describe('pages', () => {
  test('?noredirect shows the values page of transcript 99, identical apart from the host', async () => {
    const real = transcript('99');
    const response = await get('/21.T12995/EXISTING1?noredirect');
    assert.equal(response.status, 200);
    assert.equal(response.headers['content-type'], real.response.headers['content-type']);
    const rows = (html: string): string[] => html.split('\n').filter((line) => line.startsWith('<tr') || line.startsWith('<td>'));
    assert.deepEqual(rows(response.body), rows(withOurHost(real.response.body as string)));
    // The link to the mock's history page is the one line the real server does not have.
    assert.ok(response.body.includes('<p class="pid-mock-history"><a href="/_history/21.T12995/EXISTING1">'));
    assert.equal(response.body.replace(/\n<p class="pid-mock-history">[^\n]*/, '\n'), withOurHost(real.response.body as string));
  });

  test('?noredirect= with an empty value and ?action=showvalues show the same page', async () => {
    const expected = (await get('/21.T12995/EXISTING1?noredirect')).body;
    assert.equal((await get('/21.T12995/EXISTING1?noredirect=')).body, expected);
    assert.equal((await get('/21.T12995/EXISTING1?action=showvalues')).body, expected);
  });

  test('a handle without URL values shows the values page of transcript 101', async () => {
    const real = transcript('101');
    const response = await get('/21.T12995/USER02');
    assert.equal(response.status, 200);
    assert.equal(response.body.replace(/\n<p class="pid-mock-history">[^\n]*/, '\n'), withOurHost(real.response.body as string));
  });

  test('HS_ADMIN permissions are named and ordered exactly as in transcripts 99 and 101', () => {
    for (const [file, bits] of [
      ['99', '011111110011'],
      ['101', '111111111111'],
    ] as const) {
      const realText = /<td>(handle=[^<]*)<\/td>/.exec(transcript(file).response.body as string)?.[1];
      assert.equal(describeAdminValue({ handle: '0.NA/21.T12995', index: 200, permissions: bits }), realText);
    }
    assert.equal(describeAdminValue({ handle: '0.NA/X', index: 300, permissions: '100000000000' }), 'handle=0.NA/X; index=300; [list]');
    assert.equal(describeAdminValue({ handle: '0.NA/X', index: 300, permissions: '1' }), 'handle=0.NA/X; index=300; [create hdl]');
  });

  test('an unknown handle gets the 404 page of transcript 100', async () => {
    const real = transcript('100');
    const response = await get('/21.T12995/DOES-NOT-EXIST');
    assert.equal(response.status, 404);
    assert.equal(response.headers['content-type'], real.response.headers['content-type']);
    assert.equal(response.body, real.response.body);
  });

  test('an unknown handle ending in a slash gets the trailing-slash hint linking to the handle without it', async () => {
    const response = await get('/21.T12995/EXISTING1/');
    assert.equal(response.status, 404);
    assert.match(response.body, /included a trailing slash character \(\/\) which may be incorrect\.  <a href="\/21\.T12995\/EXISTING1">Click here<\/a>/);
  });

  test('a handle under an unhomed prefix gets a 404 "Prefix [...] Not Found" page', async () => {
    const response = await get('/10.9999/abc');
    assert.equal(response.status, 404);
    assert.match(response.body, /<title>Prefix \[10\.9999\] Not Found<\/title>/);
    assert.match(response.body, /<b><i>10\.9999\/abc<\/i><\/b>/);
  });

  test('the home page keeps the real form fields, says it is the offline resolver, and submits with GET', async () => {
    const response = await get('/');
    assert.equal(response.status, 200);
    assert.equal(response.headers['content-type'], 'text/html;charset=utf-8');
    for (const field of ['hdl', 'noredirect', 'auth', 'ignore_aliases']) assert.match(response.body, new RegExp(`name="${field}"`));
    assert.match(response.body, /<form action="\/" method=GET >/);
    assert.match(response.body, /offline pid-handson resolver/);
    assert.match(response.body, /<h3 align="center">Resolve a Handle and View the Values<\/h3>/);
  });

  test('submitting the form redirects to the handle and keeps a ticked "Don\'t Redirect to URLs"', async () => {
    const plain = await get('/?hdl=21.T12995%2FEXISTING1');
    assert.equal(plain.status, 302);
    assert.equal(plain.headers.location, '/21.T12995/EXISTING1');
    const ticked = await get('/?hdl=+21.T12995%2FEXISTING1+&noredirect=');
    assert.equal(ticked.headers.location, '/21.T12995/EXISTING1?noredirect');
    const spaced = await get('/?hdl=21.T12995%2FA%20B%2BC');
    assert.equal(spaced.headers.location, '/21.T12995/A%20B%2BC');
    assert.equal((await get('/?hdl=')).status, 200);
    // A handle typed with leading slashes must not become a scheme-relative //host redirect.
    assert.equal((await get('/?hdl=%2F%2Fevil.example%2Fx')).headers.location, '/evil.example/x');
  });

  test('a value holding <script> is shown escaped and a javascript: URL never becomes a link', async () => {
    const page = (await get('/21.T12995/XSS?noredirect')).body;
    assert.ok(!page.includes('<script>alert(1)</script>'));
    assert.ok(page.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.ok(!/href="\s*javascript:/i.test(page));
    assert.ok(page.includes('<td>javascript:alert(1)</td>'));
    assert.ok(!page.includes('<img src=x'));
    assert.ok(!page.includes('" onmouseover="'));
    assert.ok(page.includes('href="mailto:x@example.org%3Fbcc%3Dvictim@example.org%22%20onmouseover%3D%22alert(1)"'));

    const redirect = await get('/21.T12995/XSS');
    assert.ok(!/href="\s*javascript:/i.test(redirect.body));
  });

  test('the handle name is escaped on the 404 page, in the text and in the mailto link', async () => {
    const response = await get('/21.T12995/%3Cscript%3Ealert(1)%3C%2Fscript%3E');
    assert.equal(response.status, 404);
    assert.ok(!response.body.includes('<script>'));
    assert.ok(response.body.includes('<b><i>21.T12995/&lt;script&gt;alert(1)&lt;/script&gt;</i></b>'));
    assert.ok(response.body.includes('not%20found:%0D%0A21.T12995%2F%3Cscript%3Ealert(1)%3C%2Fscript%3E.'));
  });

  test('the values page renders vlist, key and base64 data readably', () => {
    const html = renderHandleValuesPage({
      handle: '21.T12995/MIXED',
      baseUrl: 'http://localhost:8000/',
      values: [
        { index: 1, type: 'HS_VLIST', data: { format: 'vlist', value: [{ handle: '21.T12995/A', index: 300 }] }, ttl: 86400 },
        { index: 2, type: 'HS_PUBKEY', data: { format: 'key', value: { kty: 'RSA', e: 'AQAB' } }, ttl: 86400 },
        { index: 3, type: 'BLOB', data: { format: 'base64', value: 'AAEC' }, ttl: 86400 },
        { index: 4, type: '10320/LOC', data: { format: 'string', value: '<locations/>' }, ttl: 86400 },
      ],
    });
    assert.ok(html.includes('<td>300:21.T12995/A<br></td>'));
    assert.ok(html.includes('<td>{&quot;kty&quot;:&quot;RSA&quot;,&quot;e&quot;:&quot;AQAB&quot;}</td>'));
    assert.ok(html.includes('<td><i>base64:</i> AAEC</td>'));
    assert.ok(html.includes('<td>&lt;locations/&gt;</td>'));
    assert.ok(html.includes('<a href="http://localhost:8000/10320/LOC">10320/LOC</a>'));
    assert.ok(html.includes('<b>BLOB</b>'));
  });

  test('?action=showurls lists the candidate locations as XML', async () => {
    const response = await get('/21.T12995/EXISTING1?action=showurls');
    assert.equal(response.status, 200);
    assert.equal(response.headers['content-type'], 'text/xml;charset=utf-8');
    assert.equal(
      response.body,
      '<locations>\n' +
        '<location href="https://example.org/existing1" weight="1.0" mode="legacy" />\n' +
        '<location href="https://example.org/existing1-mirror" weight="0.0" mode="legacy" />\n' +
        '</locations>\n',
    );
    const withLoc = await get('/21.T12995/LOC?action=showurls');
    assert.match(withLoc.body, /<location id="1" href="https:\/\/de\.example\.org\/data" country="de" weight="0" \/>/);
    assert.match(withLoc.body, /<location href="https:\/\/example\.org\/plain-url" weight="0\.0" mode="legacy" \/>/);
  });

  test('a dummy /api/* route registered beside the plugin still gets /api/ paths', async () => {
    const response = await get('/api/handles/21.T12995/EXISTING1');
    assert.equal(response.status, 200);
    assert.deepEqual(JSON.parse(response.body), { route: 'api' });
  });
});

describe('10320/LOC selection', () => {
  test('?locatt=country:gb picks the location with that attribute', async () => {
    const response = await get('/21.T12995/LOC?locatt=country:gb');
    assert.equal(response.status, 302);
    assert.equal(response.headers.location, 'https://uk.example.org/data');
  });

  test('without locatt the weighted choice never takes a weight-0 location or the weight-0 URL value', async () => {
    for (let i = 0; i < 5; i += 1) {
      assert.equal((await get('/21.T12995/LOC')).headers.location, 'https://www.example.org/data');
    }
  });

  test('a bare ?locatt=country keeps every location that has the attribute', () => {
    const values = RECORDS['21.T12995/LOC'] as HandleValueJson[];
    assert.equal(chooseRedirect(values, { locatt: 'country' }, () => 0)?.url, 'https://uk.example.org/data');
    assert.equal(chooseRedirect(values, { locatt: 'country' }, () => 0.99)?.url, 'https://de.example.org/data');
  });

  test('a locatt filter that matches nothing is skipped instead of leaving no location', () => {
    const values = RECORDS['21.T12995/LOC'] as HandleValueJson[];
    assert.equal(chooseRedirect(values, { locatt: 'country:fr' }, () => 0.5)?.url, 'https://www.example.org/data');
  });

  test('http_sc="303" gives a 303 and http_role="conneg" adds Vary: Accept', async () => {
    const response = await get('/21.T12995/LOC-303');
    assert.equal(response.status, 303);
    assert.equal(response.headers.location, 'https://example.org/see-other');
    assert.equal(response.headers.vary, 'Accept');
  });

  test('malformed 10320/LOC XML does not throw and the redirect falls back to the URL value', async () => {
    assert.deepEqual(parseLocations('<locations><location href="x"').locations, []);
    assert.deepEqual(parseLocations('<locations __proto__="x"><location href="y"/></locations>').locations, []);
    assert.deepEqual(parseLocations('not xml at all').locations, []);
    const response = await get('/21.T12995/LOC-BROKEN');
    assert.equal(response.status, 302);
    assert.equal(response.headers.location, 'https://example.org/fallback');
  });

  test('parseLocations tolerates single quotes, spacing, missing attributes and a custom chooseby', () => {
    const document = parseLocations(
      `<?xml version="1.0"?>\n<locations choose_by=" score , weighted " http_sc="307">
         <location href = 'https://a.example/x?a=1&amp;b=2' id='0' weight=' 0.5 ' http_role="conneg" flag />
         <location id="1"/>
         <LOCATION href="https://b.example/"></LOCATION>
       </locations>`,
    );
    assert.deepEqual(document.chooseBy, ['score', 'weighted']);
    assert.equal(document.attributes.http_sc, '307');
    assert.equal(document.locations.length, 2);
    assert.deepEqual(document.locations[0], {
      href: 'https://a.example/x?a=1&b=2',
      id: '0',
      weight: 0.5,
      httpRole: 'conneg',
      attributes: { href: 'https://a.example/x?a=1&b=2', id: '0', weight: '0.5', http_role: 'conneg', flag: '' },
    });
    assert.deepEqual(document.locations[1], { href: 'https://b.example/', attributes: { href: 'https://b.example/' } });
    assert.deepEqual(parseLocations('<locations/>').chooseBy, ['locatt', 'address', 'country', 'score', 'weighted']);
  });

  test('weighted selection follows the injected random number in proportion to the weights', () => {
    const values = [loc(1, '<locations><location href="https://a/" weight="1"/><location href="https://b/" weight="3"/></locations>')];
    assert.equal(chooseRedirect(values, {}, () => 0)?.url, 'https://a/');
    assert.equal(chooseRedirect(values, {}, () => 0.24)?.url, 'https://a/');
    assert.equal(chooseRedirect(values, {}, () => 0.25)?.url, 'https://b/');
    assert.equal(chooseRedirect(values, {}, () => 0.999)?.url, 'https://b/');
  });

  test('a missing weight counts as 1 and when every weight is 0 the choice is uniform', () => {
    const defaults = [loc(1, '<locations><location href="https://a/" weight="0"/><location href="https://b/"/></locations>')];
    assert.equal(chooseRedirect(defaults, {}, () => 0)?.url, 'https://b/');
    const zeros = [loc(1, '<locations><location href="https://a/" weight="0"/><location href="https://b/" weight="-2"/></locations>')];
    assert.equal(chooseRedirect(zeros, {}, () => 0.1)?.url, 'https://a/');
    assert.equal(chooseRedirect(zeros, {}, () => 0.9)?.url, 'https://b/');
  });

  test('score keeps only the locations with the highest score', () => {
    const values = [
      loc(
        1,
        '<locations chooseby="score,weighted"><location href="https://a/" score="2"/><location href="https://b/" score="5"/><location href="https://c/"/></locations>',
      ),
    ];
    for (const draw of [0, 0.5, 0.99]) assert.equal(chooseRedirect(values, {}, () => draw)?.url, 'https://b/');
  });

  test('http_sc is read from the chosen location first, then from <locations>, and other codes mean 302', () => {
    const onRoot = [loc(1, '<locations http_sc="308"><location href="https://a/"/></locations>')];
    assert.equal(chooseRedirect(onRoot)?.status, 308);
    const onLocation = [loc(1, '<locations http_sc="308"><location href="https://a/" http_sc="301"/></locations>')];
    assert.equal(chooseRedirect(onLocation)?.status, 301);
    const unknown = [loc(1, '<locations><location href="https://a/" http_sc="304"/></locations>')];
    assert.equal(chooseRedirect(unknown)?.status, 302);
  });

  test('without 10320/LOC the first exact URL wins over an earlier URL sub-type, and 0.TYPE/URL counts as URL', () => {
    const values = [value(1, 'URL.mirror', 'https://sub/'), value(2, 'url', 'https://exact/')];
    assert.deepEqual(chooseRedirect(values), { url: 'https://exact/', status: 302, varyAccept: false, ttlSources: [values[1]] });
    assert.equal(chooseRedirect([value(1, 'URL.mirror', 'https://sub/')])?.url, 'https://sub/');
    assert.equal(chooseRedirect([value(1, '0.TYPE/URL', 'https://zero/')])?.url, 'https://zero/');
    assert.equal(chooseRedirect([value(1, 'EMAIL', 'a@b')]), undefined);
    assert.equal(chooseRedirect([value(1, 'URLS', 'https://no/')]), undefined);
  });
});
