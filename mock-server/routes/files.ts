// The stand-in data repository and ARK resolver: what the lesson's PIDs resolve to when the class is offline.

import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { generateSurveysCsv } from '../fixtures/surveys-csv.js';
import { LESSON_DOI, WARMUP_DOI, WARMUP_HANDLE } from '../fixtures/seed-records.js';
import { escapeHtml } from '../views/resolver-pages.js';

export interface FilesRoutesOptions {
  /** Where trainees reach this server; links and redirects use it so they survive copy and paste. */
  publicBaseUrl: string;
}

interface RepositoryFile {
  name: string;
  bytes: Buffer;
  md5: string;
  contentType: string;
}

let surveysFile: RepositoryFile | undefined;

// Generated on first use and kept: the bytes, and so the md5 trainees compute, never change while running.
function surveys(): RepositoryFile {
  if (surveysFile === undefined) {
    const bytes = Buffer.from(generateSurveysCsv(), 'utf8');
    surveysFile = {
      name: 'surveys.csv',
      bytes,
      md5: createHash('md5').update(bytes).digest('hex'),
      contentType: 'text/csv; charset=utf-8',
    };
  }
  return surveysFile;
}

export const SURVEYS_PATH = '/files/surveys.csv';
export const WARMUP_ARK = 'ark:/13030/tf5p30086k';
const ARK_LANDING_PATH = '/files/landing/ark/13030/tf5p30086k';

interface LandingPage {
  path: string;
  title: string;
  /** The identifier as trainees should read and cite it. */
  pid: string;
  kind: string;
  /** The global resolver's form of the PID: shown, not linked, because the class may have no internet. */
  citeAs: string;
  description: string[];
}

const LANDING_PAGES: readonly LandingPage[] = [
  {
    path: `/files/landing/${WARMUP_HANDLE}`,
    title: 'Portal Project rodent surveys, 1977–2002 (teaching extract)',
    pid: WARMUP_HANDLE,
    kind: 'Handle',
    citeAs: `https://hdl.handle.net/${WARMUP_HANDLE}`,
    description: [
      'Monthly live-trapping records of desert rodents on 24 experimental plots near Portal, Arizona: ' +
        'date, plot, species code, sex, hindfoot length (mm) and weight (g) of every capture.',
      'This extract is a synthetic stand-in with the same columns and conventions as the teaching ' + 'database; empty fields mean the value was not recorded.',
    ],
  },
  {
    path: `/files/landing/${WARMUP_DOI}`,
    title: 'Frontiers in Genetics, volume 4 (2013), article 289',
    pid: WARMUP_DOI,
    kind: 'DOI',
    citeAs: `https://doi.org/${WARMUP_DOI}`,
    description: [
      'A research article published open access in Frontiers in Genetics in 2013. On the publisher’s ' +
        'site this page would carry the title, authors, abstract and full text.',
      'This is an offline stand-in for the publisher’s landing page. A DOI is a Handle under a prefix ' +
        'starting with “10.”, so the Handle proxy resolves it as well as the DOI proxy.',
    ],
  },
  {
    path: `/files/landing/${LESSON_DOI}`,
    title: 'Portal Project rodent surveys, 1977–2002 (teaching extract), as a dataset with a DOI',
    pid: LESSON_DOI,
    kind: 'DOI',
    citeAs: `https://doi.org/${LESSON_DOI}`,
    description: [
      'The same survey data as a dataset with a DataCite DOI. Prefix 10.5072 is DataCite’s test prefix: it never resolves at ' +
        'doi.org, and this server’s resolver stands in for it.',
      'Its metadata (creators, title, year, licence) is held by the registration agency, not by the Handle record. Ask the ' +
        'resolver for it with an Accept header, e.g. application/x-bibtex, and it answers with a citation instead of this page.',
    ],
  },
  {
    path: ARK_LANDING_PATH,
    title: 'An archival object in the Online Archive of California',
    pid: WARMUP_ARK,
    kind: 'ARK',
    citeAs: `https://n2t.net/${WARMUP_ARK}`,
    description: [
      'A digitised item described in a finding aid held by a California archive. NAAN 13030 belongs to ' +
        'the California Digital Library, which assigned this name and keeps it resolving.',
      'An ARK is not a Handle: no handle record stands behind it. An ARK resolver sends the request to ' +
        'the server of the organisation that owns the NAAN. Append “?info” to the ARK to ask for its metadata.',
    ],
  },
];

