// Notebook helpers: show a handle record as an HTML table (or a text table outside Jupyter) and run Kaggle-Learn-style exercise checks.
import { dirname, join } from 'node:path';
import type { HandleRecordJson, HandleValue } from './types.js';

// ---------------------------------------------------------------------------------------------------
// Escaping and links
// ---------------------------------------------------------------------------------------------------

const HTML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes text for HTML element content and for quoted attribute values.
 * Anything that is not a string is turned into one first.
 *
 * @example
 * escapeHtml('<img src=x onerror=alert(1)>'); // '&lt;img src=x onerror=alert(1)&gt;'
 */
export function escapeHtml(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (ch) => HTML_ENTITIES[ch] ?? ch);
}

/** The normalised URL when `url` is an absolute http(s) URL, else undefined. */
function safeHttpUrl(url: string): string | undefined {
  // Only http(s) ever becomes a link: a record is public and anyone can store `javascript:` or
  // `data:` in it, and a notebook output runs in the trainee's logged-in Jupyter page.
  if (!/^\s*https?:\/\//i.test(url)) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

/**
 * An HTML link that opens in a new tab, or just the escaped text when `url` is not an absolute
 * http(s) URL (so `javascript:` and `data:` URLs never become clickable).
 *
 * @param url  where the link points
 * @param text what the link says; the URL itself when omitted
 * @example
 * linkTo('https://hdl.handle.net/11304/cf8956a2-39d3-11e5-8a18-f31aa6f4d448', 'resolve');
 * // '<a href="https://hdl.handle.net/11304/cf89…" target="_blank" rel="noopener noreferrer">resolve</a>'
 * linkTo('javascript:alert(1)'); // 'javascript:alert(1)' (plain text)
 */
export function linkTo(url: string, text?: string): string {
  const href = safeHttpUrl(String(url));
  const label = escapeHtml(text ?? url);
  if (href === undefined) return label;
  return `<a href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer">${label}</a>`;
}

// ---------------------------------------------------------------------------------------------------
// Permissions
// ---------------------------------------------------------------------------------------------------

// Indexed by position in the 12-character JSON string (position 0 = bit 11), protocol reference §2.4.
const HS_ADMIN_PERMISSION_NAMES = [
  'list handles',
  'read value',
  'add admin',
  'remove admin',
  'modify admin',
  'add value',
  'remove value',
  'modify value',
  'delete derived prefix',
  'add derived prefix',
  'delete handle',
  'add handle',
] as const;

// Per-value permissions, in the order of the 4-character string.
const VALUE_PERMISSION_NAMES = ['admin read', 'admin write', 'public read', 'public write'] as const;

/**
 * The permissions an HS_ADMIN bit string grants, in the order of the string (leftmost first).
 * Shorter strings are padded on the left with 0, as the Handle server does; `"*"` grants all.
 *
 * @throws RangeError when the string is not 1–12 characters of 0 and 1 (or `"*"`).
 * @example
 * hsAdminPermissions('011111110011');
 * // ['read value', 'add admin', 'remove admin', 'modify admin', 'add value', 'remove value',
 * //  'modify value', 'delete handle', 'add handle']
 */
export function hsAdminPermissions(bits: string): string[] {
  if (bits === '*') return [...HS_ADMIN_PERMISSION_NAMES];
  if (typeof bits !== 'string' || !/^[01]{1,12}$/.test(bits)) {
    throw new RangeError(`An HS_ADMIN permission string is 12 characters of 0 and 1, got ${JSON.stringify(bits)}`);
  }
  const padded = bits.padStart(12, '0');
  return HS_ADMIN_PERMISSION_NAMES.filter((_, position) => padded[position] === '1');
}

// ---------------------------------------------------------------------------------------------------
// Describing one value: a few lines of text pieces, rendered either as HTML or as plain text
// ---------------------------------------------------------------------------------------------------

interface Piece {
  text: string;
  /** Becomes a link in HTML when it is an http(s) URL. */
  href?: string;
  /** Explanations we add (not data from the record) are shown in grey. */
  muted?: boolean;
}
type Line = Piece[];

function plain(text: string): Line {
  return [{ text }];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function compactJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function describeString(value: string): Line[] {
  if (safeHttpUrl(value) !== undefined) return [[{ text: value, href: value }]];
  return value.split(/\r?\n/).map(plain);
}

function describeAdmin(value: unknown): Line[] {
  if (!isObject(value) || typeof value.handle !== 'string') return [plain(compactJson(value))];
  const permissions = value.permissions;
  const main = plain(`handle=${value.handle} index=${String(value.index)} permissions=${String(permissions)}`);
  let granted: string;
  try {
    const names = hsAdminPermissions(String(permissions));
    granted = names.length === 0 ? 'grants nothing' : `grants: ${names.join(', ')}`;
  } catch {
    granted = 'unreadable permission string';
  }
  return [main, [{ text: granted, muted: true }]];
}

function describeVlist(value: unknown): Line[] {
  if (!Array.isArray(value)) return [plain(compactJson(value))];
  if (value.length === 0) return [[{ text: '(empty list)', muted: true }]];
  // `index:handle` is how Handle tools write a value reference, e.g. 300:21.T12995/USER01.
  return value.map((ref) =>
    isObject(ref) && typeof ref.handle === 'string' ? plain(`${String(ref.index)}:${ref.handle}`) : plain(compactJson(ref)),
  );
}

function bitLength(base64url: string): number | undefined {
  const bytes = Buffer.from(base64url, 'base64url');
  let start = 0;
  while (start < bytes.length && bytes[start] === 0) start++;
  const first = bytes[start];
  if (first === undefined) return undefined;
  return (bytes.length - start - 1) * 8 + first.toString(2).length;
}

function abbreviate(text: string, keep = 12): string {
  return text.length <= keep * 2 + 1 ? text : `${text.slice(0, keep)}…${text.slice(-keep)}`;
}

function describeKey(value: unknown): Line[] {
  if (!isObject(value) || typeof value.kty !== 'string') return [plain(compactJson(value))];
  if (value.kty === 'RSA' && typeof value.n === 'string') {
    const bits = bitLength(value.n);
    return [
      plain(`RSA public key${bits === undefined ? '' : `, ${bits} bits`}, e=${String(value.e)}`),
      [{ text: `n=${abbreviate(value.n)}`, muted: true }],
    ];
  }
  if (value.kty === 'DSA' && typeof value.y === 'string') {
    return [plain('DSA public key'), [{ text: `y=${abbreviate(value.y)}`, muted: true }]];
  }
  return [plain(compactJson(value))];
}

function describeSite(value: unknown): Line[] {
  if (!isObject(value) || !Array.isArray(value.servers)) return [plain(compactJson(value))];
  const lines: Line[] = [
    plain(`site version ${String(value.version)}, ${value.primarySite === true ? 'primary' : 'secondary'}, ${value.servers.length} server(s)`),
  ];
  for (const server of value.servers) {
    if (!isObject(server)) continue;
    const interfaces = Array.isArray(server.interfaces)
      ? server.interfaces.filter(isObject).map((i) => `${String(i.protocol)} ${String(i.port)}`)
      : [];
    lines.push(plain(`server ${String(server.serverId)} at ${String(server.address)}${interfaces.length ? ` (${interfaces.join(', ')})` : ''}`));
  }
  return lines;
}

function describeData(type: string, data: unknown): Line[] {
  // A value as a client PUTs it may carry a bare string instead of {format, value}.
  if (typeof data === 'string') return describeString(data);
  if (!isObject(data)) return [plain(compactJson(data))];
  const format = String(data.format ?? '').toLowerCase();
  const value = data.value;
  switch (format) {
    case 'string':
      return typeof value === 'string' ? describeString(value) : [plain(compactJson(value))];
    case 'admin':
      return describeAdmin(value);
    case 'vlist':
      return describeVlist(value);
    case 'key':
      return describeKey(value);
    case 'site':
      return describeSite(value);
    case 'base64':
    case 'hex':
      return [[{ text: `${format}: `, muted: true }, { text: String(value) }]];
    default:
      return type.toUpperCase() === 'HS_ADMIN' ? describeAdmin(value) : [plain(compactJson(value))];
  }
}

function describeValue(handleValue: HandleValue): Line[] {
  const lines = describeData(String(handleValue.type), handleValue.data);
  // Non-default per-value permissions are how HS_SECKEY hides a password from anonymous readers;
  // worth showing, since it explains why some values are missing from a public GET.
  if (typeof handleValue.permissions === 'string' && /^[01]{1,4}$/.test(handleValue.permissions)) {
    const padded = handleValue.permissions.padStart(4, '0');
    const granted = VALUE_PERMISSION_NAMES.filter((_, i) => padded[i] === '1');
    lines.push([{ text: `access ${handleValue.permissions}: ${granted.length ? granted.join(', ') : 'nobody'}`, muted: true }]);
  }
  if (Array.isArray(handleValue.references) && handleValue.references.length > 0) {
    const refs = handleValue.references.map((r) => `${String(r.index)}:${String(r.handle)}`);
    lines.push([{ text: `references: ${refs.join(', ')}`, muted: true }]);
  }
  return lines;
}

function describeTtl(ttl: number | string | undefined): string {
  if (ttl === undefined || ttl === null || ttl === '') return '—';
  // A string TTL is an absolute expiry time, a number is seconds relative to the time of resolution.
  if (typeof ttl === 'string' && !/^\d+$/.test(ttl)) return `until ${ttl}`;
  const seconds = Number(ttl);
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['min', 60]] as const) {
    if (seconds >= size && seconds % size === 0) return `${seconds} s (${seconds / size} ${unit})`;
  }
  return `${seconds} s`;
}

// ---------------------------------------------------------------------------------------------------
// Whole records
// ---------------------------------------------------------------------------------------------------

/**
 * Where the links of a record view point, and which value types to mark.
 *
 * @example
 * const options: RecordViewOptions = {
 *   resolverBaseUrl: 'http://localhost:8000',
 *   apiBaseUrl: 'http://localhost:8000',
 *   highlight: ['URL', 'CHECKSUM'],
 * };
 */
export interface RecordViewOptions {
  /** Resolver the "resolve" and "record page" links use; default `https://hdl.handle.net`. */
  resolverBaseUrl?: string;
  /** Handle server whose `/api/handles/<handle>` the "JSON" link uses; default: the resolver. */
  apiBaseUrl?: string;
  /** Value types to mark, e.g. the ones a task just added (compared case-insensitively). */
  highlight?: string[];
}

const DEFAULT_RESOLVER = 'https://hdl.handle.net';

interface RecordLinks {
  resolve: string;
  recordPage: string;
  json: string;
}

function recordLinks(handle: string, options: RecordViewOptions): RecordLinks {
  const resolver = (options.resolverBaseUrl ?? DEFAULT_RESOLVER).replace(/\/+$/, '');
  const api = (options.apiBaseUrl ?? resolver).replace(/\/+$/, '');
  // Keep the prefix/suffix slash but encode the rest: suffixes may hold `?`, `#` or spaces.
  const path = handle.split('/').map(encodeURIComponent).join('/');
  return {
    resolve: `${resolver}/${path}`,
    recordPage: `${resolver}/${path}?noredirect`,
    json: `${api}/api/handles/${path}`,
  };
}

const NO_RECORD = 'No handle record to show: the handle does not exist (the client returned null for it).';

function checkedRecord(record: HandleRecordJson, caller: string): { handle: string; values: HandleValue[] } {
  if (record !== null && typeof record === 'object' && typeof (record as { then?: unknown }).then === 'function') {
    throw new TypeError(`${caller} got a Promise, not a record: put \`await\` before the call that fetched the record.`);
  }
  if (!isObject(record) || typeof record.handle !== 'string') {
    throw new TypeError(`${caller} needs a handle record like {"responseCode":1,"handle":"…","values":[…]}, got ${abbreviate(compactJson(record), 40)}`);
  }
  // Malformed entries are skipped rather than fatal: the table is often used to debug such records.
  const values = Array.isArray(record.values) ? record.values.filter(isObject) : [];
  return { handle: record.handle, values: values as unknown as HandleValue[] };
}

function isHighlighted(type: unknown, options: RecordViewOptions): boolean {
  const wanted = String(type).toLowerCase();
  return (options.highlight ?? []).some((t) => String(t).toLowerCase() === wanted);
}

// Jupyter's notebook CSS right-aligns table cells and may drop <style> elements, so every element
// carries its own inline style.
const CELL = 'border:1px solid #d0d7de;padding:3px 8px;text-align:left;vertical-align:top';
const HEAD = `${CELL};background:#f6f8fa;font-weight:600`;
const VALUE_CELL = `${CELL};font-family:monospace;white-space:pre-wrap;overflow-wrap:anywhere;word-break:break-word;max-width:60ch`;
const HIGHLIGHT_ROW = 'background:#fff3bf;box-shadow:inset 4px 0 0 #f08c00';
const MUTED = 'color:#6a737d';

function linesToHtml(lines: Line[]): string {
  return lines
    .map((line) =>
      line
        .map((piece) => {
          const html = piece.href !== undefined ? linkTo(piece.href, piece.text) : escapeHtml(piece.text);
          return piece.muted ? `<span style="${MUTED}">${html}</span>` : html;
        })
        .join(''),
    )
    .join('<br>');
}

/**
 * A handle record as an HTML table (index, type, value, TTL, timestamp) whose caption holds the
 * handle and links to resolve it, to see its record page and to read its JSON. Every string from
 * the record is escaped; only http(s) URLs become links. HS_ADMIN values list the permissions
 * their bit string grants. `null` (an unknown handle) gives a one-line note instead of a table.
 *
 * @example
 * import * as tslab from 'tslab';
 * const record = await client.retrieveHandleRecordJson(pid);
 * tslab.display.html(recordTable(record, { resolverBaseUrl: 'http://localhost:8000', highlight: ['CHECKSUM'] }));
 */
export function recordTable(record: HandleRecordJson | null, options: RecordViewOptions = {}): string {
  // `retrieveHandleRecordJson` answers null for an unknown handle; that is a result, not a bug.
  if (record === null) return `<div style="font-family:sans-serif;font-size:13px;${MUTED}">${escapeHtml(NO_RECORD)}</div>`;
  const { handle, values } = checkedRecord(record, 'recordTable');
  const links = recordLinks(handle, options);
  const responseCode = (record as { responseCode?: unknown }).responseCode;
  const caption =
    `<caption style="caption-side:top;text-align:left;padding:4px 0">` +
    `<strong style="font-family:monospace">${escapeHtml(handle)}</strong>` +
    (responseCode !== undefined && responseCode !== 1 ? ` <span style="${MUTED}">responseCode ${escapeHtml(responseCode)}</span>` : '') +
    ` &nbsp;${linkTo(links.resolve, 'resolve')} · ${linkTo(links.recordPage, 'record page')} · ${linkTo(links.json, 'JSON')}` +
    `</caption>`;
  const head = `<tr>${['index', 'type', 'value', 'TTL', 'timestamp'].map((h) => `<th style="${HEAD}">${h}</th>`).join('')}</tr>`;
  const rows = values.map((v) => {
    const style = isHighlighted(v.type, options) ? ` style="${HIGHLIGHT_ROW}"` : '';
    return (
      `<tr${style}>` +
      `<td style="${CELL};text-align:right">${escapeHtml(v.index)}</td>` +
      `<td style="${CELL};font-family:monospace">${escapeHtml(v.type)}</td>` +
      `<td style="${VALUE_CELL}">${linesToHtml(describeValue(v))}</td>` +
      `<td style="${CELL};white-space:nowrap">${escapeHtml(describeTtl(v.ttl))}</td>` +
      `<td style="${CELL};white-space:nowrap">${escapeHtml(v.timestamp ?? '—')}</td>` +
      `</tr>`
    );
  });
  if (rows.length === 0) rows.push(`<tr><td colspan="5" style="${CELL};${MUTED}">(no values)</td></tr>`);
  return (
    `<table style="border-collapse:collapse;font-family:sans-serif;font-size:13px;margin:4px 0">` +
    `${caption}<thead>${head}</thead><tbody>${rows.join('')}</tbody></table>`
  );
}

// Terminals interpret escape sequences, so control characters from a record are shown, not sent.
function printable(text: string): string {
  return text
    .replace(/\r\n/g, '\n')
    .replace(/\t/g, ' ')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  for (const paragraph of text.split('\n')) {
    let rest = paragraph;
    while ([...rest].length > width) {
      const chars = [...rest];
      const window = chars.slice(0, width + 1).join('');
      const space = window.lastIndexOf(' ');
      // Break at a space when there is one; URLs and base64 have none, so they are cut hard.
      const cut = space > width / 3 ? space : width;
      out.push(chars.slice(0, cut).join('').trimEnd());
      rest = chars.slice(cut).join('').trimStart();
    }
    out.push(rest);
  }
  return out;
}

function pad(text: string, width: number, right = false): string {
  const gap = ' '.repeat(Math.max(0, width - [...text].length));
  return right ? gap + text : text + gap;
}

const VALUE_WIDTH = 60;

/**
 * The same view as {@link recordTable} as a plain-text table, for terminals, `console.log` and
 * plain Node scripts. Highlighted rows start with `>`.
 *
 * @example
 * console.log(recordText(record));
 * // Handle 21.T12995/0a1b…
 * //   resolve:     https://hdl.handle.net/21.T12995/0a1b…
 * //   …
 * //   index  type      value                     TTL              timestamp
 * //       1  URL       https://example.org/x     86400 s (1 d)    2024-05-02T10:11:12Z
 */
export function recordText(record: HandleRecordJson | null, options: RecordViewOptions = {}): string {
  if (record === null) return NO_RECORD;
  const { handle, values } = checkedRecord(record, 'recordText');
  const links = recordLinks(handle, options);
  const responseCode = (record as { responseCode?: unknown }).responseCode;
  const header = [
    `Handle ${printable(handle)}${responseCode !== undefined && responseCode !== 1 ? ` (responseCode ${printable(String(responseCode))})` : ''}`,
    `  resolve:     ${links.resolve}`,
    `  record page: ${links.recordPage}`,
    `  JSON:        ${links.json}`,
    '',
  ];
  const rows = values.map((v) => ({
    mark: isHighlighted(v.type, options) ? '>' : ' ',
    index: printable(String(v.index)),
    type: printable(String(v.type)),
    value: wrap(
      describeValue(v)
        .map((line) => line.map((p) => printable(p.text)).join(''))
        .join('\n'),
      VALUE_WIDTH,
    ),
    ttl: printable(describeTtl(v.ttl)),
    timestamp: printable(v.timestamp ?? '—'),
  }));
  const titles = { index: 'index', type: 'type', value: 'value', ttl: 'TTL', timestamp: 'timestamp' };
  const width = (pick: (r: (typeof rows)[number]) => string[], title: string) =>
    Math.max([...title].length, ...rows.flatMap((r) => pick(r).map((s) => [...s].length)));
  const w = {
    index: width((r) => [r.index], titles.index),
    type: width((r) => [r.type], titles.type),
    value: width((r) => r.value, titles.value),
    ttl: width((r) => [r.ttl], titles.ttl),
    timestamp: width((r) => [r.timestamp], titles.timestamp),
  };
  const line = (mark: string, index: string, type: string, value: string, ttl: string, timestamp: string) =>
    `${mark} ${pad(index, w.index, true)}  ${pad(type, w.type)}  ${pad(value, w.value)}  ${pad(ttl, w.ttl)}  ${timestamp}`.trimEnd();
  const body = [
    line(' ', titles.index, titles.type, titles.value, titles.ttl, titles.timestamp),
    line(' ', '-'.repeat(w.index), '-'.repeat(w.type), '-'.repeat(w.value), '-'.repeat(w.ttl), '-'.repeat(w.timestamp)),
  ];
  for (const r of rows) {
    r.value.forEach((valueLine, i) =>
      body.push(i === 0 ? line(r.mark, r.index, r.type, valueLine, r.ttl, r.timestamp) : line(r.mark, '', '', valueLine, '', '')),
    );
  }
  if (rows.length === 0) body.push('  (no values)');
  return [...header, ...body].join('\n');
}

// ---------------------------------------------------------------------------------------------------
// Output: one sink for everything the helpers show
// ---------------------------------------------------------------------------------------------------

/**
 * Receives everything the helpers show, in both forms; set one with {@link setDisplay}.
 *
 * @example
 * const shown: string[] = [];
 * const sink: DisplaySink = ({ text }) => shown.push(text);
 * setDisplay(sink);
 */
export type DisplaySink = (output: { html: string; text: string }) => void;

/**
 * The part of tslab's `display` object the helpers use.
 *
 * @example
 * import * as tslab from 'tslab';
 * const display: TslabLikeDisplay = tslab.display;
 */
export interface TslabLikeDisplay {
  html(html: string): void;
}

let chosenSink: DisplaySink | null = null;
let kernelDisplay: TslabLikeDisplay | undefined;

/**
 * Sends all output of the helpers somewhere else: a function receiving `{ html, text }`
 * (tests), tslab's `display` object, or `null` to go back to the default (tslab's display inside
 * a tslab kernel, `console.log` of the text form everywhere else). Returns the previous sink.
 *
 * @example
 * import * as tslab from 'tslab';
 * setDisplay(tslab.display);            // explicit, in the first cell of a notebook
 * const outputs: string[] = [];
 * setDisplay(({ html }) => outputs.push(html)); // in a test
 * setDisplay(null);                     // back to the default
 */
export function setDisplay(sink: DisplaySink | TslabLikeDisplay | null | undefined): DisplaySink | null {
  const previous = chosenSink;
  if (typeof sink === 'function') chosenSink = sink;
  else if (sink && typeof sink.html === 'function') chosenSink = ({ html }) => sink.html(html);
  else chosenSink = null;
  return previous;
}

function isDisplay(candidate: unknown): candidate is TslabLikeDisplay {
  return isObject(candidate) && typeof candidate.html === 'function';
}

/**
 * tslab's display object when this code runs inside a tslab kernel, else undefined.
 *
 * A plain `require('tslab')` from here would not do: it resolves from this package's folder, not
 * the kernel's (tslab is usually installed globally), and a second copy of tslab is "not ready"
 * because only the kernel's copy is wired to Jupyter. So the kernel's own copy is taken from
 * Node's module cache, where the kernel loaded it.
 */
function findKernelDisplay(): TslabLikeDisplay | undefined {
  if (kernelDisplay) return kernelDisplay;
  if (typeof require !== 'function' || !require.cache) return undefined;
  const loaded = Object.keys(require.cache);
  const publicModule = loaded.find((file) => /[\\/]tslab[\\/]dist[\\/]public\.js$/.test(file));
  const jupyterModule = loaded.find((file) => /[\\/]tslab[\\/]dist[\\/]jupyter\.js$/.test(file));
  try {
    // The kernel loads dist/jupyter.js at start but dist/public.js (tslab's `display`) only when a
    // cell first imports "tslab"; requiring it by absolute path reuses the kernel's jupyter.js.
    const exported: unknown = publicModule
      ? require.cache[publicModule]?.exports
      : jupyterModule
        ? require(join(dirname(jupyterModule), 'public.js'))
        : undefined;
    const display = isObject(exported) ? exported.display : undefined;
    if (isDisplay(display)) kernelDisplay = display;
  } catch {
    kernelDisplay = undefined;
  }
  return kernelDisplay;
}

function emit(html: string, text: string): void {
  try {
    if (chosenSink) return chosenSink({ html, text });
    const display = findKernelDisplay();
    if (display) return display.html(html);
  } catch {
    // A broken sink must not turn a check into an exception; the text still reaches the learner.
  }
  console.log(text);
}

/**
 * Shows a handle record: as the HTML table of {@link recordTable} inside Jupyter (tslab), as the
 * text table of {@link recordText} anywhere else.
 *
 * @example
 * const record = await client.retrieveHandleRecordJson(pid);
 * showRecord(record, { resolverBaseUrl: credentials.serverUrl, highlight: ['URL'] });
 */
export function showRecord(record: HandleRecordJson | null, options: RecordViewOptions = {}): void {
  emit(recordTable(record, options), recordText(record, options));
}

// ---------------------------------------------------------------------------------------------------
// Exercises (Kaggle Learn style: check / hint / solution)
// ---------------------------------------------------------------------------------------------------

/**
 * What a check found: nothing filled in yet, a wrong answer, an answer that raised an error, or a
 * correct answer.
 *
 * @example
 * const outcome: CheckOutcome = await task31.check(pid); // 'correct'
 */
export type CheckOutcome = 'unattempted' | 'wrong' | 'error' | 'correct';

/**
 * How an exercise is checked and helped with.
 *
 * @example
 * const spec: ExerciseSpec<string> = {
 *   id: '3.1',
 *   title: 'Build a PID from the prefix and a UUID',
 *   check: (pid) => pid.startsWith(`${prefix}/`) || `A PID starts with your prefix and a slash: \`${prefix}/\``,
 *   hint: ['Join the prefix and the suffix with "/".', 'Use `randomUUID()` from node:crypto for the suffix.'],
 *   solution: 'const pid = `${prefix}/${randomUUID()}`;',
 * };
 */
export interface ExerciseSpec<T> {
  /** Short label shown in every box, e.g. `"3.1"` or `"Task 2.1a"`. */
  id: string;
  title: string;
  /** `true` when right, else a message saying what is wrong; may be async; may throw. */
  check: (answer: T) => true | string | Promise<true | string>;
  /** One hint, or several from gentle to explicit. Text in `backticks` is shown as code. */
  hint: string | string[];
  /** Code shown by `solution()`. */
  solution: string;
  /** Recognises a placeholder answer; by default undefined, null, '' and '____' count as not attempted. */
  unattempted?: (answer: T) => boolean;
}

/**
 * An exercise in a notebook: check the learner's answer, give hints, show the solution.
 *
 * @example
 * await task31.check(pid);  // shows a coloured verdict, resolves to 'correct' etc.
 * task31.hint();            // first hint
 * task31.hint(2);           // second hint
 * task31.solution();
 */
export interface Exercise<T> {
  readonly id: string;
  readonly title: string;
  /** Shows a verdict; an answer that is a Promise is awaited first. Never throws or rejects. */
  check(answer: T | PromiseLike<T>): Promise<CheckOutcome>;
  /** Shows hint `n` (1-based, default 1; the last hint when `n` is larger than their number). */
  hint(n?: number): void;
  solution(): void;
}

interface BoxStyle {
  label: string;
  border: string;
  background: string;
  symbol: string;
}

const BOXES: Record<CheckOutcome | 'hint' | 'solution', BoxStyle> = {
  unattempted: { label: 'Not attempted yet', border: '#4c6ef5', background: '#edf2ff', symbol: '…' },
  wrong: { label: 'Not quite', border: '#e8590c', background: '#fff4e6', symbol: '✗' },
  error: { label: 'Your code raised an error', border: '#c92a2a', background: '#fff5f5', symbol: '!' },
  correct: { label: 'Correct', border: '#2b8a3e', background: '#ebfbee', symbol: '✓' },
  hint: { label: 'Hint', border: '#7048e8', background: '#f3f0ff', symbol: '?' },
  solution: { label: 'Solution', border: '#495057', background: '#f8f9fa', symbol: '=' },
};

const UNATTEMPTED_MESSAGE =
  'Replace the placeholder (`undefined`, `""` or `____`) with your answer, run that cell, then run this check again.';
const GENERIC_WRONG_MESSAGE = 'That is not the expected answer yet. Try again, or ask for a hint with `hint()`.';

/** Escapes, then shows `backtick` spans as code: authors write hints in a markdown-ish way. */
function richText(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

function box(kind: keyof typeof BOXES, heading: string, bodyHtml: string): string {
  const style = BOXES[kind];
  return (
    `<div data-outcome="${kind}" style="border-left:6px solid ${style.border};background:${style.background};` +
    `padding:8px 12px;margin:6px 0;border-radius:4px;font-family:sans-serif;font-size:14px;color:#212529">` +
    `<div style="font-weight:600;color:${style.border}">${escapeHtml(style.label)}` +
    `<span style="font-weight:400;${MUTED}"> · ${heading}</span></div>` +
    (bodyHtml ? `<div style="margin-top:4px">${bodyHtml}</div>` : '') +
    `</div>`
  );
}

function textBox(kind: keyof typeof BOXES, heading: string, body: string): string {
  const style = BOXES[kind];
  const first = `${style.symbol} ${style.label} — ${printable(heading)}`;
  return body ? `${first}\n${printable(body).split(/\r?\n/).map((l) => `  ${l}`).join('\n')}` : first;
}

function defaultUnattempted(answer: unknown): boolean {
  return answer === undefined || answer === null || (typeof answer === 'string' && /^[\s_]*$/.test(answer));
}

/** What a thrown value says, without its stack: a trainee needs the message and the fix. */
function describeError(error: unknown): { message: string; hint?: string; detail?: string } {
  if (!isObject(error)) return { message: printable(String(error)) };
  const rawMessage = typeof error.message === 'string' ? error.message : compactJson(error);
  const name = typeof error.name === 'string' && error.name !== 'Error' ? `${error.name}: ` : '';
  const hint = typeof error.hint === 'string' && error.hint.trim() ? error.hint : undefined;
  const facts: string[] = [];
  if (typeof error.httpStatus === 'number') facts.push(`HTTP status ${error.httpStatus}`);
  if (typeof error.responseCode === 'number') facts.push(`Handle responseCode ${error.responseCode}`);
  if (typeof error.handle === 'string') facts.push(`handle ${error.handle}`);
  return {
    message: `${name}${rawMessage}`,
    ...(hint !== undefined ? { hint } : {}),
    ...(facts.length ? { detail: facts.join(' · ') } : {}),
  };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * Makes an exercise in the style of Kaggle Learn: `check(answer)` tells apart an unattempted,
 * wrong, erroring and correct answer and shows a coloured verdict; `hint(n)` and `solution()`
 * help a learner who is stuck. All output goes through {@link setDisplay}'s sink.
 *
 * @example
 * export const task31 = exercise<string>({
 *   id: '3.1',
 *   title: 'Build a PID from the prefix and a UUID',
 *   check: (pid) =>
 *     /^[^/]+\/[0-9a-f-]{36}$/.test(pid) || 'Expected `<prefix>/<uuid>`, e.g. `21.T12995/0a1b…`',
 *   hint: ['A PID is prefix + "/" + suffix.', 'Use `randomUUID()` for the suffix.'],
 *   solution: 'const pid = `${credentials.prefix}/${randomUUID()}`;',
 * });
 * // in the learner's notebook:
 * await task31.check(pid);
 */
export function exercise<T>(spec: ExerciseSpec<T>): Exercise<T> {
  const heading = `${spec.id} ${spec.title}`;
  const headingHtml = `<strong>${escapeHtml(spec.id)}</strong> ${escapeHtml(spec.title)}`;
  const hints = (Array.isArray(spec.hint) ? spec.hint : [spec.hint]).filter((h) => typeof h === 'string' && h.trim() !== '');

  function show(kind: keyof typeof BOXES, bodyText: string, bodyHtml: string): void {
    emit(box(kind, headingHtml, bodyHtml), textBox(kind, heading, bodyText));
  }

  async function judge(answer: T | PromiseLike<T>): Promise<CheckOutcome> {
    let settled: T;
    try {
      // `check(client.getValueFromHandle(…))` without await is the commonest slip; a rejected call
      // is then an error with its hint rather than an uncaught exception in the cell.
      settled = isThenable(answer) ? await answer : answer;
      if (spec.unattempted ? spec.unattempted(settled) : defaultUnattempted(settled)) {
        show('unattempted', UNATTEMPTED_MESSAGE, richText(UNATTEMPTED_MESSAGE));
        return 'unattempted';
      }
      const verdict = await spec.check(settled);
      if (verdict === true) {
        show('correct', '', '');
        return 'correct';
      }
      const message = typeof verdict === 'string' && verdict.trim() ? verdict : GENERIC_WRONG_MESSAGE;
      show('wrong', message, richText(message));
      return 'wrong';
    } catch (error) {
      const { message, hint, detail } = describeError(error);
      const text = [message, detail, hint !== undefined ? `Hint: ${hint}` : undefined].filter(Boolean).join('\n');
      const html =
        `<div style="font-family:monospace;white-space:pre-wrap;overflow-wrap:anywhere">${escapeHtml(message)}</div>` +
        (detail ? `<div style="${MUTED};font-size:12px">${escapeHtml(detail)}</div>` : '') +
        (hint !== undefined ? `<div style="margin-top:4px"><strong>Hint:</strong> ${richText(hint)}</div>` : '');
      show('error', text, html);
      return 'error';
    }
  }

  return {
    id: spec.id,
    title: spec.title,
    async check(answer: T | PromiseLike<T>): Promise<CheckOutcome> {
      try {
        return await judge(answer);
      } catch {
        // Only reachable if showing the verdict itself failed; a check must never break a cell.
        return 'error';
      }
    },
    hint(n = 1): void {
      if (hints.length === 0) {
        show('hint', 'There is no hint for this exercise.', 'There is no hint for this exercise.');
        return;
      }
      const wanted = Number.isFinite(n) ? Math.max(1, Math.floor(n)) : 1;
      const number = Math.min(wanted, hints.length);
      const hint = hints[number - 1] ?? '';
      const more = number < hints.length ? `More help: \`hint(${number + 1})\`` : '';
      const label = hints.length > 1 ? `Hint ${number} of ${hints.length}: ` : '';
      show(
        'hint',
        [`${label}${hint}`, more].filter(Boolean).join('\n'),
        `${escapeHtml(label)}${richText(hint)}` + (more ? `<div style="${MUTED};font-size:12px">${richText(more)}</div>` : ''),
      );
    },
    solution(): void {
      show(
        'solution',
        spec.solution,
        `<pre style="margin:0;padding:6px 8px;background:#fff;border:1px solid #dee2e6;border-radius:3px;overflow-x:auto">` +
          `<code>${escapeHtml(spec.solution)}</code></pre>`,
      );
    },
  };
}
