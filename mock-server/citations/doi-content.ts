// Content negotiation for DOIs, as doi.org and DataCite answer it (citation.crosscite.org/docs.html): the
// landing page by redirect for browsers (text/html, or any type), the metadata in the format a client's
// Accept header asks for, and 406 with the list of formats when none of its types can be given.
import { doiMetadata, type DataCiteMetadata } from '../fixtures/doi-metadata.js';
import { negotiate, parseAccept, type Offer } from './accept.js';
import { bibtex, formattedCitation, ris } from './citation-js.js';
import { cslItem } from './csl.js';
import { dataciteJson, dataciteXml } from './datacite.js';

/** Styles and locales Citation.js 0.7 has built in; crosscite names styles the same way (CSL repository names). */
export const CITATION_STYLES = ['apa', 'harvard1', 'vancouver'] as const;
export const CITATION_LOCALES = ['en-US', 'de-DE', 'es-ES', 'fr-FR', 'nl-NL'] as const;
const DEFAULT_STYLE = 'apa';
const DEFAULT_LOCALE = 'en-US';

type Representation =
  | { kind: 'landing-page' }
  | { kind: 'csl-json' | 'bibtex' | 'ris' | 'datacite-json' | 'datacite-xml' }
  | { kind: 'bibliography'; style: string; locale: string };

export type DoiAnswer = { kind: 'redirect' } | { kind: 'representation'; contentType: string; body: string } | { kind: 'not-acceptable'; body: string };

const plain = (kind: 'csl-json' | 'bibtex' | 'ris' | 'datacite-json' | 'datacite-xml') => () => ({ value: { kind } as Representation });

function findLocale(asked: string): string | undefined {
  const wanted = asked.toLowerCase();
  // A bare language ("de") means the one locale of that language the server has.
  return CITATION_LOCALES.find((locale) => locale.toLowerCase() === wanted || locale.toLowerCase().split('-')[0] === wanted);
}

function bibliographyVariant(params: ReadonlyMap<string, string>): { value: Representation } | { refused: string } {
  const style = (params.get('style') ?? DEFAULT_STYLE).toLowerCase();
  if (!(CITATION_STYLES as readonly string[]).includes(style)) {
    return { refused: `text/x-bibliography: style=${params.get('style')} is not one this server has (${CITATION_STYLES.join(', ')})` };
  }
  const locale = findLocale(params.get('locale') ?? DEFAULT_LOCALE);
  if (locale === undefined) {
    return { refused: `text/x-bibliography: locale=${params.get('locale')} is not one this server has (${CITATION_LOCALES.join(', ')})` };
  }
  return { value: { kind: 'bibliography', style, locale } };
}

const LANDING_PAGE: Offer<Representation> = { mediaType: 'text/html', variant: () => ({ value: { kind: 'landing-page' } }) };

/** In the server's order of preference: a wildcard (a browser's or curl's) gets the landing page. */
const METADATA_OFFERS: ReadonlyArray<Offer<Representation>> = [
  LANDING_PAGE,
  { mediaType: 'application/vnd.citationstyles.csl+json', variant: plain('csl-json') },
  { mediaType: 'application/x-bibtex', variant: plain('bibtex') },
  { mediaType: 'application/x-research-info-systems', variant: plain('ris') },
  { mediaType: 'text/x-bibliography', variant: bibliographyVariant },
  { mediaType: 'application/vnd.datacite.datacite+json', variant: plain('datacite-json') },
  { mediaType: 'application/vnd.datacite.datacite+xml', variant: plain('datacite-xml') },
];

const OFFER_NOTES: Record<string, string> = {
  'text/html': 'the landing page, by redirect',
  'application/vnd.citationstyles.csl+json': 'CSL-JSON',
  'application/x-bibtex': 'BibTeX',
  'application/x-research-info-systems': 'RIS',
  'text/x-bibliography': `a formatted citation; style=${CITATION_STYLES.join('|')}; locale=${CITATION_LOCALES.join('|')}`,
  'application/vnd.datacite.datacite+json': 'DataCite JSON',
  'application/vnd.datacite.datacite+xml': 'DataCite XML',
};

