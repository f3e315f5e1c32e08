// Picks the redirect target of a handle the way the Handle.Net proxy does (protocol reference §7): 10320/LOC parsing and selection, then plain URL values.
import { domainToASCII } from 'node:url';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { HandleValueJson } from '../vocabulary/model.js';

/** One `<location>` of a 10320/LOC value. `attributes` holds every attribute as written (boolean attributes as ""). */
export interface LocLocation {
  href: string;
  id?: string;
  weight?: number;
  httpRole?: string;
  attributes: Record<string, string>;
}

/** A parsed 10320/LOC value. `attributes` are those of the root `<locations>` element (`chooseby`, `http_sc`, ...). */
export interface LocDocument {
  chooseBy: string[];
  locations: LocLocation[];
  attributes: Record<string, string>;
}

export type RedirectStatus = 301 | 302 | 303 | 307 | 308;

export interface RedirectChoice {
  url: string;
  status: RedirectStatus;
  /** True when some candidate has `http_role="conneg"`: the answer then depends on Accept, so caches must know. */
  varyAccept: boolean;
  /** The values the proxy looked at to decide; their TTLs bound the `Expires` header of the redirect. */
  ttlSources: HandleValueJson[];
}

export interface LocationQuery {
  /** `?locatt=attr:value` or `?locatt=attr`; the real proxy accepts the parameter several times. */
  locatt?: string | string[];
  /** The request's Accept header: each concrete media type in it counts as a further `locatt=ctype:<type>`. */
  accept?: string | undefined;
}

/** The concrete media types of an Accept header, in the order given (wildcards and parameters dropped). */
export function acceptedMediaTypes(accept: string | undefined): string[] {
  if (!accept) return [];
  return accept
    .split(',')
    .map((part) => (part.split(';')[0] ?? '').trim().toLowerCase())
    .filter((type) => type !== '' && !type.includes('*'));
}

/** HDLProxy's `Location.DEFAULT_CHOOSEBY`. */
export const DEFAULT_CHOOSE_BY: readonly string[] = ['locatt', 'address', 'country', 'score', 'weighted'];

const REDIRECT_STATUSES: readonly RedirectStatus[] = [301, 302, 303, 307, 308];

const xmlParser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  allowBooleanAttributes: true,
  parseAttributeValue: false,
  parseTagValue: false,
  // XML character references (&#38;) are only decoded with this switch on.
  htmlEntities: true,
});

type OrderedNode = Record<string, unknown> & { ':@'?: Record<string, unknown> };

function nodeName(node: OrderedNode): string | undefined {
  return Object.keys(node).find((key) => key !== ':@');
}

function nodeAttributes(node: OrderedNode): Record<string, string> {
  const raw = node[':@'];
  if (raw === null || typeof raw !== 'object') return {};
  // Object.fromEntries defines own properties, so an attribute called "constructor" stays plain data.
  return Object.fromEntries(Object.entries(raw).map(([name, value]) => [name, value === true ? '' : String(value)]));
}

function parseNumber(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const n = Number(text.trim());
  return Number.isFinite(n) ? n : undefined;
}

/** Splits a `chooseby` list; blanks are dropped like the real proxy's `continue`. */
function splitChooseBy(text: string): string[] {
  return text
    .split(',')
    .map((method) => method.trim().toLowerCase())
    .filter((method) => method !== '');
}

function emptyDocument(): LocDocument {
  return { chooseBy: [...DEFAULT_CHOOSE_BY], locations: [], attributes: {} };
}

/**
 * Parses the XML of a 10320/LOC value. Malformed XML gives a document without locations rather than an
 * exception: a record is user data, and one bad value must not break resolution of the whole handle.
 *
 * @example parseLocations('<locations chooseby="locatt,weighted"><location href="https://a.example" id="0"/></locations>')
 */
