// A DOI's citation by content negotiation: the same URL a browser follows to the landing page, asked with an
// Accept header for BibTeX, RIS, CSL-JSON, a formatted citation or DataCite's own formats
// (citation.crosscite.org/docs.html). The client's HandleClient.citation sends it through its transport.
import { z } from 'zod';
import { citationNotAvailable, handleFailure, handleNotFound, syntaxError } from './error-kinds.js';
import { HandleError } from './errors.js';
import { handleUrl } from './handle-path.js';
import { checkHandleSyntax } from './handle-syntax.js';
import { ANY_REPLY, type HandleResponse, type HandleTransport } from './transport/index.js';

/** `citation` is a formatted reference (text/x-bibliography) in a CSL style such as `apa`. */
export type CitationFormat = 'bibtex' | 'ris' | 'csl-json' | 'citation' | 'datacite-json' | 'datacite-xml';

export interface CitationOptions {
  /** For `citation`: a CSL style name, e.g. `apa` (the default) or `vancouver`. */
  style?: string | undefined;
  /** For `citation`: a CSL locale, e.g. `en-US` (the default) or `de-DE`. */
  locale?: string | undefined;
}

/** The media type each format is asked for with, as doi.org's registration agencies name them. */
export const CITATION_MEDIA_TYPES: Readonly<Record<CitationFormat, string>> = {
  bibtex: 'application/x-bibtex',
  ris: 'application/x-research-info-systems',
  'csl-json': 'application/vnd.citationstyles.csl+json',
  citation: 'text/x-bibliography',
  'datacite-json': 'application/vnd.datacite.datacite+json',
  'datacite-xml': 'application/vnd.datacite.datacite+xml',
};

const cslName = z.looseObject({ family: z.string().optional(), given: z.string().optional(), literal: z.string().optional() });

/** A CSL-JSON item (the fields a citation needs; others are kept as sent). */
export const CslItemSchema = z.looseObject({
  id: z.union([z.string(), z.number()]),
  type: z.string(),
  title: z.string().optional(),
  author: z.array(cslName).optional(),
  issued: z.looseObject({ 'date-parts': z.array(z.array(z.union([z.number(), z.string()]))).optional() }).optional(),
  publisher: z.string().optional(),
  DOI: z.string().optional(),
  URL: z.string().optional(),
});
export type CslItem = z.infer<typeof CslItemSchema>;

/** DataCite JSON (metadata schema 4): the mandatory properties; others are kept as sent. */
export const DataCiteJsonSchema = z.looseObject({
  doi: z.string(),
  creators: z.array(z.looseObject({ name: z.string() })).min(1),
  titles: z.array(z.looseObject({ title: z.string() })).min(1),
  // Schema 4.5 made the publisher an object; older records have a string.
  publisher: z.union([z.string(), z.looseObject({ name: z.string() })]),
  publicationYear: z.union([z.string(), z.number()]),
  types: z.looseObject({ resourceTypeGeneral: z.string() }),
  url: z.string().optional(),
});
export type DataCiteJson = z.infer<typeof DataCiteJsonSchema>;

/** doi.org redirects a negotiated request to the agency's service, which may redirect once more. */
const MAX_REDIRECTS = 5;

function formatOf(mediaType: string): CitationFormat | undefined {
  return (Object.keys(CITATION_MEDIA_TYPES) as CitationFormat[]).find((format) => CITATION_MEDIA_TYPES[format] === mediaType);
}

/**
 * The Accept header for `format`, with the style and locale parameters of a formatted citation.
 * @example citationAccept('citation', { style: 'apa', locale: 'de-DE' }) // 'text/x-bibliography; style=apa; locale=de-DE'
 */
export function citationAccept(format: CitationFormat, options: CitationOptions = {}): string {
  const mediaType = CITATION_MEDIA_TYPES[format];
  if (mediaType === undefined) {
    throw new HandleError(`"${String(format)}" is not a citation format`, { hint: `ask for one of ${Object.keys(CITATION_MEDIA_TYPES).join(', ')}` });
  }
  if (format !== 'citation') return mediaType;
  const parameters = [
    options.style === undefined ? 'style=apa' : `style=${options.style}`,
    ...(options.locale === undefined ? [] : [`locale=${options.locale}`]),
  ];
  for (const parameter of parameters) {
    if (!/^[a-z]+=[A-Za-z0-9._-]+$/.test(parameter)) {
      throw new HandleError(`citation ${parameter}: a style or locale is a name such as apa or en-US`, {
        hint: 'e.g. { style: "vancouver", locale: "de-DE" }',
      });
    }
  }
  return `${mediaType}; ${parameters.join('; ')}`;
}

