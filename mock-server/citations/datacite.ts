// DataCite's own formats of a DOI's metadata: the JSON DataCite's content negotiation answers, and the
// kernel-4 XML, built with fast-xml-parser's builder so every value is escaped by the library.
import { XMLBuilder } from 'fast-xml-parser';
import type { DataCiteMetadata } from '../fixtures/doi-metadata.js';

/**
 * DataCite JSON: the metadata with the DOI as a doi.org URL (`id`) and the registered URL (`url`).
 * @example dataciteJson(doiMetadata(LESSON_DOI)!, landing).id // 'https://doi.org/10.5072/surveys-2017'
 */
export function dataciteJson(metadata: DataCiteMetadata, landingUrl: string | undefined): Record<string, unknown> {
  const { doi, ...rest } = metadata;
  return { id: `https://doi.org/${doi}`, doi, ...(landingUrl === undefined ? {} : { url: landingUrl }), ...rest, agency: 'datacite' };
}

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  textNodeName: '#text',
  format: true,
  indentBy: '  ',
  suppressEmptyNode: true,
  processEntities: true,
});

/**
 * The kernel-4 DataCite XML of the metadata.
 * @example dataciteXml(doiMetadata(LESSON_DOI)!).includes('<identifier identifierType="DOI">') // true
 */
export function dataciteXml(metadata: DataCiteMetadata): string {
  const resource = {
    '@_xmlns': 'http://datacite.org/schema/kernel-4',
    '@_xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
    '@_xsi:schemaLocation': 'http://datacite.org/schema/kernel-4 https://schema.datacite.org/meta/kernel-4/metadata.xsd',
    identifier: { '@_identifierType': 'DOI', '#text': metadata.doi },
    creators: {
      creator: metadata.creators.map((creator) => ({
        creatorName: { '@_nameType': creator.nameType, '#text': creator.name },
        ...(creator.givenName === undefined ? {} : { givenName: creator.givenName }),
        ...(creator.familyName === undefined ? {} : { familyName: creator.familyName }),
      })),
    },
    titles: { title: metadata.titles.map((title) => title.title) },
    publisher: metadata.publisher,
    publicationYear: metadata.publicationYear,
    resourceType: { '@_resourceTypeGeneral': metadata.types.resourceTypeGeneral, '#text': metadata.types.resourceType },
    subjects: { subject: metadata.subjects.map((subject) => subject.subject) },
    dates: { date: metadata.dates.map((date) => ({ '@_dateType': date.dateType, '#text': date.date })) },
    language: metadata.language,
    relatedIdentifiers: {
      relatedIdentifier: metadata.relatedIdentifiers.map((related) => ({
        '@_relatedIdentifierType': related.relatedIdentifierType,
        '@_relationType': related.relationType,
        '#text': related.relatedIdentifier,
      })),
    },
    sizes: { size: metadata.sizes },
    formats: { format: metadata.formats },
    version: metadata.version,
    rightsList: {
      rights: metadata.rightsList.map((rights) => ({
        '@_rightsURI': rights.rightsUri,
        '@_rightsIdentifier': rights.rightsIdentifier,
        '@_rightsIdentifierScheme': rights.rightsIdentifierScheme,
        '#text': rights.rights,
      })),
    },
    descriptions: {
      description: metadata.descriptions.map((description) => ({ '@_descriptionType': description.descriptionType, '#text': description.description })),
    },
  };
  return `<?xml version="1.0" encoding="UTF-8"?>\n${builder.build({ resource }) as string}`;
}