/** A DOI is a Handle whose prefix is `10.` followed by the registrant's code. @example isDoi('10.5072/surveys-2017') // true */
export function isDoi(handle: string): boolean {
  return /^10\.[^/]+\/./.test(handle);
}

function notAcceptable(doi: string, accept: string, offers: ReadonlyArray<Offer<Representation>>, refusals: string[], metadata: boolean): string {
  const lines = [
    `406 Not Acceptable: no type in "Accept: ${accept.length > 300 ? `${accept.slice(0, 300)}…` : accept}" can be given for ${doi}.`,
    ...refusals.map((refusal) => `(${refusal})`),
    '',
    metadata ? `${doi} is available here as:` : `This server holds no metadata for ${doi}: its registration agency does. Here it is available only as:`,
    ...offers.map((offer) => `  ${offer.mediaType}  (${OFFER_NOTES[offer.mediaType]})`),
    '',
    metadata
      ? `Example: curl -H 'Accept: application/x-bibtex' <this server>/${doi}`
      : `Its agency's metadata is one redirect away at the real resolver: curl -LH 'Accept: application/x-bibtex' https://doi.org/${doi}`,
  ];
  return `${lines.join('\n')}\n`;
}

/** Rendered representations, by DOI, landing URL and representation: the metadata is seed data and does not change. */
const rendered = new Map<string, { contentType: string; body: string }>();
const MAX_RENDERED = 128;

function render(metadata: DataCiteMetadata, landingUrl: string | undefined, representation: Exclude<Representation, { kind: 'landing-page' }>) {
  const key = JSON.stringify([metadata.doi, landingUrl, representation]);
  let answer = rendered.get(key);
  if (answer === undefined) {
    const item = cslItem(metadata, landingUrl);
    switch (representation.kind) {
      case 'csl-json':
        answer = { contentType: 'application/vnd.citationstyles.csl+json; charset=utf-8', body: `${JSON.stringify(item, null, 2)}\n` };
        break;
      case 'bibtex':
        answer = { contentType: 'application/x-bibtex; charset=utf-8', body: bibtex(item) };
        break;
      case 'ris':
        answer = { contentType: 'application/x-research-info-systems; charset=utf-8', body: ris(item) };
        break;
      case 'bibliography':
        answer = { contentType: 'text/x-bibliography; charset=utf-8', body: formattedCitation(item, representation.style, representation.locale) };
        break;
      case 'datacite-json':
        answer = {
          contentType: 'application/vnd.datacite.datacite+json; charset=utf-8',
          body: `${JSON.stringify(dataciteJson(metadata, landingUrl), null, 2)}\n`,
        };
        break;
      case 'datacite-xml':
        answer = { contentType: 'application/vnd.datacite.datacite+xml; charset=utf-8', body: dataciteXml(metadata) };
        break;
    }
    if (rendered.size >= MAX_RENDERED) rendered.clear();
    rendered.set(key, answer);
  }
  return answer;
}

/**
 * What the resolver answers for an existing DOI: a redirect (no Accept, a browser's, curl's `*` wildcard,
 * text/html), the metadata in the best acceptable format, or 406. DOIs the stand-in agency holds no
 * metadata for can only be redirected.
 * @example answerForDoi('10.5072/surveys-2017', 'application/x-bibtex', landingUrl).kind // 'representation'
 */
export function answerForDoi(doi: string, accept: string | undefined, landingUrl: string | undefined): DoiAnswer {
  const ranges = parseAccept(accept);
  if (ranges === undefined) return { kind: 'redirect' };
  const metadata = doiMetadata(doi);
  const offers = metadata === undefined ? [LANDING_PAGE] : METADATA_OFFERS;
  const { choice, refusals } = negotiate(ranges, offers);
  if (choice === undefined) return { kind: 'not-acceptable', body: notAcceptable(doi, accept ?? '', offers, refusals, metadata !== undefined) };
  if (choice.value.kind === 'landing-page' || metadata === undefined) return { kind: 'redirect' };
  return { kind: 'representation', ...render(metadata, landingUrl, choice.value) };
}
