// Fastify plugin for the browser resolver, GET /{handle}: the mock's stand-in for hdl.handle.net / doi.org (protocol reference §7).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { HandleValueJson } from '../vocabulary/model.js';
import { DEFAULT_TTL } from '../vocabulary/model.js';
import { chooseRedirect, encodeIriToUri, listLocations } from '../handle/loc-selection.js';
import { isDoi, type DoiAnswer } from '../citations/doi-content.js';
import {
  encodeUrlPath,
  handlePath,
  renderHandleValuesPage,
  renderHomePage,
  renderLocationsXml,
  renderNotFoundPage,
  renderPrefixNotFoundPage,
  renderRedirectPage,
  renderValuesNotFoundPage,
} from '../views/resolver-pages.js';

export type RecordLookup = (handle: string) =>
  | { status: 'found'; handle: string; values: HandleValueJson[] } // public values only, sorted by index
  | { status: 'not-found' }
  | { status: 'prefix-not-homed'; prefix: string };

export interface ResolverOptions {
  lookup: RecordLookup;
  /** Scheme, host and port learners use to reach this server, e.g. `http://127.0.0.1:8000`. */
  baseUrl: (request: FastifyRequest) => string;
  /**
   * Content negotiation for DOIs (citations/doi-content.ts): what a DOI answers for the request's Accept
   * header, given the URL its record holds. Absent, a DOI redirects like any handle, whatever Accept says.
   */
  doiContent?: ((doi: string, accept: string | undefined, landingUrl: string | undefined) => DoiAnswer) | undefined;
}

const HTML = 'text/html;charset=utf-8';
// HandleValue.MAX_RECOGNIZED_TTL: the proxy never lets a cache keep a redirect longer than two days.
const MAX_EXPIRES_MS = 2 * 86400 * 1000;
/**
 * The real proxy redirects to whatever a URL value holds (`irods://…`, a relative path, `mailto:`):
 * only the schemes that make a browser run the target as script on this origin are refused. Browsers
 * drop tabs and newlines anywhere in a URL and leading spaces and control characters before reading
 * its scheme, so `java\tscript:` and ` JavaScript:` count as script too.
 */
const SCRIPT_BEARING = /^(javascript|data|vbscript):/i;

function runsAsScript(target: string): boolean {
  return SCRIPT_BEARING.test(target.replace(/[\t\n\r]/g, '').replace(/^[\u0000-\u0020]+/, ''));
}

/** Query parameters in order, each possibly repeated; a bare `?noredirect` has the value "". */
type ProxyQuery = Map<string, string[]>;

