// Reads and rewrites a record's 10320/LOC value (the XML list of extra locations) the way B2HANDLE does, as pure functions over HandleValue[].
import { XMLBuilder, XMLParser, XMLValidator, type XmlBuilderOptions } from 'fast-xml-parser';
import type { HandleValue, HandleValueInput } from './types.js';

/**
 * The handle value type that holds a `<locations>` XML document (Handle Technical Manual ch. 12).
 * Servers match types case-insensitively, so {@link findLocValues} does too.
 *
 * @example
 * const value = { index: 2, type: LOC_TYPE, data: '<locations />' };
 */
export const LOC_TYPE = '10320/LOC';

/**
 * The XML of a 10320/LOC value could not be read: not well-formed, not a single `<locations>` root,
 * or the value carries no string at all. The client reports it as a broken handle record.
 *
 * @example
 * try {
 *   parseLocations('<locations><location href="x"></locations>');
 * } catch (error) {
 *   if (error instanceof LocXmlError) console.log(error.message, error.line, error.column);
 * }
 */
export class LocXmlError extends Error {
  override readonly name = 'LocXmlError';
  /** The text that failed to parse. */
  readonly xml: string;
  /** Handle index of the 10320/LOC value the text came from, when it came from a record. */
  readonly valueIndex: number | undefined;
  /** 1-based position reported by the XML validator, when it gives one. */
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(reason: string, details: { xml: string; valueIndex?: number; line?: number; column?: number; cause?: unknown }) {
    const where = details.valueIndex === undefined ? '10320/LOC XML' : `10320/LOC value at index ${details.valueIndex}`;
    const position = details.line === undefined ? '' : ` (line ${details.line}${details.column === undefined ? '' : `, column ${details.column}`})`;
    // The validator's messages end with a full stop of their own.
    const because = reason.replace(/\.$/, '');
    super(
      `${where} cannot be read: ${because}${position}. Fix or delete that value before editing its locations.`,
      details.cause === undefined ? undefined : { cause: details.cause },
    );
    this.xml = details.xml;
    this.valueIndex = details.valueIndex;
    this.line = details.line;
    this.column = details.column;
  }
}

/**
 * The record holds more than one 10320/LOC value, so there is no single list to edit.
 * B2HANDLE raises BrokenHandleRecordException here; the client does the same with this error.
 *
 * @example
 * try {
 *   addLocationUrls(values, ['https://mirror.example.org/x']);
 * } catch (error) {
 *   if (error instanceof BrokenLocError) console.log(`duplicates at ${error.indexes.join(', ')}`);
 * }
 */
export class BrokenLocError extends Error {
  override readonly name = 'BrokenLocError';
  /** Handle indexes of every 10320/LOC value found. */
  readonly indexes: number[];

  constructor(indexes: number[]) {
    super(
      `The record has ${indexes.length} values of type ${LOC_TYPE} (indexes ${indexes.join(', ')}); ` +
        'keep one of them (delete the others by index) before adding, removing or exchanging URLs.',
    );
    this.indexes = indexes;
  }
}

/**
 * One `<location>` element of a 10320/LOC document.
 *
 * @example
 * const location: LocLocation = { id: '0', href: 'http://bar.bar', attributes: { id: '0', href: 'http://bar.bar' } };
 */
export interface LocLocation {
  href?: string;
  id?: string;
  /** Every attribute of the element in document order, `id` and `href` included. */
  attributes: Record<string, string>;
}

/**
 * Options of {@link addLocationUrls}.
 *
 * @example
 * const options: AddLocationOptions = { chooseBy: 'locatt,weighted', attributes: { weight: '0.5' } };
 */
export interface AddLocationOptions {
  /** `chooseby` of a newly created `<locations>`; an existing document keeps its own (as in B2HANDLE). */
  chooseBy?: string;
  /** Extra attributes written on every new `<location>` after `id` and `href`, e.g. `weight`, `http_role`. */
  attributes?: Record<string, string>;
}

/**
 * What an edit returns: the full list of values to PUT with `overwrite=true`, and whether a PUT is needed at all.
 *
 * @example
 * const { values: next, changed }: LocEdit = removeLocationUrls(values, ['http://bar.bar']);
 * if (changed) console.log(JSON.stringify({ values: next }));
 */
export interface LocEdit {
  values: HandleValueInput[];
  changed: boolean;
}

/** A parsed document kept in the shape the builder wants back: attribute maps in document order. */
interface LocDocument {
  rootAttributes: Record<string, string>;
  locations: Array<Record<string, string>>;
}

