// Issue 21, findings 3, 4, 5 and 10, over real HTTP/TLS to a real server: the history page and the
// reverse look-up never show a restricted value to someone who could not read it, trainee identity
// names cannot be taken before they are provisioned, and the resolver redirects to whatever a URL value
// holds (irods://, relative paths) as the real Handle.Net proxy does, except script-bearing schemes.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { addIdentityWithCli } from '../support/mock-process.js';
import { assertHandleEnvelope, basicHeader, realmBasicHeader } from '../support/http.js';
import { PREFIX, startTestServer, uniqueName, type BasicIdentity, type TestServer } from '../support/mock-server.js';

let t: TestServer;
let bob: BasicIdentity;
let alice: BasicIdentity;

before(async () => {
  t = await startTestServer({ storage: 'data-dir' });
  // Two trainees in the prefix's admin group (both may create handles), neither a server admin.
  bob = await addIdentityWithCli(t.dataDir!, `300:${PREFIX}/${uniqueName('BOB')}`, { adminOf: PREFIX });
  alice = await addIdentityWithCli(t.dataDir!, `300:${PREFIX}/${uniqueName('ALICE')}`, { adminOf: PREFIX });
});
after(async () => t?.close());

const handleOf = (who: BasicIdentity) => who.identity.slice(who.identity.indexOf(':') + 1);
const asWho = (who: BasicIdentity) => ({ authorization: basicHeader(who.identity, who.password), 'content-type': 'application/json' });
const ownedBy = (who: BasicIdentity) => ({
  index: 100,
  type: 'HS_ADMIN',
  data: { format: 'admin', value: { handle: handleOf(who), index: 300, permissions: '011111110011' } },
});

async function put(who: BasicIdentity, handle: string, values: unknown[]): Promise<void> {
  const answer = await t.request({ method: 'PUT', path: `/api/handles/${handle}`, headers: asWho(who), body: JSON.stringify({ values }) });
  assert.equal(answer.status, 201, answer.text);
}

describe('3: the history page judges each value by the record as it stood then', () => {
  const handle = `${PREFIX}/${uniqueName('REUSED')}`;
  const bobsSecret = `bobs-secret-${uniqueName()}`;
  const alicesSecret = `alices-secret-${uniqueName()}`;
  const history = (headers: Record<string, string> = {}, scheme: 'http' | 'https' = 'https') =>
    t.request({ path: `/_history/${handle}`, scheme, headers }).then((page) => {
      assert.equal(page.status, 200, page.text);
      return page.text;
    });

  before(async () => {
    // The scenario: Bob keeps a value readable by admins only (1100), deletes the handle; Alice
    // creates the same name again with her own restricted value.
    await put(bob, handle, [
      { index: 1, type: 'URL', data: 'https://example.org/bob' },
      { index: 2, type: 'SECRET', permissions: '1100', data: bobsSecret },
      ownedBy(bob),
    ]);
    const deleted = await t.request({ method: 'DELETE', path: `/api/handles/${handle}`, headers: asWho(bob) });
    assert.equal(deleted.status, 200, deleted.text);
    await put(alice, handle, [
      { index: 1, type: 'URL', data: 'https://example.org/alice' },
      { index: 2, type: 'SECRET', permissions: '1100', data: alicesSecret },
      ownedBy(alice),
    ]);
  });

  test("Alice, who re-created the name, does not read Bob's restricted value; she reads her own", async () => {
    const page = await history(asWho(alice));
    assert.ok(!page.includes(bobsSecret), "Bob's 1100 value is on the page Alice gets");
    assert.ok(page.includes(alicesSecret), 'Alice reads her own restricted value');
    assert.ok(page.includes('https://example.org/bob'), "Bob's public values stay public");
    assert.match(page, /restricted, not shown/);
  });

  test("Bob still reads his own value, and not Alice's", async () => {
    const page = await history(asWho(bob));
    assert.ok(page.includes(bobsSecret), 'Bob could read it when he stored it and still can');
    assert.ok(!page.includes(alicesSecret), "Alice's value is not Bob's to read");
  });

  test('an anonymous reader sees no restricted value, over HTTP or HTTPS', async () => {
    for (const scheme of ['http', 'https'] as const) {
      const page = await history({}, scheme);
      assert.ok(!page.includes(bobsSecret) && !page.includes(alicesSecret), scheme);
      assert.ok(page.includes('https://example.org/alice'), scheme);
    }
  });
});