function decodeComponent(text: string, plusIsSpace: boolean): string {
  const spaced = plusIsSpace ? text.replace(/\+/g, ' ') : text;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

/**
 * Reads the query string the way HDLProxy does rather than with Fastify's parser: "+" stays a plus (it is
 * common in `urlappend` and `locatt` values) and ";" separates parameters as well as "&". Only our own
 * home-page form needs `plusIsSpace`, because browsers submit a space typed into it as "+".
 */
function parseProxyQuery(rawUrl: string, plusIsSpace = false): ProxyQuery {
  const query: ProxyQuery = new Map();
  const questionMark = rawUrl.indexOf('?');
  if (questionMark < 0) return query;
  for (const part of rawUrl.slice(questionMark + 1).split(/[&;]/)) {
    if (part === '') continue;
    const equals = part.indexOf('=');
    const name = decodeComponent(equals < 0 ? part : part.slice(0, equals), plusIsSpace);
    const value = equals < 0 ? '' : decodeComponent(part.slice(equals + 1), plusIsSpace);
    query.set(name, [...(query.get(name) ?? []), value]);
  }
  return query;
}

function firstParam(query: ProxyQuery, name: string): string | undefined {
  return query.get(name)?.[0];
}

/** Strips the URI forms people paste (`hdl:`, `doi:`, `info:hdl/`, `urn:hdl:` ...) as HDLServletRequest.normalizeHandle does. */
export function normalizeHandle(path: string): string {
  let handle = path;
  while (handle.startsWith('/')) handle = handle.slice(1).trim();
  const lower = handle.toLowerCase();
  if (lower.startsWith('info:doi/') || lower.startsWith('info:hdl/')) return handle.slice(9);
  if (lower.startsWith('hdl:') || lower.startsWith('doi:')) return handle.slice(4);
  if (lower.startsWith('urn:hdl:') || lower.startsWith('urn:doi:')) {
    handle = handle.slice(8);
    // In a handle URN the first colon stands for the prefix/suffix slash (urn:hdl:21.T12995:X).
    const colon = handle.indexOf(':');
    const slash = handle.indexOf('/');
    if (colon >= 0 && (slash < 0 || slash > colon)) handle = `${handle.slice(0, colon)}/${handle.slice(colon + 1)}`;
  }
  return handle;
}

/** The values `?index=` / `?type=` ask for: any match counts, and a type ending in "." also matches its sub-types. */
function narrowValues(values: HandleValueJson[], query: ProxyQuery): { values: HandleValueJson[]; narrowed: boolean } {
  const types = (query.get('type') ?? []).map((type) => type.toLowerCase());
  let indexes = (query.get('index') ?? []).map((index) => Number(index));
  // The proxy ignores the whole index list when one entry is not a number, rather than failing.
  if (indexes.some((index) => !Number.isInteger(index))) indexes = [];
  if (types.length === 0 && indexes.length === 0) return { values, narrowed: false };
  const typeMatches = (valueType: string): boolean => {
    const type = valueType.toLowerCase();
    return types.some((wanted) => (wanted.endsWith('.') ? type.startsWith(wanted) || type === wanted.slice(0, -1) : type === wanted));
  };
  return { values: values.filter((value) => indexes.includes(value.index) || typeMatches(value.type)), narrowed: true };
}

function expiryOf(value: HandleValueJson, now: number): number {
  let expiry: number;
  if (typeof value.ttl === 'number') {
    expiry = now + value.ttl * 1000;
  } else if (/^\s*-?\d+\s*$/.test(value.ttl)) {
    expiry = now + Number(value.ttl) * 1000;
  } else {
    // A string TTL is an absolute expiry date (protocol reference §2.2).
    const absolute = Date.parse(value.ttl);
    expiry = Number.isNaN(absolute) ? now + DEFAULT_TTL * 1000 : absolute;
  }
  return Math.min(expiry, now + MAX_EXPIRES_MS);
}

function sendHtml(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).type(HTML).send(body);
}

/** An HTTP date has whole seconds, and a busy resolver answers many redirects in each. */
let lastHttpDate = { second: NaN, text: '' };

function httpDate(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== lastHttpDate.second) lastHttpDate = { second, text: new Date(second * 1000).toUTCString() };
  return lastHttpDate.text;
}

/**
 * The Location header and page of a redirect, by the record's public values (see valuesPages) and the
 * target URL: which target is chosen stays a per-request decision (10320/LOC may choose at random).
 */
const redirects = new WeakMap<HandleValueJson[], Map<string, { location: string; page: string }>>();
const TARGETS_PER_RECORD = 16;

function redirectTo(values: HandleValueJson[], target: string): { location: string; page: string } {
  let byTarget = redirects.get(values);
  if (!byTarget) {
    byTarget = new Map();
    redirects.set(values, byTarget);
  }
  let redirect = byTarget.get(target);
  if (redirect === undefined) {
    redirect = { location: encodeIriToUri(target), page: renderRedirectPage(target) };
    if (byTarget.size >= TARGETS_PER_RECORD) byTarget.clear();
    byTarget.set(target, redirect);
  }
  return redirect;
}

/**
 * Values pages by the record's public values (the same array until the record changes, see
 * HandleService.publicRecord), then by the handle as typed and the host asked for: a class resolving the
 * same few records renders each page once. A few spellings per record are kept, not every one ever seen.
 */
const valuesPages = new WeakMap<HandleValueJson[], Map<string, string>>();
const SPELLINGS_PER_RECORD = 16;

function sendValuesPage(reply: FastifyReply, handle: string, values: HandleValueJson[], baseUrl: string): FastifyReply {
  let pages = valuesPages.get(values);
  if (!pages) {
    pages = new Map();
    valuesPages.set(values, pages);
  }
  const key = `${handle}\n${baseUrl}`;
  let page = pages.get(key);
  if (page === undefined) {
    page = renderHandleValuesPage({ handle, values, baseUrl });
    if (pages.size >= SPELLINGS_PER_RECORD) pages.clear();
    pages.set(key, page);
  }
  return sendHtml(reply, 200, page);
}

/**
 * Registers `GET /` (the form) and `GET /*` (resolution) with their HEAD twins. Static and longer routes
 * such as `/api/*` still win in find-my-way, so the REST API and admin routes are not shadowed.
 *
 * @example app.register(resolverRoutes, { lookup: (h) => store.lookupPublic(h), baseUrl: () => 'http://127.0.0.1:8000' })
 */
