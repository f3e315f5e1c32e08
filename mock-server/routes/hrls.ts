// The EUDAT reverse look-up service (HRLS) at /hrls: search handles by value with `*` wildcards,
// behind its own Basic-auth realm, answered by indexed SQL (protocol reference §6).
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { HandleStore, SearchField } from '../storage/store.js';
import { type FairShare, heavyCaller, yieldToOthers } from '../http/fair-share.js';

export interface HrlsOptions {
  store: HandleStore;
  /** Realm users (name → password) with the handle-search role. */
  users: () => Record<string, string>;
  /** The answer bounds (decision 037); defaults DEFAULT_LOOKUP_BOUNDS. */
  bounds?: LookupBounds | undefined;
  /** Look-ups that return records take turns here with other heavy requests. */
  share?: FairShare | undefined;
}

export interface LookupBounds {
  /** Most handles one answer lists: a larger `limit` is cut to this. */
  pageSize: number;
  /** Most bytes of JSON in one answer: a page that would be larger is cut to fewer handles. */
  maxBytes: number;
}

/**
 * The servlet's default page (1000) stays whole: 1000 names of the usual length (under 1 kB each) fit in
 * 1 MB, so in practice only answers with records are cut (the lesson's records are about 300 bytes each).
 */
export const DEFAULT_LOOKUP_BOUNDS: LookupBounds = { pageSize: 1000, maxBytes: 1_000_000 };

const SPECIAL = new Set(['limit', 'page', 'retrieverecords', 'enforcesql']);
const PREFIX_SEGMENT = /^\d{2}[0-9a-zA-Z.]*$/;
const DEFAULT_LIMIT = 1000;
/** Records are built in slices of about this many milliseconds, with other requests answered in between. */
const SLICE_MS = 8;
// Each key is one self-join and each pattern up to three SQL terms; SQLite refuses more than 64 joins
// and deeply nested expressions, so a look-up is bounded well below both and told why when it is not.
export const MAX_SEARCH_KEYS = 16;
export const MAX_SEARCH_PATTERNS = 64;
export const MAX_PATTERN_LENGTH = 1024;

function realmUser(request: FastifyRequest, users: Record<string, string>): string | undefined {
  const header = request.headers.authorization ?? '';
  if (!/^basic\s/i.test(header)) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  // Jetty compares the realm name and password exactly as sent (no percent-decoding).
  const name = decoded.slice(0, colon);
  const offered = Buffer.from(decoded.slice(colon + 1), 'utf8');
  const expected = Object.hasOwn(users, name) ? Buffer.from(users[name]!, 'utf8') : undefined;
  return expected && expected.length === offered.length && timingSafeEqual(expected, offered) ? name : undefined;
}

function unauthorised(reply: FastifyReply): FastifyReply {
  return reply
    .code(401)
    .header('www-authenticate', 'basic realm="default"')
    .type('text/html;charset=utf-8')
    .send(
      '<html><head><title>Error 401 Unauthorized</title></head><body><h2>HTTP ERROR 401 Unauthorized</h2>' +
        '<p>The reverse look-up service needs its own user name and password (reverselookup_username / reverselookup_password in your credentials file).</p></body></html>',
    );
}

/** The servlet's error bodies are plain JSON-quoted strings; ours say what to fix, with status 400 not 500. */
function badQuery(reply: FastifyReply, message: string): FastifyReply {
  return reply
    .code(400)
    .type('text/plain;charset=utf-8')
    .send(`${JSON.stringify(message)}\n`);
}

function parseCount(text: string | null, fallback: number): number | string {
  if (text === null) return fallback;
  const value = Number(text.trim());
  // Java int range, as the servlet's Integer.parseInt.
  if (!/^-?\d+$/.test(text.trim()) || value > 2147483647 || value < -2147483648) return `Invalid number: For input string: "${text}"`;
  return value;
}

