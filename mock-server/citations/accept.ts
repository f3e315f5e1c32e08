// Reads an HTTP Accept header (RFC 9110 §12.5.1) and picks the best of what the server can give, the way
// the `negotiator` package orders them: highest q, then the most specific matching range, then the range
// written first, then the server's own order. No Accept parser is among the project's dependencies, and
// one that also reads `style=` and `locale=` off `text/x-bibliography` is short enough to own.

export interface MediaRange {
  type: string;
  subtype: string;
  /** Parameters before `q`, names lower-cased, quotes removed (`style`, `locale`, `charset` …). */
  params: ReadonlyMap<string, string>;
  q: number;
  /** Place in the header, from 0: equal q values are served in the order the client wrote them. */
  position: number;
}

/** What the server can give under one media type; `variant` reads the range's parameters. */
export interface Offer<T> {
  mediaType: string;
  /** The variant a range with these parameters asks for, or why none can be given (e.g. an unknown style). */
  variant: (params: ReadonlyMap<string, string>) => { value: T } | { refused: string };
}

export interface Choice<T> {
  offer: Offer<T>;
  value: T;
}

export interface Negotiation<T> {
  choice: Choice<T> | undefined;
  /** Why ranges the client wrote for an offered type could not be served, for the 406 answer. */
  refusals: string[];
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const QVALUE = /^(0(\.\d{0,3})?|1(\.0{0,3})?)$/;

/** Splits at `separator` outside double-quoted strings. */
function splitOutsideQuotes(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === '\\' && quoted && i + 1 < text.length) {
      current += ch + text[++i]!;
      continue;
    }
    if (ch === '"') quoted = !quoted;
    if (ch === separator && !quoted) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}

function unquote(value: string): string {
  return value.startsWith('"') && value.endsWith('"') && value.length >= 2 ? value.slice(1, -1).replace(/\\(.)/g, '$1') : value;
}

/** One `type/subtype;param=value;q=0.5` element, or undefined when it is not well formed. */
function parseRange(element: string, position: number): MediaRange | undefined {
  const [mediaType = '', ...rawParams] = splitOutsideQuotes(element, ';').map((part) => part.trim());
  const slash = mediaType.indexOf('/');
  const type = mediaType.slice(0, slash).toLowerCase();
  const subtype = mediaType.slice(slash + 1).toLowerCase();
  if (slash < 0 || !TOKEN.test(type) || !TOKEN.test(subtype) || (type === '*' && subtype !== '*')) return undefined;
  const params = new Map<string, string>();
  let q = 1;
  for (const raw of rawParams) {
    if (raw === '') continue;
    const equals = raw.indexOf('=');
    if (equals < 0) return undefined;
    const name = raw.slice(0, equals).trim().toLowerCase();
    const value = unquote(raw.slice(equals + 1).trim());
    if (name === 'q') {
      if (!QVALUE.test(value)) return undefined;
      q = Number(value);
      // Parameters after q are accept-extensions, which say nothing about the media type.
      break;
    }
    params.set(name, value);
  }
  return { type, subtype, params, q, position };
}

/**
 * The well-formed media ranges of an Accept header; elements that are not media ranges are skipped, as
 * RFC 9110 lets a server do, and a header with none at all counts as absent (undefined).
 * @example parseAccept('text/x-bibliography; style=apa, text/html;q=0.1')?.map((r) => r.q) // [1, 0.1]
 */
export function parseAccept(header: string | undefined): MediaRange[] | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const ranges = splitOutsideQuotes(header, ',')
    .map((element, i) => (element.trim() === '' ? undefined : parseRange(element, i)))
    .filter((range): range is MediaRange => range !== undefined);
  return ranges.length === 0 ? undefined : ranges;
}

/** How closely a range names a media type: 3 exact with parameters, 2 exact, 1 `type/` + star, 0 any type; -1 if it does not. */
function specificity(range: MediaRange, mediaType: string): number {
  const [type, subtype] = mediaType.split('/') as [string, string];
  if (range.type === '*') return 0;
  if (range.type !== type) return -1;
  if (range.subtype === '*') return 1;
  if (range.subtype !== subtype) return -1;
  return range.params.size > 0 ? 3 : 2;
}

interface Candidate<T> {
  choice: Choice<T>;
  q: number;
  specificity: number;
  position: number;
  order: number;
}

/**
 * Chooses among `offers` (in the server's order of preference) for the client's `ranges`. An offer named
 * exactly is judged only by the ranges that name it: `text/x-bibliography;q=0` rules it out whatever wildcard follows.
 * @example negotiate(parseAccept('application/x-bibtex;q=0.5, text/html;q=0.1'), offers).choice?.offer.mediaType // 'application/x-bibtex'
 */
export function negotiate<T>(ranges: readonly MediaRange[], offers: ReadonlyArray<Offer<T>>): Negotiation<T> {
  const candidates: Candidate<T>[] = [];
  const refusals: string[] = [];
  offers.forEach((offer, order) => {
    const matching = ranges.map((range) => ({ range, specificity: specificity(range, offer.mediaType) })).filter((m) => m.specificity >= 0);
    const exact = matching.filter((m) => m.specificity >= 2);
    const deciding = exact.length > 0 ? exact : matching.sort((a, b) => b.specificity - a.specificity).slice(0, 1);
    for (const { range, specificity: s } of deciding) {
      if (range.q <= 0) continue;
      // A wildcard says nothing about parameters: the offer's defaults apply.
      const variant = offer.variant(s >= 2 ? range.params : new Map());
      if ('refused' in variant) {
        refusals.push(variant.refused);
        continue;
      }
      candidates.push({ choice: { offer, value: variant.value }, q: range.q, specificity: s, position: range.position, order });
    }
  });
  candidates.sort((a, b) => b.q - a.q || b.specificity - a.specificity || a.position - b.position || a.order - b.order);
  return { choice: candidates[0]?.choice, refusals };
}