export default async function resolverRoutes(app: FastifyInstance, opts: ResolverOptions): Promise<void> {
  const { lookup, baseUrl, doiContent } = opts;

  app.route({
    method: ['GET', 'HEAD'],
    url: '/',
    exposeHeadRoute: false,
    handler: async (request, reply) => {
      const query = parseProxyQuery(request.url, true);
      const handle = firstParam(query, 'hdl')?.trim() ?? '';
      if (handle === '') return sendHtml(reply, 200, renderHomePage());
      // The form's checkboxes submit as `noredirect=`; carry the ticked ones over to the handle URL.
      const flags = ['noredirect', 'auth', 'ignore_aliases'].filter((flag) => query.has(flag));
      const location = `${handlePath(handle)}${flags.length > 0 ? `?${flags.join('&')}` : ''}`;
      return reply.code(302).header('location', location).type(HTML).send(renderRedirectPage(location));
    },
  });

  app.route({
    method: ['GET', 'HEAD'],
    url: '/*',
    exposeHeadRoute: false,
    handler: async (request, reply) => {
      const query = parseProxyQuery(request.url);
      // find-my-way has already percent-decoded the wildcard ("%2F" → "/"), leaving "+" alone.
      const path = (request.params as { '*'?: string })['*'] ?? '';
      const handle = normalizeHandle(path);
      if (handle === '') return sendHtml(reply, 200, renderHomePage());

      const found = lookup(handle);
      if (found.status === 'not-found') return sendHtml(reply, 404, renderNotFoundPage(handle));
      if (found.status === 'prefix-not-homed') return sendHtml(reply, 404, renderPrefixNotFoundPage(found.prefix, handle));

      // Only the values pages need this server's address.
      const base = () => baseUrl(request).replace(/\/+$/, '');
      // Pages show the handle as requested, like the real proxy, not the stored spelling.
      const { values, narrowed } = narrowValues(found.values, query);
      if (narrowed && values.length === 0) {
        return sendHtml(reply, 200, renderValuesNotFoundPage(handle, `${base()}/${encodeUrlPath(handle)}`));
      }

      const action = (firstParam(query, 'action') ?? (query.has('noredirect') ? 'showvalues' : 'redirect')).toLowerCase();
      if (action === 'showvalues') return sendValuesPage(reply, handle, values, base());
      if (action === 'redirect' && doiContent !== undefined && isDoi(handle)) {
        // The same DOI answers a browser and a citation manager differently, so caches must key on Accept.
        reply.header('vary', 'Accept');
        const landingUrl = found.values.find((value) => value.type === 'URL')?.data.value;
        const answer = doiContent(handle, request.headers.accept, typeof landingUrl === 'string' ? landingUrl : undefined);
        if (answer.kind === 'representation') return reply.code(200).type(answer.contentType).send(answer.body);
        if (answer.kind === 'not-acceptable') return reply.code(406).type('text/plain; charset=utf-8').send(answer.body);
      }
      if (action === 'showurls') {
        const locations = listLocations(values);
        if (locations.length === 0) return sendValuesPage(reply, handle, values, base());
        return reply.code(200).type('text/xml;charset=utf-8').send(renderLocationsXml(locations));
      }

      // Accept matters only among 10320/LOC locations (their ctype attribute); plain URL records redirect the
      // same whatever Accept says (set 1, transcript 102).
      const choice = chooseRedirect(values, { locatt: query.get('locatt'), accept: request.headers.accept });
      if (choice === undefined) return sendValuesPage(reply, handle, values, base());

      const target = `${choice.url}${firstParam(query, 'urlappend') ?? ''}`.trim();
      // A `javascript:`, `data:` or `vbscript:` Location would run a record writer's script on this origin:
      // such a record is shown as its values page instead, where the URL stays unclickable text.
      if (runsAsScript(target)) return sendValuesPage(reply, handle, values, base());
      // HTTP/1.0 has no 303/307/308, so such clients get the 302 they understand.
      const status = request.raw.httpVersion === '1.0' && choice.status !== 301 ? 302 : choice.status;
      const now = Date.now();
      const expires = Math.min(...choice.ttlSources.map((value) => expiryOf(value, now)));
      const redirect = redirectTo(values, target);
      reply.code(status).header('location', redirect.location);
      if (Number.isFinite(expires)) reply.header('expires', httpDate(expires));
      if (choice.varyAccept) reply.header('vary', 'Accept');
      return reply.type(HTML).send(redirect.page);
    },
  });
}