/**
 * The largest page size up to `most` whose pages have a boundary at `start`, so that the next page is
 * again a plain `limit`/`page` request (a page of 250 can follow 1000 handles; one of 300 cannot).
 */
function pageStartingAt(start: number, most: number): number {
  if (start === 0) return most;
  for (let size = most; size > 1; size--) if (start % size === 0) return size;
  return Math.min(most, 1);
}

/**
 * As on the servlet: every value but HS_SECKEY, data as raw text (binary values come out garbled); unlike
 * it, only public values, since the account is the class's and not a trusted operator's. Each entry is made
 * as its own JSON text, in slices, so that a long answer does not hold up other trainees' requests.
 */
async function recordEntries(store: HandleStore, handles: string[], maxBytes: number): Promise<string[]> {
  const entries: string[] = [];
  let bytes = 2;
  let sliceStart = performance.now();
  for (const handle of handles) {
    const values = (store.getValues(handle) ?? [])
      .filter((v) => v.publicRead && v.type.toUpperCase() !== 'HS_SECKEY')
      .map((v) => ({ type: v.type, value: v.data.toString('utf8') }));
    const entry = `${JSON.stringify(handle)}:${JSON.stringify(values)}`;
    entries.push(entry);
    // One entry past the cap is enough to know the page is cut; the rest would be made for nothing.
    bytes += Buffer.byteLength(entry, 'utf8') + 1;
    if (bytes > maxBytes) break;
    if (performance.now() - sliceStart > SLICE_MS) {
      await yieldToOthers();
      sliceStart = performance.now();
    }
  }
  return entries;
}

/** How many entries fit in `maxBytes` with the brackets and commas; at least one, so paging always moves on. */
function fittingCount(entries: string[], maxBytes: number): number {
  let bytes = 2;
  for (let i = 0; i < entries.length; i++) {
    bytes += Buffer.byteLength(entries[i]!, 'utf8') + (i > 0 ? 1 : 0);
    if (bytes > maxBytes) return Math.max(1, i);
  }
  return entries.length;
}