function header(reply: HandleResponse, name: string): string | undefined {
  const value = reply.headers?.[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The media types a 406 answer lists, one per indented line (the mock's form; other servers may list none). */
function offeredTypes(body: string): string[] {
  // A media type's top-level type starts with a letter: an indented DOI (10.5072/…) in the text is none.
  return [...body.matchAll(/^\s+([a-z][a-z0-9.+-]*\/[a-z0-9.+-]+)\b/gim)].map((match) => match[1]!.toLowerCase());
}

function offeredFormats(offered: string[]): string {
  const formats = offered.map(formatOf).filter((format): format is CitationFormat => format !== undefined);
  return formats.length > 0
    ? `ask for one it has: ${formats.map((format) => `'${format}'`).join(', ')}`
    : 'this resolver offers no citation format for this DOI';
}

function parseJson<T>(doi: string, format: CitationFormat, text: string, schema: z.ZodType<T>, httpStatus: number): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw handleFailure(doi, `${doi}: the ${format} answer is not JSON`, { httpStatus, hint: 'the resolver answered with the right type but a broken body' });
  }
  const checked = schema.safeParse(parsed);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw handleFailure(
      doi,
      `${doi}: the ${format} answer lacks what a citation needs: ${issue ? `${issue.path.join('.') || '(top)'}: ${issue.message}` : 'invalid'}`,
      {
        httpStatus,
        hint: 'the resolver answered JSON of another shape; read it with format "bibtex" or "ris" instead',
      },
    );
  }
  return checked.data;
}

/**
 * Fetches `doi` from `resolver` with the Accept header of `format`, following the redirects doi.org sends
 * negotiated requests on, and checks the answer is of that type (JSON formats also against their schema).
 * @example await fetchCitation(transport, 'https://doi.org', '10.5061/dryad.8515', 'bibtex')
 */
export async function fetchCitation(
  transport: HandleTransport,
  resolver: string,
  doi: string,
  format: CitationFormat,
  options: CitationOptions = {},
): Promise<string | CslItem | DataCiteJson> {
  checkHandleSyntax(doi);
  if (!/^10\.[^/]+\//.test(doi)) {
    throw syntaxError(doi, `${doi} is not a DOI: citations by content negotiation exist for DOIs (prefix 10.…) only`, 'pass a DOI, e.g. 10.5072/surveys-2017');
  }
  const accept = citationAccept(format, options);
  const mediaType = CITATION_MEDIA_TYPES[format];
  const action = format === 'citation' ? `formatted citation of ${doi}` : `${format} citation of ${doi}`;
  let url = handleUrl(resolver.replace(/\/+$/, ''), doi);
  for (let hop = 0; ; hop++) {
    const reply = await transport.send({ method: 'GET', url, headers: { accept }, action, handle: doi, expect: ANY_REPLY });
    const location = header(reply, 'location');
    if (reply.status >= 300 && reply.status < 400 && location !== undefined) {
      const next = new URL(location, url);
      if (hop >= MAX_REDIRECTS || (next.protocol !== 'https:' && next.protocol !== 'http:')) {
        throw handleFailure(doi, `${action}: too many redirects or a redirect to ${next.protocol}`, {
          httpStatus: reply.status,
          hint: `the last one pointed at ${next.href}`,
        });
      }
      url = next.href;
      continue;
    }
    if (reply.status === 404) {
      throw handleNotFound(doi, `${action}: ${doi} was not found at ${url}`, { httpStatus: 404, hint: 'check the DOI, or the resolver the client talks to' });
    }
    if (reply.status === 406) {
      const offered = offeredTypes(reply.text);
      throw citationNotAvailable(
        doi,
        `${action}: the resolver cannot give ${mediaType} for ${doi} (HTTP 406); it offers ${offered.length > 0 ? offered.join(', ') : 'nothing it names'}`,
        { httpStatus: 406, serverMessage: reply.text.trim().split('\n').slice(0, 2).join(' '), format, offered, hint: offeredFormats(offered) },
      );
    }
    if (reply.status !== 200) {
      throw handleFailure(doi, `${action}: HTTP ${reply.status}`, {
        httpStatus: reply.status,
        hint: 'see the HTTP status; the resolver may be down or not negotiate content',
      });
    }
    const answered = (header(reply, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (answered !== mediaType) {
      throw citationNotAvailable(doi, `${action}: the resolver answered ${answered || 'without a type'} (at ${url}), not ${mediaType}`, {
        httpStatus: 200,
        format,
        offered: answered ? [answered] : [],
        hint:
          answered === 'text/html'
            ? 'that is a landing page: this resolver does not negotiate content for this DOI (the lesson DOI 10.5072/surveys-2017 on the mock does)'
            : 'ask for another format',
      });
    }
    if (format === 'csl-json') return parseJson(doi, format, reply.text, CslItemSchema, reply.status);
    if (format === 'datacite-json') return parseJson(doi, format, reply.text, DataCiteJsonSchema, reply.status);
    return reply.text;
  }
}
