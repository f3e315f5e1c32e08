// HandleClient.citation against a real `pid-mock serve` process: each format, the typed JSON formats, the
// 406 error naming what the resolver offers, and the redirects a negotiated request follows at doi.org
// (a loopback redirector in front of the mock plays doi.org's part).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { CitationNotAvailableError, HandleClient, HandleError, HandleNotFoundError, HandleSyntaxError } from '../../src/index.js';
import { startMockProcess, type MockProcess } from '../support/mock-process.js';

const DOI = '10.5072/surveys-2017';
const WARMUP_DOI = '10.3389/fgene.2013.00289';

let server: MockProcess;
let client: HandleClient;
let redirector: Server;
let redirectorUrl: string;

before(async () => {
  server = await startMockProcess();
  client = HandleClient.forReadAccess(server.httpsUrl, { httpsVerify: server.caFile });
  // doi.org answers a negotiated request with a redirect to the registration agency's service.
  redirector = createServer((request, response) => {
    const target = request.url?.startsWith('/10.5072/') ? `${server.httpUrl}${request.url}` : `${server.httpUrl}/files/landing/${WARMUP_DOI}`;
    response.writeHead(302, { location: target }).end();
  });
  await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
  redirectorUrl = `http://127.0.0.1:${(redirector.address() as AddressInfo).port}`;
});

after(async () => {
  await client?.close();
  await new Promise((resolve) => redirector?.close(resolve));
  await server?.stop();
});

describe('HandleClient.citation', () => {
  test('bibtex, ris, datacite-xml and a formatted citation come back as text', async () => {
    assert.match(await client.citation(DOI, 'bibtex'), /^@misc\{Ernest2017Portal,[\s\S]*doi = \{10\.5072\/surveys-2017\}/);
    assert.match(await client.citation(DOI, 'ris'), /^TY {2}- DATA$[\s\S]*^DO {2}- 10\.5072\/surveys-2017$/m);
    assert.match(await client.citation(DOI, 'datacite-xml'), /<identifier identifierType="DOI">10\.5072\/surveys-2017<\/identifier>/);
    assert.match(await client.citation(DOI, 'citation'), /^Ernest, M\., Brown, J\., Valone, T\., & White, E\. P\. \(2017\)\./);
    const vancouver = await client.citation(DOI, 'citation', { style: 'vancouver', locale: 'fr-FR' });
    assert.match(vancouver, /^1\. {2}Ernest M, Brown J, Valone T, White EP\./);
    assert.match(vancouver, /Disponible sur:/);
  });

  test('csl-json and datacite-json come back as checked objects', async () => {
    const item = await client.citation(DOI, 'csl-json');
    assert.equal(item.type, 'dataset');
    assert.equal(item.DOI, DOI);
    assert.equal(item.author?.[3]?.family, 'White');
    const datacite = await client.citation(DOI, 'datacite-json');
    assert.equal(datacite.doi, DOI);
    assert.equal(datacite.types.resourceTypeGeneral, 'Dataset');
    assert.equal(datacite.titles[0]?.title, 'Portal Project rodent surveys, 1977–2002 (teaching extract)');
    assert.equal(datacite.url, `${server.httpUrl}/files/landing/${DOI}`);
  });

  test('a style the resolver lacks: CitationNotAvailableError naming the format and what is offered', async () => {
    const error = await client.citation(DOI, 'citation', { style: 'chicago-author-date' }).catch((e: unknown) => e);
    assert.ok(error instanceof CitationNotAvailableError, String(error));
    assert.equal(error.httpStatus, 406);
    assert.equal(error.format, 'citation');
    assert.ok(error.offered.includes('application/x-bibtex'), error.offered.join());
    assert.ok(error.offered.includes('text/html'));
    assert.ok(
      error.offered.every((type) => /^[a-z]+\//.test(type)),
      `only media types: ${error.offered.join()}`,
    );
    assert.match(error.message, /^formatted citation of 10\.5072\/surveys-2017: /);
    assert.match(error.message, /cannot give text\/x-bibliography for 10\.5072\/surveys-2017 \(HTTP 406\)/);
    assert.match(error.serverMessage ?? '', /style=chicago-author-date is not one this server has/);
    assert.match(error.hint, /'csl-json', 'bibtex', 'ris', 'citation', 'datacite-json', 'datacite-xml'/);
  });

  test('a DOI whose metadata the mock does not hold: offered only the landing page', async () => {
    const error = await client.citation(WARMUP_DOI, 'bibtex').catch((e: unknown) => e);
    assert.ok(error instanceof CitationNotAvailableError, String(error));
    assert.deepEqual(error.offered, ['text/html']);
    assert.match(error.hint, /offers no citation format/);
  });

  test('a DOI that does not exist: HandleNotFoundError; a handle that is no DOI: refused before any request', async () => {
    await assert.rejects(client.citation('10.5072/no-such-dataset', 'bibtex'), HandleNotFoundError);
    await assert.rejects(client.citation('11304/cf8956a2-39d3-11e5-8a18-f31aa6f4d448', 'bibtex'), HandleSyntaxError);
    await assert.rejects(client.citation(DOI, 'endnote' as 'bibtex'), (e: unknown) => e instanceof HandleError && /not a citation format/.test(e.message));
    await assert.rejects(client.citation(DOI, 'citation', { style: 'apa; q=0' }), /a style or locale is a name/);
  });

  test("follows doi.org's redirect to the agency, and says so when a redirect ends at a landing page", async () => {
    const reader = HandleClient.forReadAccess(redirectorUrl);
    try {
      assert.match(await reader.citation(DOI, 'bibtex'), /^@misc\{Ernest2017Portal,/);
      const error = await reader.citation(WARMUP_DOI, 'ris').catch((e: unknown) => e);
      assert.ok(error instanceof CitationNotAvailableError, String(error));
      assert.match(error.message, /answered text\/html .*not application\/x-research-info-systems/);
      assert.match(error.hint, /landing page/);
    } finally {
      await reader.close();
    }
  });
});