describe('3: the reverse look-up finds and shows public values only', () => {
  const handle = `${PREFIX}/${uniqueName('HRLS')}`;
  const secret = `hrls-secret-${uniqueName()}`;
  const checksum = `hrls-sum-${uniqueName()}`;
  const search = async (query: string) => {
    const answer = await t.request({ path: `/hrls/handles?${query}`, headers: { authorization: realmBasicHeader(t.searchUser.name, t.searchUser.password) } });
    assert.equal(answer.status, 200, answer.text);
    return { text: answer.text, json: JSON.parse(answer.text) as unknown };
  };

  before(async () => {
    await put(bob, handle, [{ index: 1, type: 'CHECKSUM', data: checksum }, { index: 2, type: 'SECRET', permissions: '1100', data: secret }, ownedBy(bob)]);
  });

  test('a public value is still found, and its record comes back without the restricted value', async () => {
    assert.deepEqual((await search(`CHECKSUM=${checksum}`)).json, [handle.toUpperCase()]);
    const records = await search(`CHECKSUM=${checksum}&retrieverecords=true`);
    assert.deepEqual(Object.keys(records.json as object), [handle.toUpperCase()]);
    assert.ok(!records.text.includes(secret), 'retrieverecords returned a 1100 value');
    assert.ok(!records.text.includes('"SECRET"'), 'retrieverecords named the restricted value');
  });

  for (const [label, query] of [
    ['a wildcard over the type', 'SECRET=*'],
    ['the whole value', `SECRET=${secret}`],
    ['a prefix of the value (the oracle)', `SECRET=${secret.slice(0, 14)}*`],
    ['the wildcard with retrieverecords', 'SECRET=*&retrieverecords=true'],
    ['a restricted value next to a public one', `CHECKSUM=${checksum}&SECRET=*`],
  ] as const) {
    test(`${label} matches nothing`, async () => {
      const found = await search(query);
      assert.ok(!found.text.includes(handle.toUpperCase()), `${query} found the handle by its restricted value`);
      assert.ok(!found.text.includes(secret));
    });
  }
});

