// DOI content negotiation at the resolver of a real `pid-mock serve` process, over real HTTP: every format the
// lesson DOI is offered in, q-values, 406 with its list, Vary, HEAD, DataCite XML escaping, and the redirects
// browsers and non-DOI handles get as before.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { XMLParser } from 'fast-xml-parser';
import { Agent } from 'undici';
import { dataciteXml } from '../../mock-server/citations/datacite.js';
import { dataFolderLayout } from '../../mock-server/data-folder/layout.js';
import { doiMetadata, LESSON_DOI } from '../../mock-server/fixtures/doi-metadata.js';
import { basicHeader, httpRequest, type HttpResult } from '../support/http.js';
import { spawnServer, startMockProcess, type MockProcess } from '../support/mock-process.js';
import { removeTemporaryFolder, temporaryFolder } from '../support/temporary-folders.js';

const DOI = '10.5072/surveys-2017';
const WARMUP_HANDLE = '11304/cf8956a2-39d3-11e5-8a18-f31aa6f4d448';
const WARMUP_DOI = '10.3389/fgene.2013.00289';
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

let server: MockProcess;
/** HTTPS trusting the server's CA, for writes. */
let tlsAgent: Agent;

before(async () => {
  server = await startMockProcess();
  tlsAgent = new Agent({ connect: { ca: readFileSync(server.caFile) } });
});

after(async () => {
  await tlsAgent?.close();
  await server?.stop();
});

function resolve(path: string, accept?: string, method = 'GET'): Promise<HttpResult> {
  return httpRequest(`${server.httpUrl}/${path}`, { method, headers: accept === undefined ? {} : { accept } });
}

