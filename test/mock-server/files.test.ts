// Tests for the stand-in data repository, the ARK resolver and the fixtures behind them: surveys.csv and the seed records.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import filesRoutes from '../../mock-server/routes/files.js';
import { escapeHtml } from '../../mock-server/views/resolver-pages.js';
import { DEFAULT_SURVEY_ROWS, SURVEYS_CSV_HEADER, generateSurveysCsv } from '../../mock-server/fixtures/surveys-csv.js';
import { B2SAFE_IRODS_PID_COUNT, B2SAFE_PID_COUNT, WARMUP_DOI, WARMUP_HANDLE, seedRecords, type SeedRecord } from '../../mock-server/fixtures/seed-records.js';

// Deliberately not the address the test server listens on: links must come from the option, not the Host.
const PUBLIC_BASE_URL = 'http://pid-handson.test:8000';
const ARK = 'ark:/13030/tf5p30086k';

const PORTAL_SPECIES = new Set(
  ('DM PP DO PB RM DS OT PF PE NL OL PM AH AB SS SH SA RF CB BA SO SF DX PC PL PH CQ CM OX CV UR PG UP RO ' + 'PX PU SU PI UL US RX ZL CT SC ST').split(' '),
);

interface SurveyRow {
  recordId: number;
  month: number;
  day: number;
  year: number;
  plotId: number;
  speciesId: string;
  sex: string;
  hindfootLength: string;
  weight: string;
}

function parseSurveys(csv: string): { header: string; rows: SurveyRow[] } {
  const lines = csv.split('\n');
  assert.equal(lines.pop(), '', 'the file ends with a newline');
  const [header = '', ...body] = lines;
  const rows = body.map((line) => {
    const fields = line.split(',');
    assert.equal(fields.length, 9, `nine fields in ${JSON.stringify(line)}`);
    const [recordId, month, day, year, plotId, speciesId, sex, hindfootLength, weight] = fields as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    return {
      recordId: Number(recordId),
      month: Number(month),
      day: Number(day),
      year: Number(year),
      plotId: Number(plotId),
      speciesId,
      sex,
      hindfootLength,
      weight,
    };
  });
  return { header, rows };
}