export function parseLocations(xml: string): LocDocument {
  if (typeof xml !== 'string' || XMLValidator.validate(xml, { allowBooleanAttributes: true }) !== true) {
    return emptyDocument();
  }
  let nodes: unknown;
  try {
    nodes = xmlParser.parse(xml);
  } catch {
    // fast-xml-parser refuses names like __proto__ by throwing; treat that like any other broken value.
    return emptyDocument();
  }
  if (!Array.isArray(nodes)) return emptyDocument();
  // The proxy does not insist on the root being called <locations>: it takes whatever the root element is.
  const root = (nodes as OrderedNode[]).find((node) => {
    const name = nodeName(node);
    return name !== undefined && !name.startsWith('?') && !name.startsWith('#');
  });
  if (root === undefined) return emptyDocument();
  const rootName = nodeName(root) as string;
  const attributes = nodeAttributes(root);
  const chooseByText = attributes.choose_by ?? attributes.chooseby;
  const children = Array.isArray(root[rootName]) ? (root[rootName] as OrderedNode[]) : [];

  const locations: LocLocation[] = [];
  for (const child of children) {
    if (nodeName(child)?.toLowerCase() !== 'location') continue;
    const locationAttributes = nodeAttributes(child);
    const href = locationAttributes.href;
    // B2HANDLE and the proxy both ignore a <location> without href (href_template needs the namespace machinery we lack).
    if (href === undefined || href.trim() === '') continue;
    const location: LocLocation = { href, attributes: locationAttributes };
    if (locationAttributes.id !== undefined) location.id = locationAttributes.id;
    const weight = parseNumber(locationAttributes.weight);
    if (weight !== undefined) location.weight = weight;
    if (locationAttributes.http_role !== undefined) location.httpRole = locationAttributes.http_role;
    locations.push(location);
  }
  return {
    chooseBy: chooseByText === undefined ? [...DEFAULT_CHOOSE_BY] : splitChooseBy(chooseByText),
    locations,
    attributes,
  };
}

/** The value's data as the proxy sees it (`HandleValue.getDataAsString`): the decoded bytes for base64/hex. */
export function valueDataAsString(value: HandleValueJson): string {
  const { format, value: data } = value.data ?? { format: 'string', value: '' };
  if (typeof data === 'string') {
    const lowerFormat = String(format).toLowerCase();
    if (lowerFormat === 'base64') return Buffer.from(data, 'base64').toString('utf8');
    if (lowerFormat === 'hex') return Buffer.from(data, 'hex').toString('utf8');
    return data;
  }
  return JSON.stringify(data) ?? '';
}

/** `HandleValue.hasType`: the type itself or one of its dotted sub-types, case-insensitively. */
export function hasType(valueType: string, wanted: string): boolean {
  const type = valueType.toLowerCase();
  const base = wanted.toLowerCase();
  return type === base || type.startsWith(`${base}.`);
}

function isPlainUrlType(type: string): boolean {
  const lower = type.toLowerCase();
  return lower === 'url' || lower === '0.type/url';
}

function isUrlType(type: string): boolean {
  return hasType(type, 'URL') || hasType(type, '0.TYPE/URL');
}

function isLocType(type: string): boolean {
  return hasType(type, '10320/loc');
}

interface Candidate {
  href: string;
  attributes: Record<string, string>;
}

interface LocContext {
  documents: LocDocument[];
  locValues: HandleValueJson[];
  candidates: Candidate[];
  urlValues: HandleValueJson[];
}

/**
 * Collects the locations the proxy considers when the record has 10320/LOC values with at least one usable
 * `<location>`. Returns undefined otherwise, so the caller uses the plain-URL rules.
 */
function locContext(values: HandleValueJson[]): LocContext | undefined {
  const locValues = values.filter((value) => isLocType(value.type));
  if (locValues.length === 0) return undefined;
  const documents = locValues.map((value) => parseLocations(valueDataAsString(value)));
  const locations = documents.flatMap((document) => document.locations);
  // Deliberate difference from HDLProxy: when no <location> is usable the real proxy still treats URL values
  // as weighted candidates and may pick any of them at random; falling back to "first URL value" keeps
  // tutorial runs reproducible.
  if (locations.length === 0) return undefined;
  const candidates: Candidate[] = locations.map((location) => ({ href: location.href, attributes: location.attributes }));
  const urlValues = values.filter((value) => isUrlType(value.type));
  for (const value of urlValues) {
    // Same shape as HDLProxy's legacy entries, so ?locatt=mode:legacy can pick them as on the real proxy.
    // Weight 0 is the proxy's default urlWeight whenever a 10320/loc exists.
    candidates.push({ href: valueDataAsString(value), attributes: { href: valueDataAsString(value), weight: '0.0', mode: 'legacy' } });
  }
  return { documents, locValues, candidates, urlValues };
}

function firstRootAttribute(documents: LocDocument[], name: string): string | undefined {
  for (const document of documents) {
    const value = document.attributes[name];
    if (value !== undefined) return value;
  }
  return undefined;
}