function htmlPage(base: string, title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
code{background:#f2f2f2;padding:0 .25em}table{border-collapse:collapse}td,th{padding:.25rem .75rem;text-align:left;border-bottom:1px solid #ddd}</style>
</head>
<body>
<p><a href="${escapeHtml(`${base}/files/`)}">Stand-in data repository</a></p>
<h1>${escapeHtml(title)}</h1>
${body}
</body>
</html>
`;
}

function landingHtml(base: string, page: LandingPage): string {
  const file = surveys();
  const paragraphs = page.description.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n');
  return htmlPage(
    base,
    page.title,
    `<p>${escapeHtml(page.kind)}: <code>${escapeHtml(page.pid)}</code></p>
<p>Cite as: <code>${escapeHtml(page.citeAs)}</code></p>
${paragraphs}
<h2>Files</h2>
<p><a href="${escapeHtml(base + SURVEYS_PATH)}">${escapeHtml(file.name)}</a> (${file.bytes.length} bytes, md5 <code>${escapeHtml(file.md5)}</code>)</p>`,
  );
}

function indexHtml(base: string): string {
  const file = surveys();
  const landings = LANDING_PAGES.map(
    (page) =>
      `<li><a href="${escapeHtml(base + page.path)}">${escapeHtml(page.title)}</a> — ${escapeHtml(page.kind)} <code>${escapeHtml(page.pid)}</code></li>`,
  ).join('\n');
  return htmlPage(
    base,
    'Stand-in data repository',
    `<p>A small offline data repository for the Persistent Identifier hands-on. Register a PID that points at a file below.</p>
<h2>Files</h2>
<table>
<thead><tr><th>Name</th><th>Size (bytes)</th><th>MD5</th></tr></thead>
<tbody>
<tr><td><a href="${escapeHtml(base + SURVEYS_PATH)}">${escapeHtml(file.name)}</a></td><td>${file.bytes.length}</td><td><code>${escapeHtml(file.md5)}</code></td></tr>
</tbody>
</table>
<h2>Landing pages</h2>
<ul>
${landings}
</ul>`,
  );
}

function sendText(reply: FastifyReply, status: number, text: string): FastifyReply {
  return reply.code(status).header('content-type', 'text/plain; charset=utf-8').header('x-content-type-options', 'nosniff').send(text);
}

function sendHtml(reply: FastifyReply, html: string): FastifyReply {
  return reply.code(200).header('content-type', 'text/html; charset=utf-8').send(html);
}

/** True when any entity tag in an If-None-Match header matches ours (weak comparison, as RFC 9110 asks). */
function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header
    .split(',')
    .map((tag) => tag.trim().replace(/^W\//, ''))
    .some((tag) => tag === '*' || tag === etag);
}

function pathOf(request: FastifyRequest): string {
  const query = request.url.indexOf('?');
  return query === -1 ? request.url : request.url.slice(0, query);
}

// ARKs known to the stand-in resolver, keyed by NAAN/name with hyphens removed (hyphens are identity-inert).
const KNOWN_ARKS: ReadonlyMap<string, { landingPath: string }> = new Map([['13030/tf5p30086k', { landingPath: ARK_LANDING_PATH }]]);

/** `ark:/13030/x`, `ark:13030/x` (the newer form) and stray hyphens all name the same object. */
function normaliseArk(rest: string): string {
  return rest.replace(/^\/+/, '').replace(/-/g, '').replace(/\/+$/, '');
}

function ercRecord(base: string, ark: string, landingPath: string, withSupport: boolean): string {
  const lines = [
    'erc:',
    'who: (:unav) Online Archive of California contributor',
    'what: Stand-in record for an archival object',
    'when: (:unav)',
    `where: ${base}${landingPath}`,
    `# ${ark} is an ARK, not a Handle: there is no handle record and no HS_ADMIN behind it.`,
    '# NAAN 13030 is the California Digital Library; an ARK resolver (n2t.net, arks.org) forwards the',
    '# name to that organisation’s server, which answers for it. Handle resolvers cannot resolve it.',
  ];
  if (withSupport) {
    // `??` asks for the provider's persistence commitment along with the metadata.
    lines.push(
      '',
      'erc-support:',
      'who: California Digital Library (stand-in)',
      'what: This name is kept resolving for as long as the stand-in lesson server runs.',
      'when: (:unav)',
      `where: ${base}/files/`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The offline data repository (`/files/...`) and a tiny ARK resolver (`/ark:...`). */
export default async function filesRoutes(app: FastifyInstance, opts: FilesRoutesOptions): Promise<void> {
  const base = opts.publicBaseUrl.replace(/\/+$/, '');

  app.route({
    method: ['GET', 'HEAD'],
    url: SURVEYS_PATH,
    handler: async (request, reply) => {
      const file = surveys();
      const etag = `"${file.md5}"`;
      // no-cache, not no-store: browsers revalidate, and the ETag makes that cheap.
      reply.header('etag', etag).header('cache-control', 'no-cache');
      if (matchesIfNoneMatch(request.headers['if-none-match'], etag)) {
        return reply.code(304).send();
      }
      // The download's file name comes from here, not from the PID: one of the lesson's questions.
      return reply
        .code(200)
        .header('content-type', file.contentType)
        .header('content-disposition', `attachment; filename="${file.name}"`)
        .header('content-length', file.bytes.length)
        .send(file.bytes);
    },
  });

  app.get('/files/', async (_request, reply) => sendHtml(reply, indexHtml(base)));

  for (const page of LANDING_PAGES) {
    app.get(page.path, async (_request, reply) => sendHtml(reply, landingHtml(base, page)));
  }

  // `::` is find-my-way's escape for a literal colon; one wildcard serves both `ark:/` and `ark:` forms.
  app.get('/ark::*', async (request, reply) => {
    const rest = (request.params as { '*'?: string })['*'] ?? '';
    const ark = `ark:/${normaliseArk(rest)}`;
    const known = KNOWN_ARKS.get(normaliseArk(rest));
    if (known === undefined) {
      return sendText(reply, 404, `Unknown ARK in the stand-in resolver: ${ark}\n`);
    }
    // Inflections are read from the raw URL: a bare `?` or `??` never reaches the parsed query.
    const query = request.url.indexOf('?');
    const inflection = query === -1 ? undefined : request.url.slice(query + 1);
    if (inflection === '' || inflection === 'info') {
      return sendText(reply, 200, ercRecord(base, ark, known.landingPath, false));
    }
    if (inflection === '?') {
      return sendText(reply, 200, ercRecord(base, ark, known.landingPath, true));
    }
    return reply.redirect(base + known.landingPath, 302);
  });

  app.get('/files/*', async (request, reply) => sendText(reply, 404, `Not found in the stand-in repository: ${pathOf(request)}\n`));
}