function mean(values: number[]): number {
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

describe('the generated surveys.csv', () => {
  const csv = generateSurveysCsv();
  const { header, rows } = parseSurveys(csv);

  test('has the header of the Data Carpentry original and the default number of rows', () => {
    assert.equal(header, SURVEYS_CSV_HEADER);
    assert.equal(header, 'record_id,month,day,year,plot_id,species_id,sex,hindfoot_length,weight');
    assert.equal(rows.length, DEFAULT_SURVEY_ROWS);
    assert.equal(DEFAULT_SURVEY_ROWS, 3500);
    assert.ok(!csv.includes('\r'), 'lines end with \\n only');
  });

  test('is byte-identical on every call, so its md5 never changes', () => {
    assert.equal(generateSurveysCsv(), csv);
    assert.equal(generateSurveysCsv(DEFAULT_SURVEY_ROWS), csv);
    assert.equal(generateSurveysCsv(25), generateSurveysCsv(25));
  });

  test('numbers its records from 1 upwards without gaps', () => {
    rows.forEach((row, i) => {
      assert.equal(row.recordId, i + 1);
    });
  });

  test('lists real calendar dates from 1977 to 2002 in non-decreasing order', () => {
    let previous = -Infinity;
    for (const row of rows) {
      const date = new Date(Date.UTC(row.year, row.month - 1, row.day));
      assert.equal(date.getUTCDate(), row.day, `a real date: ${row.year}-${row.month}-${row.day}`);
      assert.equal(date.getUTCMonth() + 1, row.month);
      assert.ok(row.year >= 1977 && row.year <= 2002);
      assert.ok(date.getTime() >= previous, `record ${row.recordId} is not earlier than the one before`);
      previous = date.getTime();
    }
    assert.equal(rows[0]?.year, 1977);
    assert.equal(rows.at(-1)?.year, 2002);
  });

  test('uses plots 1 to 24 and only the Portal Project species codes, most often DM', () => {
    const counts = new Map<string, number>();
    for (const row of rows) {
      assert.ok(Number.isInteger(row.plotId) && row.plotId >= 1 && row.plotId <= 24, `plot ${row.plotId}`);
      assert.ok(row.speciesId === '' || PORTAL_SPECIES.has(row.speciesId), `species ${row.speciesId}`);
      counts.set(row.speciesId, (counts.get(row.speciesId) ?? 0) + 1);
    }
    const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1]);
    assert.equal(ranked[0]?.[0], 'DM');
    for (const common of ['DO', 'DS', 'PP', 'PE', 'PF', 'NL', 'OT', 'RM', 'PB']) {
      assert.ok((counts.get(common) ?? 0) >= 30, `${common} is common`);
    }
  });

  test('records sex as M, F or empty and measurements as whole numbers or empty', () => {
    for (const row of rows) {
      assert.ok(['M', 'F', ''].includes(row.sex), `sex ${row.sex}`);
      for (const value of [row.hindfootLength, row.weight]) {
        assert.ok(value === '' || /^[1-9][0-9]*$/.test(value), `measurement ${JSON.stringify(value)}`);
      }
      if (row.hindfootLength !== '') assert.ok(Number(row.hindfootLength) <= 70);
      if (row.weight !== '') assert.ok(Number(row.weight) <= 400);
    }
    const missing = (pick: (row: SurveyRow) => string) => rows.filter((row) => pick(row) === '').length;
    for (const field of [(r: SurveyRow) => r.speciesId, (r: SurveyRow) => r.sex, (r: SurveyRow) => r.hindfootLength, (r: SurveyRow) => r.weight]) {
      const share = missing(field) / rows.length;
      assert.ok(share > 0.005 && share < 0.3, `some, not most, values are missing (${share})`);
    }
  });

  test('gives each species plausible sizes: banner-tailed kangaroo rats outweigh Merriam’s, which outweigh pocket mice', () => {
    const sizes = (species: string, pick: (row: SurveyRow) => string) =>
      mean(rows.filter((r) => r.speciesId === species && pick(r) !== '').map((r) => Number(pick(r))));
    const weight = (species: string) => sizes(species, (r) => r.weight);
    const hindfoot = (species: string) => sizes(species, (r) => r.hindfootLength);
    assert.ok(weight('DS') > weight('DM') && weight('DM') > weight('PP') && weight('PP') > weight('PF'));
    assert.ok(hindfoot('DM') > 33 && hindfoot('DM') < 39, `DM hindfoot ${hindfoot('DM')}`);
    assert.ok(weight('DM') > 38 && weight('DM') < 48, `DM weight ${weight('DM')}`);
    for (const row of rows.filter((r) => ['AB', 'CB', 'SA', ''].includes(r.speciesId))) {
      assert.equal(row.hindfootLength + row.weight + row.sex, '', 'birds, rabbits and unknowns are not measured');
    }
  });

  test('can be generated at other sizes, including header only, and refuses a negative size', () => {
    assert.equal(generateSurveysCsv(0), `${SURVEYS_CSV_HEADER}\n`);
    assert.equal(parseSurveys(generateSurveysCsv(10)).rows.length, 10);
    assert.throws(() => generateSurveysCsv(-1), RangeError);
    assert.throws(() => generateSurveysCsv(2.5), RangeError);
  });
});