function filterByLocatt(candidates: Candidate[], locatt: string): Candidate[] {
  const colon = locatt.indexOf(':');
  const name = (colon < 0 ? locatt : locatt.slice(0, colon)).trim();
  const wanted = colon < 0 ? undefined : locatt.slice(colon + 1);
  return candidates.filter((candidate) => {
    const actual = candidate.attributes[name];
    return actual !== undefined && (wanted === undefined || wanted === actual);
  });
}

function numericAttribute(candidate: Candidate, name: string, fallback: number): number {
  return parseNumber(candidate.attributes[name]) ?? fallback;
}

function filterByScore(candidates: Candidate[]): Candidate[] {
  // Missing scores count as 0, as in HDLProxy, so a single scored location beats all unscored ones.
  const best = Math.max(...candidates.map((candidate) => numericAttribute(candidate, 'score', 0)));
  return candidates.filter((candidate) => numericAttribute(candidate, 'score', 0) === best);
}

function pickWeighted(candidates: Candidate[], random: () => number): Candidate {
  const weights = candidates.map((candidate) => Math.max(0, numericAttribute(candidate, 'weight', 1)));
  const total = weights.reduce((sum, weight) => sum + weight, 0);
  if (total <= 0) {
    const index = Math.min(candidates.length - 1, Math.floor(random() * candidates.length));
    return candidates[index] as Candidate;
  }
  // Walk in record order (HDLProxy walks backwards; with a random draw the distribution is the same, and
  // forward order makes an injected random easy to reason about in tests).
  const target = random() * total;
  let cumulative = 0;
  let lastPositive: Candidate | undefined;
  for (const [index, candidate] of candidates.entries()) {
    const weight = weights[index] as number;
    if (weight <= 0) continue;
    lastPositive = candidate;
    cumulative += weight;
    if (target < cumulative) return candidate;
  }
  return lastPositive as Candidate;
}

function redirectStatus(text: string | undefined): RedirectStatus {
  const code = Number(text);
  return (REDIRECT_STATUSES as readonly number[]).includes(code) ? (code as RedirectStatus) : 302;
}

/**
 * The locatt filters in the order the proxy applies them: the query's own, then one `ctype:<type>` per
 * media type the client accepts, which is how `Accept: application/json` picks a location with
 * ctype="application/json" (curl's and browsers' wildcards select nothing, so the filter is skipped).
 */
function locattList(query: LocationQuery): string[] {
  const own = query.locatt === undefined ? [] : Array.isArray(query.locatt) ? query.locatt : [query.locatt];
  return [...own, ...acceptedMediaTypes(query.accept).map((type) => `ctype:${type}`)];
}

function chooseFromLocations(context: LocContext, query: LocationQuery, random: () => number): RedirectChoice {
  const explicit = firstRootAttribute(context.documents, 'choose_by') ?? firstRootAttribute(context.documents, 'chooseby');
  const chooseBy = explicit === undefined ? DEFAULT_CHOOSE_BY : splitChooseBy(explicit);
  const varyAccept = context.candidates.some((candidate) => (candidate.attributes.http_role ?? '').includes('conneg'));

  let remaining = context.candidates;
  let chosen: Candidate | undefined;
  for (const method of chooseBy) {
    if (remaining.length === 1) {
      chosen = remaining[0];
      break;
    }
    if (method === 'locatt') {
      for (const locatt of locattList(query)) {
        const narrowed = filterByLocatt(remaining, locatt);
        // A filter that matches nothing is ignored rather than leaving no location at all.
        if (narrowed.length > 0) remaining = narrowed;
      }
    } else if (method === 'score') {
      remaining = filterByScore(remaining);
    } else if (method === 'weighted') {
      chosen = pickWeighted(remaining, random);
      break;
    }
    // 'address' (client IP in a CIDR list) and 'country' (GeoIP) are skipped: the mock runs offline on
    // localhost, so every learner's address is 127.0.0.1 and no GeoIP database is available to say more.
  }
  chosen ??= pickWeighted(remaining, random);

  // http_sc may sit on the chosen <location> or on the <locations> root.
  const status = redirectStatus(chosen.attributes.http_sc ?? firstRootAttribute(context.documents, 'http_sc'));
  return { url: chosen.href, status, varyAccept, ttlSources: [...context.locValues, ...context.urlValues] };
}

