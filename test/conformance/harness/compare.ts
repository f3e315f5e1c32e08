// Compares one response of the mock with the real server's recorded response: status, content type, the
// headers that carry meaning, and the body (JSON envelope, JSONP, resolver HTML or empty), relaxing a check
// only where a row of the documented-differences table says why.
import type { DifferenceId } from './differences.js';
import type { Transcript } from './transcript.js';
import { formFieldNames, headings, notFoundSentence, pageTitle, tableRows, visibleText } from './html.js';
import { WrittenRecords } from './stored-order.js';

export interface ActualResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** When the response arrived (ms since the epoch), for time-dependent headers. */
  receivedAt: number;
}

export interface Mismatch {
  field: string;
  expected: string;
  actual: string;
}

export interface AcceptedDifference {
  id: DifferenceId;
  field: string;
  detail: string;
}

export interface CaseComparison {
  mismatches: Mismatch[];
  accepted: AcceptedDifference[];
}

/** What earlier cases established: the full listing of a prefix, against which later pages are checked. */
export class ReplayMemory {
  readonly fullListings = new Map<string, Set<string>>();
  /** The records earlier cases wrote, for the value-order rule of redirects. */
  readonly written = new WrittenRecords();
}

const MAX_SHOWN = 300;
const JSON_TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const PAGE_TIMESTAMP = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;
const HANDLE_CHALLENGE = /^Handle sessionId="[^"]+", nonce="[^"]+"(?:, error="([^"]*)")?$/;
const BASIC_CHALLENGE = 'Basic realm="handle"';
const JSONP = /^([A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*)\(([\s\S]*)\);?\s*$/;
/** Redirects may be cached for at most two days (HandleValue.MAX_RECOGNIZED_TTL). */
const MAX_EXPIRES_MS = 2 * 86400 * 1000;
const CLOCK_SLACK_MS = 5000;
/** The headers the recorder kept besides Content-Type; each is checked in both directions. */
const CHECKED_HEADERS = ['location', 'www-authenticate', 'expires', 'access-control-allow-origin'] as const;

export function show(value: unknown): string {
  const text = value === undefined ? '(absent)' : typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  return text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text;
}

class Recorder implements CaseComparison {
  readonly mismatches: Mismatch[] = [];
  readonly accepted: AcceptedDifference[] = [];

  mismatch(field: string, expected: unknown, actual: unknown): void {
    this.mismatches.push({
      field,
      expected: typeof expected === 'string' ? expected : show(expected),
      actual: typeof actual === 'string' ? actual : show(actual),
    });
  }

  accept(id: DifferenceId, field: string, detail: string): void {
    this.accepted.push({ id, field, detail });
  }
}

/** A volatile field: which documented difference covers it and whether the actual value has the required shape. */
type Volatile = (field: string, expected: unknown, actual: unknown) => { id: DifferenceId; ok: boolean } | undefined;

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * Structural equality below the envelope's top level: key sets (not order, which only the top level fixes),
 * array lengths and element order, and primitive values unless `volatile` excuses them.
 */
function deep(expected: unknown, actual: unknown, field: string, rec: Recorder, volatile?: Volatile): void {
  if (!isPlainObject(expected) && !Array.isArray(expected)) {
    if (Object.is(expected, actual)) return;
    const excuse = volatile?.(field, expected, actual);
    if (excuse?.ok) rec.accept(excuse.id, field, `real ${show(expected)}, mock ${show(actual)}`);
    else rec.mismatch(field, show(expected), show(actual));
    return;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) {
      rec.mismatch(field, 'an array', show(actual));
      return;
    }
    if (expected.length !== actual.length) rec.mismatch(`${field} length`, String(expected.length), String(actual.length));
    for (let i = 0; i < Math.min(expected.length, actual.length); i++) deep(expected[i], actual[i], `${field}[${i}]`, rec, volatile);
    return;
  }
  if (!isPlainObject(actual)) {
    rec.mismatch(field, 'an object', show(actual));
    return;
  }
  const expectedKeys = Object.keys(expected).sort();
  const actualKeys = Object.keys(actual).sort();
  if (expectedKeys.join(',') !== actualKeys.join(',')) rec.mismatch(`${field} keys`, expectedKeys.join(','), actualKeys.join(','));
  for (const key of expectedKeys) if (key in actual) deep(expected[key], actual[key], `${field}.${key}`, rec, volatile);
}