export default async function hrlsRoutes(app: FastifyInstance, options: HrlsOptions): Promise<void> {
  app.addHook('onRequest', async (request, reply) => {
    if (!realmUser(request, options.users())) return unauthorised(reply);
  });

  app.get('/hrls/ping', async (_request, reply) => reply.type('text/plain;charset=utf-8').send('OK\n'));

  const search = async (request: FastifyRequest, reply: FastifyReply) => {
    const rawUrl = request.raw.url ?? '';
    const q = rawUrl.indexOf('?');
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const params = new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1));
    // Matrix parameters (`;x=y`) are ignored by the servlet's JAX-RS path matching.
    let segment: string;
    try {
      segment = decodeURIComponent(path.replace(/^\/hrls\/handles\/?/, '').split(';')[0] ?? '');
    } catch {
      return badQuery(reply, 'The prefix in the path is not valid percent-encoded UTF-8');
    }
    if (segment && !PREFIX_SEGMENT.test(segment)) {
      return reply.code(404).type('text/plain;charset=utf-8').send(`No reverse look-up resource at ${path}: a prefix such as 21.T12995 is expected\n`);
    }
    const limit = parseCount(params.get('limit'), DEFAULT_LIMIT);
    const page = parseCount(params.get('page'), 0);
    if (typeof limit === 'string') return badQuery(reply, limit);
    if (typeof page === 'string') return badQuery(reply, page);
    if (limit < 0 || page < 0) return badQuery(reply, 'limit and page must not be negative');

    const byType = new Map<string, string[]>();
    for (const [key, value] of params) {
      if (SPECIAL.has(key)) continue;
      if (key.toUpperCase() === 'HS_SECKEY') return badQuery(reply, 'Searching via HS_SECKEY entries is not allowed!');
      byType.set(key, [...(byType.get(key) ?? []), value]);
    }
    if (!byType.size) return reply.type('application/json;charset=utf-8').send('[]');
    if (byType.size > MAX_SEARCH_KEYS) {
      return badQuery(reply, `A reverse look-up may search at most ${MAX_SEARCH_KEYS} value types at once; this one names ${byType.size}`);
    }
    const patternCount = [...byType.values()].reduce((sum, patterns) => sum + patterns.length, 0);
    if (patternCount > MAX_SEARCH_PATTERNS) {
      return badQuery(reply, `A reverse look-up may hold at most ${MAX_SEARCH_PATTERNS} patterns; this one holds ${patternCount}`);
    }
    const longest = Math.max(...[...byType].flatMap(([type, patterns]) => [type.length, ...patterns.map((p) => p.length)]));
    if (longest > MAX_PATTERN_LENGTH) {
      return badQuery(reply, `A reverse look-up type or pattern may be at most ${MAX_PATTERN_LENGTH} characters long; one here has ${longest}`);
    }
    const fields: SearchField[] = [...byType].map(([type, patterns]) => ({ type, patterns }));
    const retrieve = (params.get('retrieverecords') ?? '').toLowerCase() === 'true';
    const release = retrieve && options.share ? await options.share.enter(heavyCaller(request.raw)) : () => {};
    if (!release) {
      return reply
        .code(503)
        .header('retry-after', '1')
        .type('text/plain;charset=utf-8')
        .send(`${JSON.stringify('Server too busy: this account already has look-ups with records waiting; other requests go first. Try again shortly')}\n`);
    }
    try {
      // Asked for: `limit` handles from `page * limit` on. Answered: a page that starts there and fits the bounds.
      const start = page * limit;
      // Beyond 2^53 the offset is not a whole number any more; no store holds that many handles.
      if (!Number.isSafeInteger(start)) return reply.type('application/json;charset=utf-8').send(retrieve ? '{}' : '[]');
      const bounds = options.bounds ?? DEFAULT_LOOKUP_BOUNDS;
      let size = pageStartingAt(start, Math.min(limit, bounds.pageSize));
      // The realm account is shared by the whole class: it finds and shows public values only (decision 030).
      const query = { ...(segment ? { handlePrefix: segment } : {}), publicOnly: true };
      const handles = size === 0 ? [] : options.store.search(fields, { ...query, limit: size, page: start / size });
      const entries = retrieve ? await recordEntries(options.store, handles, bounds.maxBytes) : handles.map((handle) => JSON.stringify(handle));
      const fitting = fittingCount(entries, bounds.maxBytes);
      if (fitting < entries.length) size = pageStartingAt(start, fitting);
      const kept = entries.slice(0, Math.min(size, entries.length));
      // A full page may have more after it: it links to the next one (after the last full page, an empty one),
      // which spares every look-up a second search.
      const more = size > 0 && kept.length === size;
      if (more) {
        const next = new URLSearchParams(params);
        next.set('limit', String(size));
        next.set('page', String(start / size + 1));
        reply.header('link', `<?${next.toString()}>; rel="next"`);
      }
      if (size < limit && more) {
        const why =
          size < Math.min(limit, bounds.pageSize)
            ? `an answer may be at most ${bounds.maxBytes} bytes`
            : `an answer may list at most ${bounds.pageSize} handles`;
        reply.header('x-reverse-lookup-cut', `${kept.length} of the ${limit} handles asked for: ${why}; the Link header names the next page`);
      }
      const body = retrieve ? `{${kept.join(',')}}` : `[${kept.join(',')}]`;
      return reply.type('application/json;charset=utf-8').send(body);
    } finally {
      release();
    }
  };
  app.get('/hrls/handles', search);
  app.get('/hrls/handles/', search);
  app.get('/hrls/handles/*', search);
  app.all('/hrls/*', async (request, reply) =>
    reply
      .code(404)
      .type('text/plain;charset=utf-8')
      .send(`No reverse look-up resource at ${request.url.split('?')[0]}\n`),
  );
}