describe('the stand-in data repository over HTTP', () => {
  let app: FastifyInstance;
  let origin: string;
  const expectedBytes = Buffer.from(generateSurveysCsv(), 'utf8');
  const expectedMd5 = createHash('md5').update(expectedBytes).digest('hex');

  before(async () => {
    app = Fastify();
    await app.register(filesRoutes, { publicBaseUrl: `${PUBLIC_BASE_URL}/` });
    await app.listen({ host: '127.0.0.1', port: 0 });
    origin = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await app.close();
  });

  /**
   * fetch, and node:http given a URL, drop a bare trailing `?`, which ARK inflections need: so this sends
   * the request target exactly as written.
   */
  function rawGet(path: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
    const { hostname, port } = new URL(origin);
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: hostname, port, path }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  test('serves surveys.csv as a CSV attachment whose length and ETag match its bytes', async () => {
    const response = await fetch(`${origin}/files/surveys.csv`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/csv; charset=utf-8');
    assert.equal(response.headers.get('content-disposition'), 'attachment; filename="surveys.csv"');
    const bytes = Buffer.from(await response.arrayBuffer());
    assert.equal(Number(response.headers.get('content-length')), bytes.length);
    assert.deepEqual(bytes, expectedBytes);
    const md5 = createHash('md5').update(bytes).digest('hex');
    assert.equal(response.headers.get('etag'), `"${md5}"`);
    assert.equal(md5, expectedMd5);
    assert.equal(parseSurveys(bytes.toString('utf8')).rows.length, DEFAULT_SURVEY_ROWS);
  });

  test('answers HEAD for surveys.csv with the same headers and no body', async () => {
    const response = await fetch(`${origin}/files/surveys.csv`, { method: 'HEAD' });
    assert.equal(response.status, 200);
    assert.equal(Number(response.headers.get('content-length')), expectedBytes.length);
    assert.equal(response.headers.get('etag'), `"${expectedMd5}"`);
    assert.equal(response.headers.get('content-disposition'), 'attachment; filename="surveys.csv"');
    assert.equal((await response.arrayBuffer()).byteLength, 0);
  });

  test('answers 304 Not Modified when If-None-Match carries the current ETag, weak or strong', async () => {
    for (const tag of [`"${expectedMd5}"`, `W/"${expectedMd5}"`, `"other", "${expectedMd5}"`, '*']) {
      const response = await fetch(`${origin}/files/surveys.csv`, { headers: { 'if-none-match': tag } });
      assert.equal(response.status, 304, tag);
      assert.equal(response.headers.get('etag'), `"${expectedMd5}"`);
      assert.equal((await response.arrayBuffer()).byteLength, 0);
    }
    const stale = await fetch(`${origin}/files/surveys.csv`, { headers: { 'if-none-match': '"0123"' } });
    assert.equal(stale.status, 200);
    assert.equal((await stale.arrayBuffer()).byteLength, expectedBytes.length);
  });

  test('lists its files with name, size and md5 on the /files/ index', async () => {
    const response = await fetch(`${origin}/files/`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
    const html = await response.text();
    assert.ok(html.includes(`href="${PUBLIC_BASE_URL}/files/surveys.csv"`));
    assert.ok(html.includes(`<td>${expectedBytes.length}</td>`));
    assert.ok(html.includes(expectedMd5));
    assert.ok(html.includes(`${PUBLIC_BASE_URL}/files/landing/${WARMUP_HANDLE}`));
  });

  test('shows landing pages for the warm-up Handle and DOI with the PID, a download link and a way back', async () => {
    for (const pid of [WARMUP_HANDLE, WARMUP_DOI]) {
      const response = await fetch(`${origin}/files/landing/${pid}`);
      assert.equal(response.status, 200, pid);
      assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
      const html = await response.text();
      assert.match(html, /<title>[^<]+<\/title>/);
      assert.ok(html.includes(`<code>${pid}</code>`), `the PID is shown: ${pid}`);
      assert.ok(html.includes(`href="${PUBLIC_BASE_URL}/files/surveys.csv"`));
      assert.ok(html.includes(`href="${PUBLIC_BASE_URL}/files/"`));
    }
  });

  test('redirects the lesson’s ARK to its landing page, which exists', async () => {
    const response = await fetch(`${origin}/${ARK}`, { redirect: 'manual' });
    assert.equal(response.status, 302);
    const location = response.headers.get('location') ?? '';
    assert.equal(location, `${PUBLIC_BASE_URL}/files/landing/ark/13030/tf5p30086k`);
    const landing = await fetch(`${origin}${new URL(location).pathname}`);
    assert.equal(landing.status, 200);
    const html = await landing.text();
    assert.ok(html.includes(`<code>${ARK}</code>`));
    assert.ok(html.includes(`href="${PUBLIC_BASE_URL}/files/"`));
  });

  test('answers the ARK ?info inflection with an ERC record saying it is not a Handle', async () => {
    const response = await fetch(`${origin}/${ARK}?info`, { redirect: 'manual' });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/plain; charset=utf-8');
    const text = await response.text();
    const lines = text.split('\n');
    assert.equal(lines[0], 'erc:');
    for (const label of ['who:', 'what:', 'when:', 'where:']) {
      assert.ok(
        lines.some((line) => line.startsWith(label)),
        label,
      );
    }
    assert.ok(text.includes('13030'));
    assert.match(text, /not a Handle/);
    assert.ok(text.includes(`where: ${PUBLIC_BASE_URL}/files/landing/ark/13030/tf5p30086k`));
  });

  test('answers the bare ? and ?? inflections too, the latter with a persistence statement', async () => {
    const brief = await rawGet(`/${ARK}?`);
    assert.equal(brief.status, 200);
    assert.ok(brief.body.startsWith('erc:\n'));
    assert.ok(!brief.body.includes('erc-support:'));
    const full = await rawGet(`/${ARK}??`);
    assert.equal(full.status, 200);
    assert.ok(full.body.includes('erc-support:'));
  });

  test('resolves the newer ark: form and ignores hyphens, which are identity-inert in ARKs', async () => {
    const response = await fetch(`${origin}/ark:13030/tf5p-30086k?info`);
    assert.equal(response.status, 200);
    assert.ok((await response.text()).startsWith('erc:'));
  });

  test('answers an unknown ARK with a plain-text 404', async () => {
    for (const path of ['/ark:/99999/nothing', '/ark:/99999/nothing?info']) {
      const response = await fetch(`${origin}${path}`, { redirect: 'manual' });
      assert.equal(response.status, 404, path);
      assert.equal(response.headers.get('content-type'), 'text/plain; charset=utf-8');
      assert.match(await response.text(), /ark:\/99999\/nothing/);
    }
  });

  test('answers an unknown file with a plain-text 404 naming the path', async () => {
    const response = await fetch(`${origin}/files/missing.csv?x=1`);
    assert.equal(response.status, 404);
    assert.equal(response.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(await response.text(), 'Not found in the stand-in repository: /files/missing.csv\n');
    const landing = await fetch(`${origin}/files/landing/11304/not-a-seeded-handle`);
    assert.equal(landing.status, 404);
  });

  test('escapes HTML in every dynamic part of a page, including the configured base URL', async () => {
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const odd = Fastify();
    await odd.register(filesRoutes, { publicBaseUrl: 'http://host.test/?a=1&b="2"' });
    const response = await odd.inject({ method: 'GET', url: '/files/' });
    await odd.close();
    assert.ok(response.body.includes('http://host.test/?a=1&amp;b=&quot;2&quot;/files/'));
    assert.ok(!response.body.includes('b="2"'));
  });
});

describe('the seed records', () => {
  const prefix = '21.T12345';
  const records = seedRecords({ prefix, publicBaseUrl: `${PUBLIC_BASE_URL}/` });
  const byHandle = new Map(records.map((r) => [r.handle, r]));
  const valueOfType = (record: SeedRecord | undefined, type: string) => record?.values.find((v) => v.type === type)?.data;
  const b2safe = records.filter((r) => r.handle.startsWith(`${prefix}/`));

  test('give every handle a prefix, a slash and a name no other handle uses, ignoring case', () => {
    const names = records.map((r) => r.handle.toUpperCase());
    assert.equal(new Set(names).size, names.length);
    for (const record of records) assert.match(record.handle, /^[^/]+\/.+$/);
  });

  test('number every value above zero with no index used twice within a record', () => {
    for (const record of records) {
      const indexes = record.values.map((v) => v.index);
      assert.ok(
        indexes.every((i) => Number.isInteger(i) && i > 0),
        record.handle,
      );
      assert.equal(new Set(indexes).size, indexes.length, record.handle);
    }
  });

  test('put HS_ADMIN at index 100 pointing at the 0.NA group of each handle’s own prefix', () => {
    for (const record of records) {
      const admin = record.values.find((v) => v.index === 100);
      const ownPrefix = record.handle.slice(0, record.handle.indexOf('/'));
      assert.deepEqual(admin, {
        index: 100,
        type: 'HS_ADMIN',
        data: { format: 'admin', value: { handle: `0.NA/${ownPrefix}`, index: 200, permissions: '011111110011' } },
      });
    }
  });

  test('include the warm-up Handle and DOI, pointing at landing pages under the public base URL', () => {
    assert.equal(valueOfType(byHandle.get(WARMUP_HANDLE), 'URL'), `${PUBLIC_BASE_URL}/files/landing/${WARMUP_HANDLE}`);
    assert.equal(valueOfType(byHandle.get(WARMUP_DOI), 'URL'), `${PUBLIC_BASE_URL}/files/landing/${WARMUP_DOI}`);
  });

  test('hold forty B2SAFE-style PIDs under the trainee prefix, of which exactly the announced number point at iRODS', () => {
    assert.equal(b2safe.length, B2SAFE_PID_COUNT);
    assert.equal(B2SAFE_PID_COUNT, 40);
    const irods = b2safe.filter((r) => String(valueOfType(r, 'URL')).startsWith('irods://'));
    assert.equal(irods.length, B2SAFE_IRODS_PID_COUNT);
    assert.ok(B2SAFE_IRODS_PID_COUNT < B2SAFE_PID_COUNT, 'URL=irods:* must match only a subset');
    for (const record of b2safe) {
      assert.match(record.handle.slice(prefix.length + 1), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      assert.match(String(valueOfType(record, 'URL')), /^(irods:\/\/b2safe\.example\.eudat\.eu:1247\/EUDAT\/home\/|https:\/\/)/);
      assert.ok(valueOfType(record, 'EUDAT/CHECKSUM'));
      assert.match(String(valueOfType(record, 'EUDAT/CHECKSUM_TIMESTAMP')), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/);
      assert.equal(valueOfType(record, 'EUDAT/FIXED_CONTENT'), 'True');
    }
    const legacy = b2safe.filter((r) => valueOfType(r, 'CHECKSUM') !== undefined);
    assert.ok(legacy.length > 0);
    for (const record of legacy) assert.match(String(valueOfType(record, 'CHECKSUM')), /^[0-9a-f]{32}$/);
  });

  test('link replicas and originals through PIDs that exist in the seed', () => {
    const replicas = b2safe.filter((r) => valueOfType(r, 'EUDAT/PARENT') !== undefined);
    assert.ok(replicas.length > 0);
    for (const replica of replicas) {
      const parent = byHandle.get(String(valueOfType(replica, 'EUDAT/PARENT')));
      assert.ok(parent, `the parent of ${replica.handle} exists`);
      assert.equal(valueOfType(parent, 'EUDAT/REPLICA'), replica.handle);
      assert.equal(valueOfType(parent, 'EUDAT/CHECKSUM'), valueOfType(replica, 'EUDAT/CHECKSUM'));
      assert.equal(valueOfType(replica, 'EUDAT/ROR'), parent?.handle);
    }
  });

  test('leave identities and the prefix handle to the server setup', () => {
    for (const record of records) {
      assert.ok(!record.handle.toUpperCase().startsWith('0.NA/'), record.handle);
      assert.ok(!record.values.some((v) => ['HS_SECKEY', 'HS_PUBKEY', 'HS_VLIST'].includes(v.type)), record.handle);
    }
  });

  test('are the same on every call and depend on the prefix only in handle names and admin groups', () => {
    assert.deepEqual(seedRecords({ prefix, publicBaseUrl: PUBLIC_BASE_URL }), records);
    const other = seedRecords({ prefix: '21.T99999', publicBaseUrl: PUBLIC_BASE_URL });
    assert.deepEqual(
      other.map((r) => r.handle.replace('21.T99999/', '')),
      records.map((r) => r.handle.replace(`${prefix}/`, '')),
    );
  });

  test('refuse a prefix with a slash and the warm-up prefixes, which trainees must not administer', () => {
    assert.throws(() => seedRecords({ prefix: 'a/b', publicBaseUrl: PUBLIC_BASE_URL }), RangeError);
    assert.throws(() => seedRecords({ prefix: '11304', publicBaseUrl: PUBLIC_BASE_URL }), RangeError);
    assert.throws(() => seedRecords({ prefix: '10.3389', publicBaseUrl: PUBLIC_BASE_URL }), RangeError);
  });
});