/** A value as GET returns it (`data` an object) or as a PUT sends it (`data` may be a bare string). */
type RecordValue = HandleValue | HandleValueInput;

const ROOT_TAG = 'locations';
const LOCATION_TAG = 'location';
const ATTR_PREFIX = '@_';
const ATTRS_KEY = ':@';

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  // A prefix keeps attribute names such as `__proto__` from landing on the prototype of the parser's maps.
  attributeNamePrefix: ATTR_PREFIX,
  parseAttributeValue: false,
  parseTagValue: false,
  // An href must match byte for byte; XML never trims CDATA attribute values.
  trimValues: false,
  // Without this, numeric references such as `&#10;` (which ElementTree writes for newlines) stay
  // undecoded and a rewrite would turn them into `&amp;#10;`. Side effect: HTML named entities
  // like `&nbsp;`, which XML does not define, are decoded too.
  htmlEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

// `entities` and `sanitizeName` are options of fast-xml-builder, which fast-xml-parser's XMLBuilder
// re-exports, but the older typings of XMLBuilder do not list them.
type BuilderOptions = XmlBuilderOptions & {
  entities: Array<{ regex: RegExp; val: string }>;
  sanitizeName: (name: string, context: { isAttribute: boolean }) => string;
};

const builderOptions: BuilderOptions = {
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: ATTR_PREFIX,
  suppressEmptyNode: true,
  // Otherwise an attribute whose value is "true" would be written without a value.
  suppressBooleanAttributes: false,
  processEntities: true,
  // Same escapes as ElementTree, including the whitespace that attribute-value normalisation would
  // otherwise turn into spaces. `&` must come first. The builder always adds `'` → `&apos;` on top,
  // which ElementTree leaves raw; both mean the same to any XML parser.
  entities: [
    { regex: /&/g, val: '&amp;' },
    { regex: /</g, val: '&lt;' },
    { regex: />/g, val: '&gt;' },
    { regex: /"/g, val: '&quot;' },
    { regex: /\n/g, val: '&#10;' },
    { regex: /\r/g, val: '&#13;' },
    { regex: /\t/g, val: '&#9;' },
  ],
  // Called only for names the builder's own XML-name check rejects; writing them would break the document.
  sanitizeName: (name, context) => {
    throw new TypeError(`${JSON.stringify(name)} is not a valid XML ${context.isAttribute ? 'attribute' : 'element'} name`);
  },
};

const builder = new XMLBuilder(builderOptions);

/**
 * The 10320/LOC values of a record, in record order.
 *
 * @example
 * findLocValues([{ index: 1, type: 'URL', data: 'https://a' }, { index: 2, type: '10320/loc', data: '<locations />' }]);
 * // → [{ index: 2, type: '10320/loc', data: '<locations />' }]
 */
export function findLocValues<T extends RecordValue>(values: readonly T[]): T[] {
  const wanted = LOC_TYPE.toLowerCase();
  return values.filter((value) => value.type.toLowerCase() === wanted);
}

/**
 * The `<location>` children of a `<locations>` document. Single quotes and extra spacing are accepted;
 * `<location>` elements nested deeper, or other children, are ignored (as ElementTree's `findall('location')` does).
 *
 * @throws {LocXmlError} when the text is not well-formed XML or its single root is not `<locations>`.
 * @example
 * parseLocations(`<locations><location href='http://bar.bar' id='0' weight="1" /></locations>`);
 * // → [{ href: 'http://bar.bar', id: '0', attributes: { href: 'http://bar.bar', id: '0', weight: '1' } }]
 */
export function parseLocations(xml: string): LocLocation[] {
  return parseDocument(xml).locations.map((attributes) => ({
    ...(attributes.href === undefined ? {} : { href: attributes.href }),
    ...(attributes.id === undefined ? {} : { id: attributes.id }),
    attributes,
  }));
}

/**
 * Writes a `<locations>` document the way B2HANDLE's ElementTree does: no XML declaration, attributes
 * in the order given, empty elements as `<location ... />`.
 *
 * B2HANDLE's own fixtures show `href` before `id` because Python before 3.8 sorted attributes; from 3.8
 * on ElementTree keeps insertion order, and B2HANDLE sets `id` first. This port follows Python ≥ 3.8,
 * so locations it creates read `id` then `href`.
 *
 * @throws {TypeError} when an attribute name is not a valid XML name.
 * @example
 * serializeLocations({ chooseby: 'locatt,weighted' }, [{ id: '0', href: 'http://bar.bar' }]);
 * // → '<locations chooseby="locatt,weighted"><location id="0" href="http://bar.bar" /></locations>'
 */
export function serializeLocations(rootAttributes: Record<string, string>, locations: Array<Record<string, string>>): string {
  const root: Record<string, unknown> = {
    [ROOT_TAG]: locations.map((attributes) => ({ [LOCATION_TAG]: [], [ATTRS_KEY]: prefixed(attributes) })),
  };
  if (Object.keys(rootAttributes).length > 0) root[ATTRS_KEY] = prefixed(rootAttributes);
  const xml = builder.build([root]);
  // ElementTree writes `<location ... />` and fast-xml-parser `<location .../>`. Every `>` inside an
  // attribute value has been escaped to `&gt;` and the document has no text, so `/>` can only be the
  // end of an empty element here.
  return xml.replace(/\/>/g, ' />');
}

/**
 * B2HANDLE's `is_10320LOC_empty`: true when the record has no 10320/LOC value, or none of them has a
 * `<location>` with an `href`.
 *
 * @throws {LocXmlError} when a 10320/LOC value cannot be read.
 * @example
 * isLocEmpty([{ index: 2, type: '10320/LOC', data: '<locations><location id="0" /></locations>' }]); // → true
 */
export function isLocEmpty(values: readonly RecordValue[]): boolean {
  return !findLocValues(values).some((value) => readValue(value).locations.some((attributes) => attributes.href !== undefined));
}

/**
 * B2HANDLE's `is_URL_contained_in_10320LOC`: true when some `<location href>` equals `url` exactly
 * (no URL normalisation, case-sensitive).
 *
 * @throws {LocXmlError} when a 10320/LOC value cannot be read.
 * @example
 * const values = [{ index: 2, type: '10320/LOC', data: { format: 'string', value: '<locations><location id="0" href="http://bar.bar" /></locations>' } }];
 * isUrlContainedInLoc(values, 'http://bar.bar'); // → true
 * isUrlContainedInLoc(values, 'http://bar.bar/'); // → false
 */
export function isUrlContainedInLoc(values: readonly RecordValue[], url: string): boolean {
  return findLocValues(values).some((value) => readValue(value).locations.some((attributes) => attributes.href === url));
}

/**
 * B2HANDLE's `add_additional_URL`: adds a `<location id=… href=…>` for every url not yet present.
 *
 * - Nothing is changed when every url is already contained (B2HANDLE then sends no request).
 * - Without a 10320/LOC value one is created at {@link nextFreeIndex} of all existing indexes, with
 *   `chooseby` from `options.chooseBy` if given.
 * - Each new location gets the smallest non-negative integer id not used by an existing numeric id
 *   (ids that are not integers are ignored, so the first id is "0"), then `href`, then `options.attributes`.
 *   B2HANDLE accepts such attributes but never writes them (a bug); this port writes them.
 * - The 10320/LOC value moves to the end of the list and its `data` becomes the bare XML string, as
 *   B2HANDLE sends it. Other values come back untouched (same objects, `ttl` and `timestamp` included)
 *   so the caller can PUT the full record.
 *
 * @throws {BrokenLocError} when a url is new and the record has two or more 10320/LOC values.
 * @throws {LocXmlError} when the 10320/LOC value cannot be read.
 * @throws {TypeError} when `options.attributes` tries to set `id` or `href`.
 * @example
 * const { values: next, changed } = addLocationUrls(
 *   [{ index: 1, type: 'URL', data: 'http://foo.bar' }],
 *   ['http://bar.bar', 'http://foo.foo'],
 * );
 * // changed === true; next[1] ===
 * // { index: 2, type: '10320/LOC', data: '<locations><location id="0" href="http://bar.bar" /><location id="1" href="http://foo.foo" /></locations>' }
 */
export function addLocationUrls(values: readonly RecordValue[], urls: readonly string[], options: AddLocationOptions = {}): LocEdit {
  const extraAttributes = options.attributes ?? {};
  for (const reserved of ['id', 'href']) {
    if (Object.hasOwn(extraAttributes, reserved)) {
      throw new TypeError(`attributes may not set "${reserved}": addLocationUrls chooses the id and takes the href from urls`);
    }
  }
  if (urls.every((url) => isUrlContainedInLoc(values, url))) return unchanged(values);

  const existing = singleLocValue(values);
  const document: LocDocument =
    existing === undefined ? { rootAttributes: options.chooseBy === undefined ? {} : { chooseby: options.chooseBy }, locations: [] } : readValue(existing);

  for (const url of urls) {
    if (document.locations.some((attributes) => attributes.href === url)) continue;
    document.locations.push({ id: String(smallestUnusedId(document.locations)), href: url, ...extraAttributes });
  }

  const xml = serializeLocations(document.rootAttributes, document.locations);
  const locValue: HandleValueInput =
    existing === undefined ? { index: nextFreeIndex(values.map((value) => value.index)), type: LOC_TYPE, data: xml } : { ...existing, data: xml };
  return { values: [...values.filter((value) => value !== existing), locValue], changed: true };
}

/**
 * B2HANDLE's `remove_additional_URL`: removes every `<location>` whose `href` is one of `urls`. When no
 * `<location>` is left the 10320/LOC value is dropped from the list; otherwise it moves to the end with its
 * `data` form kept (`{format, value}` stays an object).
 *
 * B2HANDLE PUTs the whole record even when nothing matched; `changed: false` (values returned as given)
 * lets the client skip that needless write, a defect fixed on purpose.
 *
 * @throws {BrokenLocError} when `urls` is not empty and the record has two or more 10320/LOC values.
 * @throws {LocXmlError} when the 10320/LOC value cannot be read.
 * @example
 * const { values: next, changed } = removeLocationUrls(
 *   [{ index: 1, type: 'URL', data: 'http://foo.bar' }, { index: 2, type: '10320/LOC', data: '<locations><location id="0" href="http://bar.bar" /></locations>' }],
 *   ['http://bar.bar'],
 * );
 * // changed === true; next is just the URL value: the emptied 10320/LOC value is gone
 */
export function removeLocationUrls(values: readonly RecordValue[], urls: readonly string[]): LocEdit {
  if (urls.length === 0) return unchanged(values);
  const existing = singleLocValue(values);
  if (existing === undefined) return unchanged(values);

  const document = readValue(existing);
  const removing = new Set(urls);
  const kept = document.locations.filter((attributes) => attributes.href === undefined || !removing.has(attributes.href));
  if (kept.length === document.locations.length) return unchanged(values);

  const others = values.filter((value) => value !== existing);
  if (kept.length === 0) return { values: others, changed: true };
  const xml = serializeLocations(document.rootAttributes, kept);
  return { values: [...others, withXml(existing, xml)], changed: true };
}

/**
 * B2HANDLE's `exchange_additional_URL`: every `<location href="oldUrl">` gets `href="newUrl"`, keeping its
 * id, its other attributes and its place in the list. The 10320/LOC value moves to the end with its `data`
 * form kept.
 *
 * `changed` is false when `oldUrl` is not contained (B2HANDLE sends nothing then either) and, unlike
 * B2HANDLE, also when `oldUrl === newUrl`, since the PUT would not change the record.
 *
 * @throws {BrokenLocError} when `oldUrl` is contained and the record has two or more 10320/LOC values.
 * @throws {LocXmlError} when a 10320/LOC value cannot be read.
 * @example
 * exchangeLocationUrl(
 *   [{ index: 2, type: '10320/LOC', data: { format: 'string', value: '<locations><location id="3" href="http://old" weight="0" /></locations>' } }],
 *   'http://old',
 *   'https://new',
 * ).values[0];
 * // → { index: 2, type: '10320/LOC', data: { format: 'string', value: '<locations><location id="3" href="https://new" weight="0" /></locations>' } }
 */
export function exchangeLocationUrl(values: readonly RecordValue[], oldUrl: string, newUrl: string): LocEdit {
  if (oldUrl === newUrl || !isUrlContainedInLoc(values, oldUrl)) return unchanged(values);
  const existing = singleLocValue(values);
  if (existing === undefined) return unchanged(values);

  const document = readValue(existing);
  for (const attributes of document.locations) {
    if (attributes.href === oldUrl) attributes.href = newUrl;
  }
  const xml = serializeLocations(document.rootAttributes, document.locations);
  return { values: [...values.filter((value) => value !== existing), withXml(existing, xml)], changed: true };
}

/**
 * B2HANDLE's index allocation for new values: the first index ≥ `start` that is not used and not
 * reserved, where 1 is reserved for `URL` and 100–199 for `HS_ADMIN`. The reserved ranges are skipped
 * whatever `start` is.
 *
 * @throws {RangeError} when `start` is not an integer.
 * @example
 * nextFreeIndex([1, 2, 3, 100]); // → 4
 * nextFreeIndex([2, 3, 4, 5, 6, 7, 8, 9, 10], 9); // → 11
 * nextFreeIndex([98, 99], 98); // → 200
 */
export function nextFreeIndex(usedIndexes: Iterable<number>, start = 2): number {
  if (!Number.isSafeInteger(start)) throw new RangeError(`start must be an integer, got ${start}`);
  const used = new Set(usedIndexes);
  for (let index = start; ; index += 1) {
    if (index === 1 || (index >= 100 && index <= 199)) continue;
    if (!used.has(index)) return index;
  }
}

function parseDocument(xml: string, valueIndex?: number): LocDocument {
  const context = { xml, ...(valueIndex === undefined ? {} : { valueIndex }) };
  // The parser alone repairs what it can (unclosed tags, duplicate attributes); ElementTree would refuse
  // such text, so the validator decides first.
  const verdict = XMLValidator.validate(xml);
  if (verdict !== true) {
    throw new LocXmlError(verdict.err.msg, { ...context, line: verdict.err.line, column: verdict.err.col });
  }
  let nodes: unknown;
  try {
    nodes = parser.parse(xml);
  } catch (cause) {
    throw new LocXmlError(cause instanceof Error ? cause.message : String(cause), { ...context, cause });
  }
  const elements = (Array.isArray(nodes) ? nodes : []).filter(isElementNode);
  if (elements.length !== 1) {
    throw new LocXmlError(`expected one root element, found ${elements.length}`, context);
  }
  const root = elements[0] as Record<string, unknown>;
  const rootTag = tagOf(root);
  if (rootTag !== ROOT_TAG) throw new LocXmlError(`the root element is <${rootTag}>, not <${ROOT_TAG}>`, context);

  const children = root[ROOT_TAG];
  const locations = (Array.isArray(children) ? children : [])
    .filter((child): child is Record<string, unknown> => isElementNode(child) && tagOf(child) === LOCATION_TAG)
    .map((child) => attributesOf(child));
  return { rootAttributes: attributesOf(root), locations };
}

function readValue(value: RecordValue): LocDocument {
  const xml = typeof value.data === 'string' ? value.data : value.data.value;
  if (typeof xml !== 'string') {
    throw new LocXmlError('its data holds no string', { xml: JSON.stringify(xml) ?? String(xml), valueIndex: value.index });
  }
  return parseDocument(xml, value.index);
}

/** The one 10320/LOC value B2HANDLE is willing to edit, or undefined when there is none. */
function singleLocValue(values: readonly RecordValue[]): RecordValue | undefined {
  const found = findLocValues(values);
  if (found.length > 1) throw new BrokenLocError(found.map((value) => value.index));
  return found[0];
}

/** B2HANDLE's walk over the sorted numeric ids: the first non-negative integer none of them takes. */
function smallestUnusedId(locations: ReadonlyArray<Record<string, string>>): number {
  const taken = new Set<number>();
  for (const { id } of locations) {
    // Python's int() accepts surrounding whitespace and a sign, so " 2" and "+2" both count as 2.
    if (id !== undefined && /^\s*[+-]?\d+\s*$/.test(id)) taken.add(Number(id));
  }
  let candidate = 0;
  while (taken.has(candidate)) candidate += 1;
  return candidate;
}

function withXml(value: RecordValue, xml: string): HandleValueInput {
  return { ...value, data: typeof value.data === 'string' ? xml : { ...value.data, value: xml } };
}

function unchanged(values: readonly RecordValue[]): LocEdit {
  return { values: [...values], changed: false };
}

function tagOf(node: Record<string, unknown>): string | undefined {
  return Object.keys(node).find((key) => key !== ATTRS_KEY);
}

function isElementNode(node: unknown): node is Record<string, unknown> {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) return false;
  const tag = tagOf(node as Record<string, unknown>);
  return tag !== undefined && tag !== '#text' && !tag.startsWith('?') && !tag.startsWith('!');
}

function attributesOf(node: Record<string, unknown>): Record<string, string> {
  const raw = node[ATTRS_KEY];
  if (typeof raw !== 'object' || raw === null) return {};
  // fromEntries defines own properties, so an attribute called `__proto__` stays an attribute.
  return Object.fromEntries(Object.entries(raw as Record<string, unknown>).map(([name, value]) => [name.slice(ATTR_PREFIX.length), String(value)]));
}

function prefixed(attributes: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(attributes).map(([name, value]) => [ATTR_PREFIX + name, value]));
}