function mediaType(result: HttpResult): string {
  return String(result.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim();
}

function landingPage(): string {
  return `${server.httpUrl}/files/landing/${DOI}`;
}

describe('the lesson DOI in every format', () => {
  test('BibTeX: a @misc entry with the DOI, title, creators and the landing page', async () => {
    const reply = await resolve(DOI, 'application/x-bibtex');
    assert.equal(reply.status, 200);
    assert.equal(mediaType(reply), 'application/x-bibtex');
    assert.equal(reply.headers.vary, 'Accept');
    assert.match(reply.text, /^@misc\{Ernest2017Portal,/);
    assert.match(reply.text, /doi = \{10\.5072\/surveys-2017\}/);
    assert.match(reply.text, /author = \{Ernest, Morgan and Brown, James and Valone, Thomas and White, Ethan P\.\}/);
    assert.match(reply.text, /title = \{Portal \{Project\} rodent surveys, 1977--2002 \(teaching extract\)\}/);
    assert.ok(reply.text.includes(`url = {${landingPage()}}`), reply.text);
  });

  test('RIS: a DATA record with DOI, authors and the whole DOI as its ID', async () => {
    const reply = await resolve(DOI, 'application/x-research-info-systems');
    assert.equal(reply.status, 200);
    assert.equal(mediaType(reply), 'application/x-research-info-systems');
    assert.match(reply.text, /^TY {2}- DATA$/m);
    assert.match(reply.text, /^DO {2}- 10\.5072\/surveys-2017$/m);
    assert.match(reply.text, /^ID {2}- 10\.5072\/surveys-2017$/m);
    assert.equal(reply.text.match(/^AU {2}- /gm)?.length, 4);
    assert.match(reply.text, /^ER {2}- /m);
  });

  test('CSL-JSON: one dataset item', async () => {
    const reply = await resolve(DOI, 'application/vnd.citationstyles.csl+json');
    assert.equal(reply.status, 200);
    assert.equal(mediaType(reply), 'application/vnd.citationstyles.csl+json');
    const item = reply.json() as Record<string, unknown>;
    assert.equal(item.type, 'dataset');
    assert.equal(item.DOI, DOI);
    assert.equal(item.URL, landingPage());
    assert.deepEqual(item.issued, { 'date-parts': [[2017]] });
    assert.deepEqual((item.author as unknown[])[0], { family: 'Ernest', given: 'Morgan' });
  });

  test('a formatted citation: APA by default, Vancouver and Harvard on request, and a locale', async () => {
    const apa = await resolve(DOI, 'text/x-bibliography');
    assert.equal(apa.status, 200);
    assert.equal(mediaType(apa), 'text/x-bibliography');
    assert.match(apa.text, /^Ernest, M\., Brown, J\., Valone, T\., & White, E\. P\. \(2017\)\. Portal Project rodent surveys/);
    assert.match(apa.text, /\[Data set\]\. pid-handson stand-in data repository\. https:\/\/doi\.org\/10\.5072\/surveys-2017/);
    assert.equal((await resolve(DOI, 'text/x-bibliography; style=apa')).text, apa.text);

    const vancouver = await resolve(DOI, 'text/x-bibliography; style=vancouver');
    assert.match(vancouver.text, /Ernest M, Brown J, Valone T, White EP\. Portal Project rodent surveys.*\[Internet\].*Available from:/s);
    const german = await resolve(DOI, 'text/x-bibliography; style="vancouver"; locale=de-DE');
    assert.match(german.text, /Verfügbar unter:/);
    assert.equal((await resolve(DOI, 'text/x-bibliography; style=vancouver; locale=de')).text, german.text, 'a bare language picks its locale');
    const harvard = await resolve(DOI, 'text/x-bibliography; style=harvard1');
    assert.match(
      harvard.text,
      /^Ernest, M\. et al\. \(2017\) “Portal Project rodent surveys, 1977–2002 \(teaching extract\)\.” .*doi:10\.5072\/surveys-2017\./,
    );
  });

  test('DataCite JSON: the metadata with id, doi and the registered URL', async () => {
    const reply = await resolve(DOI, 'application/vnd.datacite.datacite+json');
    assert.equal(reply.status, 200);
    assert.equal(mediaType(reply), 'application/vnd.datacite.datacite+json');
    const record = reply.json() as Record<string, unknown>;
    assert.equal(record.id, `https://doi.org/${DOI}`);
    assert.equal(record.doi, DOI);
    assert.equal(record.url, landingPage());
    assert.equal((record.creators as unknown[]).length, 4);
    assert.deepEqual(record.types, {
      resourceTypeGeneral: 'Dataset',
      resourceType: 'Tabular data (CSV)',
      citeproc: 'dataset',
      bibtex: 'misc',
      ris: 'DATA',
      schemaOrg: 'Dataset',
    });
  });

  test('DataCite XML: kernel 4, values escaped, and they read back as the JSON has them', async () => {
    const [xml, json] = await Promise.all([resolve(DOI, 'application/vnd.datacite.datacite+xml'), resolve(DOI, 'application/vnd.datacite.datacite+json')]);
    assert.equal(xml.status, 200);
    assert.equal(mediaType(xml), 'application/vnd.datacite.datacite+xml');
    assert.match(xml.text, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<resource xmlns="http:\/\/datacite\.org\/schema\/kernel-4"/);
    assert.match(xml.text, /hindfoot length \(mm\) &amp; weight \(g\)/);
    assert.doesNotMatch(xml.text, /& weight/);
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_' }).parse(xml.text) as {
      resource: { identifier: { '#text': string }; descriptions: { description: { '#text': string } }; creators: { creator: unknown[] } };
    };
    const metadata = json.json() as { descriptions: Array<{ description: string }> };
    assert.equal(parsed.resource.identifier['#text'], DOI);
    assert.equal(parsed.resource.descriptions.description['#text'], metadata.descriptions[0]!.description);
    assert.equal(parsed.resource.creators.creator.length, 4);
  });

  test('DOIs are case-insensitive and doi: is stripped', async () => {
    assert.equal((await resolve('10.5072/SURVEYS-2017', 'application/x-bibtex')).status, 200);
    assert.equal((await resolve(`doi:${DOI}`, 'application/x-bibtex')).status, 200);
  });
});

describe('q-values and order', () => {
  const chosen = async (accept: string) => {
    const reply = await resolve(DOI, accept);
    return reply.status === 200 ? mediaType(reply) : String(reply.status);
  };

  test('the highest q wins, wherever it stands', async () => {
    assert.equal(await chosen('application/x-bibtex;q=0.5, application/x-research-info-systems;q=0.9'), 'application/x-research-info-systems');
    assert.equal(await chosen('text/html;q=0.1, application/x-bibtex'), 'application/x-bibtex');
    assert.equal(await chosen('*/*;q=0.1, application/vnd.citationstyles.csl+json'), 'application/vnd.citationstyles.csl+json');
  });

  test('equal q: the type written first', async () => {
    assert.equal(await chosen('application/x-research-info-systems, application/x-bibtex'), 'application/x-research-info-systems');
    assert.equal(await chosen('application/x-bibtex, application/x-research-info-systems'), 'application/x-bibtex');
  });

  test('q=0 refuses a type, and a range that cannot be served falls back to the next', async () => {
    assert.equal(await chosen('application/x-bibtex;q=0'), '406');
    assert.equal(await chosen('application/x-bibtex;q=0, application/x-research-info-systems;q=0.1'), 'application/x-research-info-systems');
    assert.equal(await chosen('text/x-bibliography; style=chicago, application/x-bibtex;q=0.2'), 'application/x-bibtex');
  });

  test('text/html preferred, or a wildcard alone: the redirect', async () => {
    assert.equal(await chosen('text/html, application/x-bibtex'), '302');
    assert.equal(await chosen('application/x-bibtex;q=0.4, text/html;q=0.8'), '302');
    assert.equal(await chosen('*/*'), '302');
  });
});

describe('the DataCite XML writer', () => {
  test('escapes markup in every value and attribute', () => {
    const hostile = '<script>alert("x")</script> & \'q\'';
    const lesson = doiMetadata(LESSON_DOI)!;
    const xml = dataciteXml({
      ...lesson,
      titles: [{ title: hostile }],
      creators: [{ name: hostile, nameType: 'Organizational' }],
      relatedIdentifiers: [{ relatedIdentifier: 'x', relatedIdentifierType: 'URL', relationType: `a"b<c>` }],
    });
    assert.doesNotMatch(xml, /<script>/);
    assert.match(xml, /<title>&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt; &amp; &apos;q&apos;<\/title>/);
    assert.match(xml, /relationType="a&quot;b&lt;c&gt;"/);
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_' }).parse(xml) as { resource: { titles: { title: string } } };
    assert.equal(parsed.resource.titles.title, hostile);
  });
});

describe('headers that are not media ranges', () => {
  test('an Accept header with no well-formed range counts as absent: the redirect', async () => {
    for (const accept of ['garbage', 'application/x-bibtex;q=2', ';;,,']) {
      const reply = await resolve(DOI, accept);
      assert.equal(reply.status, 302, accept);
    }
  });

  test('a malformed element is skipped, the rest is honoured', async () => {
    const reply = await resolve(DOI, 'nonsense, application/x-research-info-systems');
    assert.equal(mediaType(reply), 'application/x-research-info-systems');
  });

  test('a very long Accept header is quoted shortened in the 406', async () => {
    const accept = `application/x-unknown-${'a'.repeat(2000)}`;
    const reply = await resolve(DOI, accept);
    assert.equal(reply.status, 406);
    assert.ok(reply.text.length < 1500, String(reply.text.length));
  });
});

describe('406 Not Acceptable', () => {
  test('a type the server cannot give: 406 with the list of what it can', async () => {
    const reply = await resolve(DOI, 'application/pdf');
    assert.equal(reply.status, 406);
    assert.equal(mediaType(reply), 'text/plain');
    assert.equal(reply.headers.vary, 'Accept');
    assert.match(reply.text, /no type in "Accept: application\/pdf" can be given for 10\.5072\/surveys-2017/);
    for (const type of [
      'text/html',
      'application/vnd.citationstyles.csl+json',
      'application/x-bibtex',
      'application/x-research-info-systems',
      'text/x-bibliography',
      'application/vnd.datacite.datacite+json',
      'application/vnd.datacite.datacite+xml',
    ]) {
      assert.match(reply.text, new RegExp(`^  ${type.replace(/[.+]/g, '\\$&')}  \\(`, 'm'), `${type} listed`);
    }
    assert.match(reply.text, /style=apa\|harvard1\|vancouver; locale=en-US\|de-DE\|es-ES\|fr-FR\|nl-NL/);
  });

  test('an unknown style or locale is named in the 406', async () => {
    const style = await resolve(DOI, 'text/x-bibliography; style=chicago-author-date');
    assert.equal(style.status, 406);
    assert.match(style.text, /style=chicago-author-date is not one this server has \(apa, harvard1, vancouver\)/);
    const locale = await resolve(DOI, 'text/x-bibliography; locale=ja-JP');
    assert.equal(locale.status, 406);
    assert.match(locale.text, /locale=ja-JP is not one this server has/);
  });

  test('a DOI whose metadata this server does not hold: 406 for metadata, the redirect for a browser', async () => {
    const bibtex = await resolve(WARMUP_DOI, 'application/x-bibtex');
    assert.equal(bibtex.status, 406);
    assert.equal(bibtex.headers.vary, 'Accept');
    assert.match(bibtex.text, /holds no metadata for 10\.3389\/fgene\.2013\.00289/);
    assert.match(bibtex.text, /^ {2}text\/html {2}\(the landing page, by redirect\)$/m);
    assert.doesNotMatch(bibtex.text, /application\/x-bibtex {2}\(/);
    assert.match(bibtex.text, /curl -LH 'Accept: application\/x-bibtex' https:\/\/doi\.org\/10\.3389\/fgene\.2013\.00289/);
    const browser = await resolve(WARMUP_DOI, BROWSER_ACCEPT);
    assert.equal(browser.status, 302);
    assert.equal(browser.headers.location, `${server.httpUrl}/files/landing/${WARMUP_DOI}`);
  });

  test('a DOI that does not exist: 404, whatever Accept says', async () => {
    assert.equal((await resolve('10.5072/no-such-dataset', 'application/x-bibtex')).status, 404);
    assert.equal((await resolve('10.9999/unhomed', 'application/x-bibtex')).status, 404);
  });
});

describe('browsers, HEAD and other handles', () => {
  test('a browser, curl and no Accept at all get the 302 to the landing page, which exists', async () => {
    for (const accept of [BROWSER_ACCEPT, '*/*', undefined]) {
      const reply = await resolve(DOI, accept);
      assert.equal(reply.status, 302, String(accept));
      assert.equal(reply.headers.location, landingPage());
      assert.equal(reply.headers.vary, 'Accept');
      assert.match(reply.text, /Handle Redirect/);
    }
    const page = await httpRequest(landingPage(), {});
    assert.equal(page.status, 200);
    assert.match(page.text, /10\.5072\/surveys-2017/);
  });

  test('HEAD answers the same type and length as GET, without a body', async () => {
    const [get, head] = await Promise.all([resolve(DOI, 'application/x-bibtex'), resolve(DOI, 'application/x-bibtex', 'HEAD')]);
    assert.equal(head.status, 200);
    assert.equal(head.text, '');
    assert.equal(head.headers['content-type'], get.headers['content-type']);
    assert.equal(head.headers['content-length'], String(get.bytes.length));
    assert.equal(head.headers.vary, 'Accept');
    const headRedirect = await resolve(DOI, BROWSER_ACCEPT, 'HEAD');
    assert.equal(headRedirect.status, 302);
    assert.equal(headRedirect.headers.location, landingPage());
  });

  test('a handle that is not a DOI redirects whatever Accept says, without Vary, as the real proxy does', async () => {
    for (const accept of ['application/x-bibtex', 'application/json', BROWSER_ACCEPT]) {
      const reply = await resolve(WARMUP_HANDLE, accept);
      assert.equal(reply.status, 302, accept);
      assert.equal(reply.headers.location, `${server.httpUrl}/files/landing/${WARMUP_HANDLE}`);
      assert.equal(reply.headers.vary, undefined);
    }
  });

  test('?noredirect still shows the DOI record, whatever Accept says', async () => {
    const reply = await resolve(`${DOI}?noredirect`, 'application/x-bibtex');
    assert.equal(reply.status, 200);
    assert.match(String(reply.headers['content-type']), /^text\/html/);
    assert.match(reply.text, /files\/landing\/10\.5072\/surveys-2017/);
  });
});

describe('prefix 10.5072 is read-only for trainees', () => {
  test('a trainee can neither create a DOI under it nor change the lesson DOI', async () => {
    const trainee = JSON.parse(readFileSync(server.basicCredentialsFile, 'utf8')) as { username: string; password: string };
    const headers = { authorization: basicHeader(trainee.username, trainee.password), 'content-type': 'application/json' };
    const body = JSON.stringify({ values: [{ index: 1, type: 'URL', data: { format: 'string', value: 'https://example.org/' } }] });
    const create = await httpRequest(`${server.httpsUrl}/api/handles/10.5072/trainee-dataset`, {
      method: 'PUT',
      headers,
      body,
      dispatcher: tlsAgent,
    });
    assert.equal(create.status, 403, create.text);
    const change = await httpRequest(`${server.httpsUrl}/api/handles/${DOI}?index=1`, { method: 'PUT', headers, body, dispatcher: tlsAgent });
    assert.equal(change.status, 403, change.text);
    const still = await resolve(DOI);
    assert.equal(still.headers.location, landingPage());
  });
});

describe('a data folder made before 10.5072 was seeded', () => {
  test('gets the prefix, its admin handle and the lesson DOI on its next start', async () => {
    const dataDir = temporaryFolder('pid-mock-before-10.5072-');
    try {
      await (await spawnServer(dataDir)).kill('SIGTERM');
      // What an older pid-mock left: no 10.5072 prefix, no records under it.
      const db = new Database(dataFolderLayout(dataDir).database);
      db.prepare("DELETE FROM prefixes WHERE prefix = '10.5072'").run();
      db.prepare("DELETE FROM handles WHERE handle LIKE '10.5072/%' OR handle = '0.NA/10.5072'").run();
      db.prepare("DELETE FROM handle_names WHERE handle LIKE '10.5072/%' OR handle = '0.NA/10.5072'").run();
      db.close();

      const upgraded = await spawnServer(dataDir);
      try {
        const bibtex = await httpRequest(`${upgraded.httpUrl}/${DOI}`, { headers: { accept: 'application/x-bibtex' } });
        assert.equal(bibtex.status, 200, bibtex.text);
        assert.match(bibtex.text, /^@misc\{/);
        const prefixHandle = await httpRequest(`${upgraded.httpUrl}/api/handles/0.NA/10.5072`, {});
        assert.equal(prefixHandle.status, 200, prefixHandle.text);
      } finally {
        await upgraded.kill('SIGTERM');
      }
    } finally {
      removeTemporaryFolder(dataDir);
    }
  });
});
