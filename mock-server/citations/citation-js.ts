// Citation.js (core with its CSL, BibTeX and RIS plugins) writes the citation formats. Its plugins register
// themselves globally on load, so they are loaded once, on the first citation asked for: about 100 ms
// the server's start need not wait for.
import type { CslItem } from './csl.js';

interface Cite {
  format(name: string, options?: Record<string, unknown>): string;
}
type CiteConstructor = new (data: unknown) => Cite;

let citeClass: CiteConstructor | undefined;

function loadCitationJs(): CiteConstructor {
  if (citeClass === undefined) {
    const core = require('@citation-js/core') as { Cite: CiteConstructor };
    require('@citation-js/plugin-csl');
    require('@citation-js/plugin-bibtex');
    require('@citation-js/plugin-ris');
    citeClass = core.Cite;
  }
  return citeClass;
}

/** @example bibtex(item).startsWith('@misc{') // true */
export function bibtex(item: CslItem): string {
  return new (loadCitationJs())(item).format('bibtex');
}

/** @example ris(item).startsWith('TY  - DATA') // true */
export function ris(item: CslItem): string {
  return new (loadCitationJs())(item).format('ris');
}

/**
 * A formatted citation as plain text, with a style and a locale Citation.js has built in.
 * @example formattedCitation(item, 'apa', 'en-US') // 'Ernest, M., Brown, J., … (2017). Portal Project …'
 */
export function formattedCitation(item: CslItem, style: string, locale: string): string {
  return new (loadCitationJs())(item).format('bibliography', { format: 'text', template: style, lang: locale });
}