function chooseFromUrlValues(values: HandleValueJson[]): RedirectChoice | undefined {
  const value = values.find((v) => isPlainUrlType(v.type)) ?? values.find((v) => isUrlType(v.type));
  if (value === undefined) return undefined;
  return { url: valueDataAsString(value), status: 302, varyAccept: false, ttlSources: [value] };
}

/**
 * Chooses where `GET /{handle}` redirects to, following HDLProxy's `Location` handler: 10320/LOC first
 * (with plain URL values as weight-0 extras), then the first `URL` value, then the first `URL.*` value.
 * Returns undefined when the record has nothing to redirect to (the proxy then shows the values page).
 *
 * @example chooseRedirect(record.values, { locatt: 'country:gb' })?.url
 */
export function chooseRedirect(values: HandleValueJson[], query: LocationQuery = {}, random: () => number = Math.random): RedirectChoice | undefined {
  const parsed = parsedLocations(values);
  if (parsed.context !== undefined) return chooseFromLocations(parsed.context, query, random);
  return parsed.urlChoice;
}

/**
 * A record's parsed 10320/LOC (or, without one, its URL choice), kept per frozen values array (a cached
 * record's public view, the same until the record changes): every resolve of it would parse the same XML.
 * Which location a 10320/LOC record redirects to is still chosen per request, since it may be random.
 */
const parsedOf = new WeakMap<HandleValueJson[], { context: LocContext | undefined; urlChoice: RedirectChoice | undefined }>();

function parsedLocations(values: HandleValueJson[]): { context: LocContext | undefined; urlChoice: RedirectChoice | undefined } {
  let parsed = parsedOf.get(values);
  if (parsed === undefined) {
    const context = locContext(values);
    parsed = { context, urlChoice: context === undefined ? chooseFromUrlValues(values) : undefined };
    if (Object.isFrozen(values)) parsedOf.set(values, parsed);
  }
  return parsed;
}

/**
 * The locations `?action=showurls` lists, as attribute maps: 10320/LOC locations plus URL values, or, without a
 * usable 10320/LOC, the URL values (first one weight 1, the rest 0), as HDLProxy does. Empty when there are none.
 */
export function listLocations(values: HandleValueJson[]): Array<Record<string, string>> {
  const context = locContext(values);
  if (context !== undefined) return context.candidates.map((candidate) => candidate.attributes);
  let urlValues = values.filter((value) => isPlainUrlType(value.type));
  if (urlValues.length === 0) urlValues = values.filter((value) => isUrlType(value.type));
  return urlValues.map((value, position) => ({
    href: valueDataAsString(value),
    weight: position === 0 ? '1.0' : '0.0',
    mode: 'legacy',
  }));
}

// Characters a URI may carry as they are (RFC 3986 unreserved + reserved), plus "%" so that an already
// percent-encoded URL is not encoded twice.
const URI_SAFE = /[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]/;

function percentEncodeCodePoint(char: string): string {
  return Array.from(new TextEncoder().encode(char), (byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join('');
}

/**
 * Turns an IRI into a URI for the `Location` header (HDLProxy `encodeIRIToURI`): a non-ASCII host of an
 * http(s)/ftp URL becomes punycode, everything else outside URI-safe ASCII is percent-encoded as UTF-8.
 * Also what keeps CR/LF in a stored URL from ever reaching a response header.
 *
 * @example encodeIriToUri('https://bücher.example/ä b') // 'https://xn--bcher-kva.example/%C3%A4%20b'
 */
export function encodeIriToUri(location: string): string {
  let text = location.trim();
  const authority = /^(https?|ftp):\/\/([^/?#]*)/i.exec(text);
  if (authority !== null) {
    const hostPort = (authority[2] as string).slice((authority[2] as string).lastIndexOf('@') + 1);
    const host = hostPort.replace(/:\d*$/, '');
    if (/[^\x00-\x7f]/.test(host)) {
      const ascii = domainToASCII(host);
      // An empty answer means "not a valid domain"; then the host is just percent-encoded like the rest.
      if (ascii !== '') {
        const hostStart = authority[0].length - hostPort.length;
        text = text.slice(0, hostStart) + ascii + text.slice(hostStart + host.length);
      }
    }
  }
  let encoded = '';
  for (const char of text) encoded += URI_SAFE.test(char) ? char : percentEncodeCodePoint(char);
  return encoded;
}
