// DataCite metadata as a CSL-JSON item, field by field as DataCite's own converter (bolognese's citeproc
// writer) maps it: Citation.js then writes BibTeX, RIS and formatted citations from this one item.
import type { DataCiteMetadata } from '../fixtures/doi-metadata.js';

export interface CslName {
  family?: string;
  given?: string;
  literal?: string;
}

export interface CslItem {
  id: string;
  type: string;
  title: string;
  author: CslName[];
  issued: { 'date-parts': number[][] };
  publisher: string;
  DOI: string;
  URL?: string;
  version: string;
  abstract?: string;
  categories: string[];
  language: string;
}

/**
 * The CSL-JSON item of a DOI: `URL` is the URL its Handle record holds (the landing page), as DataCite
 * answers it; the id is the DOI itself, short enough for RIS's twenty-character ID.
 * @example cslItem(doiMetadata(LESSON_DOI)!, 'http://127.0.0.1:8000/files/landing/10.5072/surveys-2017').type // 'dataset'
 */
export function cslItem(metadata: DataCiteMetadata, landingUrl: string | undefined): CslItem {
  const issued = metadata.dates.find((date) => date.dateType === 'Issued')?.date ?? metadata.publicationYear;
  return {
    id: metadata.doi,
    type: metadata.types.citeproc,
    title: metadata.titles[0]?.title ?? '',
    author: metadata.creators.map((creator) =>
      creator.nameType === 'Personal' && creator.familyName !== undefined
        ? { family: creator.familyName, given: creator.givenName ?? '' }
        : { literal: creator.name },
    ),
    issued: { 'date-parts': [issued.split('-').map(Number)] },
    publisher: metadata.publisher,
    DOI: metadata.doi,
    ...(landingUrl === undefined ? {} : { URL: landingUrl }),
    version: metadata.version,
    ...(metadata.descriptions[0] ? { abstract: metadata.descriptions[0].description } : {}),
    categories: metadata.subjects.map((subject) => subject.subject),
    language: metadata.language,
  };
}