// ---- headers ----

function headerValues(headers: Record<string, string | string[] | undefined>, name: string): string[] {
  const value = headers[name];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** `application/json; charset=UTF-8` → `application/json;charset=utf-8`; parameters other than charset are ignored. */
export function normalisedContentType(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const [type, ...params] = value.split(';');
  const charset = params
    .map((p) => p.trim())
    .find((p) => /^charset=/i.test(p))
    ?.slice('charset='.length)
    .replace(/"/g, '')
    .toLowerCase();
  return `${(type ?? '').trim().toLowerCase()}${charset ? `;charset=${charset}` : ''}`;
}

function compareChallenges(expected: string[], actual: string[], rec: Recorder): void {
  const field = 'header www-authenticate';
  const describe = (list: string[]) => (list.length ? list.map((v) => JSON.stringify(v)).join(', ') : '(absent)');
  const basicOk = expected.includes(BASIC_CHALLENGE) === actual.includes(BASIC_CHALLENGE);
  const expectedHandle = expected.map((v) => HANDLE_CHALLENGE.exec(v)).find((m) => m);
  const actualHandle = actual.map((v) => HANDLE_CHALLENGE.exec(v)).find((m) => m);
  const handleOk = expectedHandle
    ? actualHandle !== undefined && actualHandle !== null && (expectedHandle[1] ?? null) === (actualHandle[1] ?? null)
    : !actualHandle;
  if (!basicOk || !handleOk || expected.length !== actual.length) {
    rec.mismatch(field, describe(expected), describe(actual));
  } else if (expectedHandle) {
    rec.accept('session-challenge', field, `real ${describe(expected)}; mock ${describe(actual)}`);
  }
}

function compareExpires(expected: string[], actual: string[], receivedAt: number, rec: Recorder): void {
  const field = 'header expires';
  if (!expected.length) {
    if (actual.length) rec.mismatch(field, '(absent)', actual.join(', '));
    return;
  }
  const at = actual.length === 1 ? Date.parse(actual[0]!) : NaN;
  if (!Number.isFinite(at) || at < receivedAt - CLOCK_SLACK_MS || at > receivedAt + MAX_EXPIRES_MS + CLOCK_SLACK_MS) {
    rec.mismatch(field, 'an HTTP date from now to two days ahead', actual.length ? actual.join(', ') : '(absent)');
    return;
  }
  rec.accept('redirect-expires', field, `real ${expected.join(', ')}, mock ${actual[0]}`);
}

/** The mock redirected to the URL value the real server's rule picks when the record is read in index order. */
function redirectInIndexOrder(transcript: Transcript, expected: string[], got: string[], memory: ReplayMemory): boolean {
  if (transcript.request.method !== 'GET' || got.length !== 1 || expected.length !== 1 || transcript.request.path.startsWith('/api/')) return false;
  const url = memory.written.urlInIndexOrder(transcript.request.path, expected[0]!);
  if (url === undefined) return false;
  let decoded: string;
  try {
    decoded = decodeURI(got[0]!);
  } catch {
    return false;
  }
  return decoded === url || got[0] === url;
}

function compareHeaders(transcript: Transcript, actual: ActualResponse, rec: Recorder, memory: ReplayMemory): void {
  const expectedType = normalisedContentType(transcript.response.headers['content-type']);
  const actualType = normalisedContentType(headerValues(actual.headers, 'content-type')[0]);
  if (expectedType !== actualType) rec.mismatch('content-type', expectedType ?? '(absent)', actualType ?? '(absent)');

  const other = transcript.meta.otherResponseHeaders ?? {};
  const expectedOf = (name: string): string[] => {
    const key = Object.keys(other).find((k) => k.toLowerCase() === name);
    const value = key === undefined ? undefined : other[key];
    return value === undefined ? [] : Array.isArray(value) ? value : [value];
  };
  for (const name of CHECKED_HEADERS) {
    const expected = expectedOf(name);
    const got = headerValues(actual.headers, name);
    if (name === 'www-authenticate') {
      if (expected.length || got.length) compareChallenges(expected, got, rec);
    } else if (name === 'expires') {
      compareExpires(expected, got, actual.receivedAt, rec);
    } else if (expected.join('\n') !== got.join('\n')) {
      if (name === 'location' && redirectInIndexOrder(transcript, expected, got, memory)) {
        rec.accept('value-order', `header ${name}`, `real ${expected.join(', ')} (first URL in body order), mock ${got.join(', ')} (first URL in index order)`);
        continue;
      }
      rec.mismatch(`header ${name}`, expected.length ? expected.join(', ') : '(absent)', got.length ? got.join(', ') : '(absent)');
    }
  }
}

// ---- JSON envelope ----

const EXCEPTION_CLASS = String.raw`[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+(?:Exception|Error)`;
// A class name ends at ": " (Java's own message follows), at " (" (the mock's explanation follows) or at the end.
const EXCEPTION_CHAIN = new RegExp(`^${EXCEPTION_CLASS}(?:: ${EXCEPTION_CLASS})*(?=: | \\(|$)`);

/**
 * The exception classes a Java message starts with: `a.b.XException: c.d.YException: text` → the first two.
 * Undefined when the message does not start with a qualified exception class name.
 */
export function javaExceptionChain(message: string): string | undefined {
  return EXCEPTION_CHAIN.exec(message)?.[0];
}

function compareMessage(expected: unknown, actual: unknown, field: string, rec: Recorder): void {
  if (expected === actual) return;
  if (typeof expected === 'string' && typeof actual === 'string' && /^(java\.|com\.google\.gson\.)/.test(expected)) {
    const chain = javaExceptionChain(expected);
    // The servlet throws `new Exception(text)` for its own checks; any other class means a library did the wording.
    if (chain && chain !== 'java.lang.Exception') {
      const actualChain = javaExceptionChain(actual);
      if (actualChain === chain) {
        rec.accept('java-parser-wording', field, `class chain ${chain} matches (real ${show(expected)}, mock ${show(actual)})`);
        return;
      }
      rec.mismatch(`${field} (Java exception class chain)`, chain, actualChain ?? `no exception class in ${show(actual)}`);
      return;
    }
    if (actual.startsWith(`${expected} (`) && actual.endsWith(')')) {
      rec.accept('explained-java-message', field, `mock adds ${show(actual.slice(expected.length + 1))}`);
      return;
    }
  }
  rec.mismatch(field, show(expected), show(actual));
}

const TRAILING_UUID = /^(.*?)([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})$/i;

/** A handle created with ?mintNewSuffix=true: the same text before the UUID v4, which has the same letter case. */
function compareHandle(expected: unknown, actual: unknown, field: string, rec: Recorder): void {
  if (expected === actual) return;
  if (typeof expected === 'string' && typeof actual === 'string') {
    const e = TRAILING_UUID.exec(expected);
    const a = TRAILING_UUID.exec(actual);
    const sameCase = (x: string, y: string) => (x === x.toLowerCase()) === (y === y.toLowerCase());
    if (e && a && e[1] === a[1] && sameCase(e[2]!, a[2]!)) {
      rec.accept('minted-suffix', field, `real ${show(expected)}, mock ${show(actual)}`);
      return;
    }
  }
  rec.mismatch(field, show(expected), show(actual));
}

/** Ascending index order of the real server's indexes, when that is not already their order. */
function indexOrder(indexes: unknown[]): string | undefined {
  if (!indexes.every((i) => typeof i === 'number')) return undefined;
  const sorted = [...(indexes as number[])].sort((a, b) => a - b);
  return sorted.join(',') === indexes.join(',') ? undefined : sorted.join(',');
}

function valueVolatile(type: unknown): Volatile {
  return (field, expected, actual) => {
    if (field.endsWith('.timestamp')) return { id: 'timestamps', ok: typeof actual === 'string' && JSON_TIMESTAMP.test(actual) };
    if (field.endsWith('.data.value.n') && String(type).toUpperCase() === 'HS_PUBKEY') {
      return { id: 'generated-public-key', ok: typeof expected === 'string' && typeof actual === 'string' && BASE64URL.test(actual) };
    }
    return undefined;
  };
}

/**
 * Values are matched by index. Their order must be the real server's, or that order sorted by index
 * (the documented storage difference).
 */
function compareValues(expected: unknown, actual: unknown, field: string, rec: Recorder): void {
  if (!Array.isArray(expected) || !Array.isArray(actual)) {
    deep(expected, actual, field, rec);
    return;
  }
  const indexOf = (v: unknown) => (isPlainObject(v) ? v.index : undefined);
  const expectedIndexes = expected.map(indexOf);
  const actualIndexes = actual.map(indexOf);
  if (expectedIndexes.join(',') !== actualIndexes.join(',')) {
    if (indexOrder(expectedIndexes) === actualIndexes.join(',')) {
      rec.accept('value-order', `${field} indexes`, `real ${expectedIndexes.join(',')} (body order), mock ${actualIndexes.join(',')} (index order)`);
    } else {
      rec.mismatch(`${field} indexes`, expectedIndexes.join(','), actualIndexes.join(','));
    }
  }
  for (const value of expected) {
    const index = indexOf(value);
    const counterpart = actual.find((v) => indexOf(v) === index);
    if (counterpart === undefined) continue;
    const type = isPlainObject(value) ? value.type : undefined;
    deep(value, counterpart, `${field}[index=${String(index)}]`, rec, valueVolatile(type));
  }
}

function bareprefixKey(prefix: string): string {
  return prefix.replace(/^0\.NA\//i, '').toUpperCase();
}

/** Minted suffixes stand for themselves only by shape; the letter case of the UUID still has to match. */
function normaliseListed(name: string): string {
  return name
    .replace(/[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}/g, '<UUID>')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>');
}

function compareListing(expectedBody: Record<string, unknown>, expected: unknown, actual: unknown, field: string, rec: Recorder, memory: ReplayMemory): void {
  if (!Array.isArray(expected) || !Array.isArray(actual) || ![...expected, ...actual].every((x) => typeof x === 'string')) {
    deep(expected, actual, field, rec);
    return;
  }
  const wanted = (expected as string[]).map(normaliseListed);
  const got = (actual as string[]).map(normaliseListed);
  const minted = (expected as string[]).some((name, i) => name !== wanted[i]);
  const paged = 'page' in expectedBody && typeof expectedBody.prefix === 'string';
  if (paged) {
    const full = memory.fullListings.get(bareprefixKey(expectedBody.prefix as string));
    const strangers = full ? got.filter((name) => !full.has(name)) : [];
    if (got.length !== wanted.length || strangers.length) {
      rec.mismatch(
        `${field} (page)`,
        `${wanted.length} handles of the full listing`,
        `${got.length} handles${strangers.length ? `, not in the full listing: ${JSON.stringify(strangers)}` : ''}`,
      );
      return;
    }
    if (wanted.join('\n') !== got.join('\n')) rec.accept('listing-order', field, `page holds ${JSON.stringify(actual)} (real ${JSON.stringify(expected)})`);
    return;
  }
  if (typeof expectedBody.prefix === 'string') memory.fullListings.set(bareprefixKey(expectedBody.prefix), new Set(wanted));
  const missing = wanted.filter((name) => !got.includes(name));
  const extra = got.filter((name) => !wanted.includes(name));
  if (missing.length || extra.length || wanted.length !== got.length) {
    rec.mismatch(
      `${field} (as a set)`,
      `${wanted.length} entries`,
      `${got.length} entries; missing ${JSON.stringify(missing)}; unexpected ${JSON.stringify(extra)}`,
    );
    return;
  }
  if (wanted.join('\n') !== got.join('\n')) rec.accept('listing-order', field, `same ${wanted.length} entries in another order`);
  if (minted) rec.accept('minted-suffix', field, 'minted handles compared as <UUID>');
}

const siteVolatile: Volatile = (field, expected, actual) => {
  if (/\.publicKey\.value\.n$/.test(field)) return { id: 'site-key-and-port', ok: typeof actual === 'string' && BASE64URL.test(actual) };
  if (/\.interfaces\[\d+\]\.port$/.test(field) && expected === 8000) {
    return { id: 'site-key-and-port', ok: typeof actual === 'number' && Number.isInteger(actual) && actual > 0 };
  }
  return undefined;
};

function compareEnvelope(expected: unknown, actual: unknown, field: string, rec: Recorder, memory: ReplayMemory): void {
  if (!isPlainObject(expected) || !isPlainObject(actual)) {
    deep(expected, actual, field, rec);
    return;
  }
  const expectedKeys = Object.keys(expected);
  const actualKeys = Object.keys(actual);
  if (expectedKeys.join(',') !== actualKeys.join(',')) rec.mismatch(`${field} keys (in order)`, expectedKeys.join(','), actualKeys.join(','));
  for (const key of expectedKeys) {
    if (!(key in actual)) continue;
    const sub = `${field}.${key}`;
    if (key === 'message') compareMessage(expected[key], actual[key], sub, rec);
    else if (key === 'handle') compareHandle(expected[key], actual[key], sub, rec);
    else if (key === 'values') compareValues(expected[key], actual[key], sub, rec);
    else if (key === 'handles' || key === 'prefixes') compareListing(expected, expected[key], actual[key], sub, rec, memory);
    else if (key === 'site') deep(expected[key], actual[key], sub, rec, siteVolatile);
    else deep(expected[key], actual[key], sub, rec);
  }
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

// ---- non-JSON bodies ----

function compareJsonp(expected: string, actual: string, rec: Recorder, memory: ReplayMemory): void {
  const e = JSONP.exec(expected);
  const parsedExpected = e ? parseJson(e[2]!) : { ok: false as const };
  if (!e || !parsedExpected.ok) {
    if (expected !== actual) rec.mismatch('body', show(expected), show(actual));
    return;
  }
  const a = JSONP.exec(actual);
  const parsedActual = a ? parseJson(a[2]!) : { ok: false as const };
  if (!a || !parsedActual.ok) {
    rec.mismatch('body', `JSONP ${e[1]}(...)`, show(actual));
    return;
  }
  if (e[1] !== a[1]) rec.mismatch('body (JSONP callback)', e[1]!, a[1]!);
  compareEnvelope(parsedExpected.value, parsedActual.value, 'body(jsonp)', rec, memory);
}

function compareHtml(transcript: Transcript, actual: string, rec: Recorder, memory: ReplayMemory): void {
  const expected = transcript.response.body as string;
  const status = transcript.response.status;
  if (pageTitle(expected) !== pageTitle(actual)) rec.mismatch('html title', show(pageTitle(expected)), show(pageTitle(actual)));
  let structured = false;
  if (status >= 300 && status < 400) {
    structured = true;
    if (visibleText(expected) !== visibleText(actual)) {
      const realTarget = /\S+$/.exec(visibleText(expected))?.[0] ?? '';
      const url = memory.written.urlInIndexOrder(transcript.request.path, realTarget);
      const sameRule = url !== undefined && transcript.request.method === 'GET' && visibleText(actual) === visibleText(expected).replace(/\S+$/, url);
      if (sameRule) rec.accept('value-order', 'html text', `redirect page names ${show(url)}, the first URL in index order`);
      else rec.mismatch('html text', show(visibleText(expected)), show(visibleText(actual)));
    }
  }
  let rows = tableRows(expected);
  if (rows.length) {
    structured = true;
    const got = tableRows(actual);
    // A values page lists one value per row, its index first: the mock lists them in index order.
    const isValueRow = (cells: string[]) => /^\d+$/.test(cells[0] ?? '');
    const realIndexes = rows.filter(isValueRow).map((cells) => Number(cells[0]));
    const byIndex = indexOrder(realIndexes);
    if (
      byIndex !== undefined &&
      byIndex ===
        got
          .filter(isValueRow)
          .map((cells) => cells[0])
          .join(',')
    ) {
      rec.accept('value-order', 'html table rows', `real rows ${realIndexes.join(',')} (body order), mock ${byIndex} (index order)`);
      const sorted = rows.filter(isValueRow).sort((a, b) => Number(a[0]) - Number(b[0]));
      rows = rows.map((cells) => (isValueRow(cells) ? sorted.shift()! : cells));
    }
    if (rows.length !== got.length) rec.mismatch('html table rows', String(rows.length), String(got.length));
    rows.forEach((cells, r) => {
      const other = got[r];
      if (!other) return;
      if (cells.length !== other.length) {
        rec.mismatch(`html row ${r + 1}`, show(cells), show(other));
        return;
      }
      cells.forEach((cell, c) => {
        const mine = other[c]!;
        if (cell === mine) return;
        if (PAGE_TIMESTAMP.test(cell) && PAGE_TIMESTAMP.test(mine)) {
          rec.accept('timestamps', `html row ${r + 1} cell ${c + 1}`, `real ${cell}, mock ${mine}`);
          return;
        }
        rec.mismatch(`html row ${r + 1} cell ${c + 1}`, show(cell), show(mine));
      });
    });
  }
  const sentence = notFoundSentence(expected);
  if (sentence !== undefined) {
    structured = true;
    if (notFoundSentence(actual) !== sentence) rec.mismatch('html not-found sentence', show(sentence), show(notFoundSentence(actual)));
  }
  if (/<form\b/i.test(expected)) {
    structured = true;
    const [eh, ah] = [headings(expected), headings(actual)];
    if (eh.join('\n') !== ah.join('\n')) rec.mismatch('html headings', show(eh), show(ah));
    const [ef, af] = [formFieldNames(expected), formFieldNames(actual)];
    if (ef.join(',') !== af.join(',')) rec.mismatch('html form fields', ef.join(','), af.join(','));
  }
  if (!structured && visibleText(expected) !== visibleText(actual)) rec.mismatch('html text', show(visibleText(expected)), show(visibleText(actual)));
}

function compareBody(transcript: Transcript, actual: ActualResponse, rec: Recorder, memory: ReplayMemory): void {
  const expected = transcript.response.body;
  if (expected === '') {
    if (actual.body !== '') rec.mismatch('body', 'empty', show(actual.body));
    return;
  }
  if (typeof expected === 'string') {
    const type = normalisedContentType(transcript.response.headers['content-type'])?.split(';')[0];
    if (type === 'application/javascript') compareJsonp(expected, actual.body, rec, memory);
    else if (type === 'text/html') compareHtml(transcript, actual.body, rec, memory);
    else if (expected !== actual.body) rec.mismatch('body', show(expected), show(actual.body));
    return;
  }
  const parsed = parseJson(actual.body);
  if (!parsed.ok) {
    rec.mismatch('body', 'JSON', `not JSON: ${show(actual.body)}`);
    return;
  }
  compareEnvelope(expected, parsed.value, 'body', rec, memory);
}

export function compareCase(transcript: Transcript, actual: ActualResponse, memory: ReplayMemory): CaseComparison {
  const rec = new Recorder();
  if (transcript.response.status !== actual.status) rec.mismatch('status', String(transcript.response.status), String(actual.status));
  compareHeaders(transcript, actual, rec, memory);
  compareBody(transcript, actual, rec, memory);
  memory.written.note(transcript);
  return rec;
}