describe('4: trainee identity names cannot be taken before they are provisioned', () => {
  const adminPut = (name: string) => t.request({ method: 'PUT', path: `/_admin/class/trainees/${name}`, headers: { authorization: `Bearer ${t.adminToken}` } });

  for (const name of ['trainee03', 'TRAINEE07', 'user05']) {
    test(`a trainee creating ${PREFIX}/${name} is refused with a reason; provisioning ${name} afterwards succeeds`, async () => {
      const squat = await t.request({
        method: 'PUT',
        path: `/api/handles/${PREFIX}/${name}?overwrite=false`,
        headers: asWho(alice),
        body: JSON.stringify({ values: [{ index: 1, type: 'URL', data: 'https://example.org/squat' }] }),
      });
      assert.equal(squat.status, 403, squat.text);
      const envelope = assertHandleEnvelope(squat);
      assert.equal(envelope.responseCode, 400);
      assert.match(String(envelope.message), /is reserved: .*kept for trainee identities/);
      assert.equal((await t.request({ path: `/api/handles/${PREFIX}/${name}`, scheme: 'http' })).status, 404, 'nothing was created');

      const provisioned = await adminPut(name);
      assert.equal(provisioned.status, 201, provisioned.text);
      const bundle = JSON.parse(provisioned.text) as { passwordIdentity: string; files: Record<string, string> };
      const basic = JSON.parse(bundle.files['cred_basic.json']!) as { username: string; password: string };
      const session = await t.request({ path: '/api/sessions/this', headers: { authorization: basicHeader(basic.username, basic.password) } });
      assert.deepEqual(JSON.parse(session.text), { authenticated: true, id: bundle.passwordIdentity });
    });
  }

  test('a provisioned trainee name stays out of reach: create is 409, overwrite 403', async () => {
    const name = uniqueName('carol').toLowerCase();
    assert.equal((await adminPut(name)).status, 201);
    const body = JSON.stringify({ values: [{ index: 1, type: 'URL', data: 'https://example.org/squat' }] });
    const create = await t.request({ method: 'PUT', path: `/api/handles/${PREFIX}/${name}?overwrite=false`, headers: asWho(alice), body });
    assert.equal(create.status, 409, create.text);
    const overwrite = await t.request({ method: 'PUT', path: `/api/handles/${PREFIX}/${name}`, headers: asWho(alice), body });
    assert.equal(overwrite.status, 403, overwrite.text);
  });

  test('the instructor, a server admin, may still create such a name by hand; other names stay free', async () => {
    const created = await t.request({
      method: 'PUT',
      path: `/api/handles/${PREFIX}/TRAINEE999`,
      as: 'instructor',
      body: { values: [{ index: 1, type: 'URL', data: 'https://example.org/by-hand' }] },
    });
    assert.equal(created.status, 201, created.text);
    for (const free of ['trainee', 'trainee03-notes', 'my-user01']) {
      await put(alice, `${PREFIX}/${free}-${uniqueName()}`, [{ index: 1, type: 'URL', data: 'https://example.org/free' }]);
    }
  });
});

describe('10: redirects as the real proxy makes them; script-bearing schemes refused', () => {
  async function resolve(values: unknown[]) {
    const handle = `${PREFIX}/${uniqueName('REDIR')}`;
    await put(bob, handle, values);
    return t.request({ path: `/${handle}`, scheme: 'http' });
  }

  // HDLProxy's Url.doRedirect sends any URL value as Location (encodeIRIToURI of the trimmed value).
  for (const [url, location] of [
    ['irods://data.example.org:1247/zone/home/trainee/surveys.csv', 'irods://data.example.org:1247/zone/home/trainee/surveys.csv'],
    ['/files/surveys.csv', '/files/surveys.csv'],
    ['surveys/2024.csv', 'surveys/2024.csv'],
    ['mailto:data@example.org', 'mailto:data@example.org'],
    [' irods://data.example.org/zone/ä b ', 'irods://data.example.org/zone/%C3%A4%20b'],
  ] as const) {
    test(`a URL value ${JSON.stringify(url)} redirects to ${location}`, async () => {
      const answer = await resolve([{ index: 1, type: 'URL', data: url }]);
      assert.equal(answer.status, 302, answer.text);
      assert.equal(answer.headers.location, location);
    });
  }

  test('a 10320/LOC location with an irods:// href redirects too', async () => {
    const answer = await resolve([{ index: 1, type: '10320/LOC', data: '<locations><location href="irods://data.example.org/zone/x" id="0"/></locations>' }]);
    assert.equal(answer.status, 302, answer.text);
    assert.equal(answer.headers.location, 'irods://data.example.org/zone/x');
  });

  for (const url of [
    'javascript:alert(1)',
    'DATA:text/html,<b>x</b>',
    'vbscript:msgbox(1)',
    ' \u0001javascript:alert(1)',
    'java\tscript:alert(1)',
    'jav\r\nascript:alert(1)',
  ]) {
    test(`${JSON.stringify(url)} is shown on the values page, never sent as Location`, async () => {
      const answer = await resolve([{ index: 1, type: 'URL', data: url }]);
      assert.equal(answer.status, 200, answer.text);
      assert.equal(answer.headers.location, undefined);
      assert.match(answer.text, /Handle Values for/);
      assert.ok(!/href="[^"]*script:/i.test(answer.text), 'the value became a link');
    });
  }
});
