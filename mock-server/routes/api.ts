// The Handle.Net HTTP JSON REST API under /api: handle records, listing, prefixes, site, sessions,
// with the real server's envelopes, status codes, CORS, JSONP and authentication challenges.
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticate } from '../handle/auth.js';
import { type Envelope, fail, HandleApiError, Rc } from '../handle/envelope.js';
import { replyEnvelope } from '../http/handle-replies.js';
import { decodeHandlePath, HandleNameError } from '../vocabulary/handle-names.js';
import type { Caller, HandleService, PutQuery } from '../handle/handle-service.js';
import { isTls, peerCertificate } from '../http/connection.js';
import { javaParseBoolean } from '../handle/gson-reading.js';
import { jsonDepth, tooDeepMessage } from '../http/json-depth.js';

export interface ApiOptions {
  service: HandleService;
  /** The `site` object `/api/site` describes (server key, interfaces). */
  siteInfo: () => Record<string, unknown>;
}

const CALLBACK_NAME = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$/;

/** Boolean query flags as HS parses them: present and empty, "true" or "yes" mean true. */
function flag(params: URLSearchParams, name: string): boolean | undefined {
  if (!params.has(name)) return undefined;
  const value = (params.get(name) ?? '').toLowerCase();
  return value === '' || value === 'true' || value === 'yes';
}

function numberFormatError(text: string): HandleApiError {
  return fail.protocol(`java.lang.NumberFormatException: For input string: ${JSON.stringify(text)}`);
}

/** Java's Integer.parseInt: optional sign, digits, and within 32 bits. */
function parseJavaInt(text: string): number {
  const value = Number(text);
  if (!/^[-+]?\d+$/.test(text) || value > 2147483647 || value < -2147483648) throw numberFormatError(text);
  return value;
}

function parseIndexes(params: URLSearchParams): number[] {
  return params.getAll('index').map(parseJavaInt);
}

interface SplitUrl {
  path: string;
  params: URLSearchParams;
}

/** Shared by every request without a query; only ever read. */
const NO_PARAMS = new URLSearchParams();

function splitUrl(rawUrl: string): SplitUrl {
  const q = rawUrl.indexOf('?');
  return q < 0 ? { path: rawUrl, params: NO_PARAMS } : { path: rawUrl.slice(0, q), params: new URLSearchParams(rawUrl.slice(q + 1)) };
}

/** The handle in `/api/handles/<handle>`, percent-decoded as the servlet does; '' when absent. */
function handleFromPath(path: string): string {
  const rest = path.startsWith('/api/handles/') ? path.slice('/api/handles/'.length) : path.replace(/^\/api\/handles/, '').replace(/^\//, '');
  try {
    return decodeHandlePath(rest);
  } catch (error) {
    if (error instanceof HandleNameError) throw fail.invalidHandle(error.message);
    throw error;
  }
}

function challenge(request: FastifyRequest, error?: string): string[] {
  const handleChallenge = `Handle sessionId="${randomBytes(12).toString('hex')}", nonce="${randomBytes(16).toString('base64')}"${
    error ? `, error="${error}"` : ''
  }`;
  // Browsers' own login dialogs are suppressed for XMLHttpRequest callers, as on the real server.
  const xhr = String(request.headers['x-requested-with'] ?? '').toLowerCase() === 'xmlhttprequest';
  return xhr ? [handleChallenge] : ['Basic realm="handle"', handleChallenge];
}

function send(request: FastifyRequest, reply: FastifyReply, envelope: Envelope, { params }: SplitUrl): FastifyReply {
  if (envelope.httpStatus === 401 && envelope.body !== '') reply.header('www-authenticate', challenge(request));
  const callback = params.get('callback');
  return replyEnvelope(reply, envelope, {
    callback: callback !== null && CALLBACK_NAME.test(callback) ? callback : undefined,
    pretty: flag(params, 'pretty') === true,
  });
}

function readJsonEntity(request: FastifyRequest): unknown {
  const contentType = request.headers['content-type'];
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json') {
    throw fail.protocol(`java.lang.Exception: Unsupported media type ${contentType ?? 'null'} (send Content-Type: application/json)`);
  }
  const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw fail.protocol('com.google.gson.JsonSyntaxException: the request body is not valid UTF-8');
  }
  const nesting = jsonDepth(text);
  if (nesting.exceededAt !== undefined) throw fail.protocol(`com.google.gson.JsonParseException: ${tooDeepMessage(nesting.exceededAt)}`);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw fail.protocol(jsonSyntaxMessage(text, (error as Error).message));
  }
}

/**
 * Gson's wording (EOFException for a body cut short, MalformedJsonException otherwise, with line and
 * column), followed by what JSON.parse found, so both Handle clients and learners can read it.
 */
function jsonSyntaxMessage(text: string, parserMessage: string): string {
  const position = Number(/position (\d+)/.exec(parserMessage)?.[1] ?? text.length);
  const cutShort = /end of JSON input/i.test(parserMessage) || position >= text.trimEnd().length;
  const before = text.slice(0, Math.min(position, text.length));
  const line = before.split('\n').length;
  const column = position - before.lastIndexOf('\n');
  const where = `at line ${line} column ${column}`;
  return cutShort
    ? `com.google.gson.JsonSyntaxException: java.io.EOFException: End of input ${where} (the JSON body ends too early)`
    : `com.google.gson.JsonSyntaxException: com.google.gson.stream.MalformedJsonException: ${parserMessage} ${where}`;
}

export default async function apiRoutes(app: FastifyInstance, options: ApiOptions): Promise<void> {
  const { service } = options;

  // The API reads bodies itself so that a wrong media type or broken JSON gets a Handle envelope.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

  app.addHook('onRequest', (request, reply, done) => {
    const origin = request.headers.origin;
    if (origin) reply.header('access-control-allow-origin', origin);
    done();
  });

  /** Runs an operation with the caller's identity; wrong credentials stop here with 401 and no body. */
  function handle(operation: (caller: Caller, request: FastifyRequest, url: SplitUrl) => Envelope) {
    return async (request: FastifyRequest, reply: FastifyReply) => {
      // Read once: the operation, the JSONP check and the answer all need the query.
      const url = splitUrl(request.raw.url ?? '');
      const overTls = isTls(request.raw);
      const authentication = authenticate(
        { authorization: request.headers.authorization, overTls, peerCertificate: peerCertificate(request.raw) },
        service.store,
      );
      if (authentication.kind === 'failed') {
        request.log.info({ reason: authentication.reason }, 'authentication failed');
        reply.header('www-authenticate', challenge(request, 'Identity not verified'));
        return reply.code(401).send();
      }
      request.identity = authentication.kind === 'authenticated' ? `${authentication.identity.index}:${authentication.identity.handle}` : undefined;
      let envelope: Envelope;
      try {
        // A JSONP callback name is checked first: a request that cannot be answered must not change anything.
        const callback = url.params.get('callback');
        if (callback !== null && !CALLBACK_NAME.test(callback)) {
          throw fail.protocol('java.lang.Exception: callback must be a JavaScript identifier such as "cb" (letters, digits, _ and $)');
        }
        envelope = operation({ authentication, overTls }, request, url);
      } catch (error) {
        if (!(error instanceof HandleApiError)) throw error;
        envelope = error.toEnvelope();
      }
      return send(request, reply, envelope, url);
    };
  }

  const resolveOrList = handle((caller, _request, { path, params }) => {
    const handleName = handleFromPath(path);
    if (!handleName) {
      const prefix = params.get('prefix');
      if (prefix === null) throw fail.emptyHandle();
      const page = params.get('page');
      const pageSize = params.get('pageSize');
      let paging: { page: number; pageSize: number } | undefined;
      if (page !== null && pageSize !== null) {
        const pageNumber = parseJavaInt(page);
        const size = parseJavaInt(pageSize);
        if (pageNumber >= 0 && size >= 0) paging = { page: pageNumber, pageSize: size };
      }
      return service.listHandles(prefix, paging, caller);
    }
    return service.resolve(handleName, { indexes: parseIndexes(params), types: params.getAll('type'), publicOnly: flag(params, 'publicOnly') }, caller);
  });

  app.route({ method: ['GET', 'POST'], url: '/api/handles', handler: resolveOrList });
  app.route({ method: ['GET', 'POST'], url: '/api/handles/*', handler: resolveOrList });

  const put = handle((caller, request, { path, params }) => {
    const handleName = handleFromPath(path);
    if (!handleName) throw fail.emptyHandle();
    const indexParams = params.getAll('index');
    const query: PutQuery = {
      indexes: indexParams.length === 0 ? undefined : indexParams.includes('various') ? 'various' : parseIndexes(params),
      // Both are read with Java's Boolean.parseBoolean: only "true" (any case) is true, so "yes" and "1" are not.
      overwrite: params.has('overwrite') ? javaParseBoolean(params.get('overwrite')) : true,
      mintNewSuffix: javaParseBoolean(params.get('mintNewSuffix')),
    };
    // The prefix is checked before the entity is read, as on the real server.
    service.assertHomed(handleName);
    return service.put(handleName, readJsonEntity(request), query, caller);
  });
  app.put('/api/handles', put);
  app.put('/api/handles/*', put);

  const remove = handle((caller, _request, { path, params }) => {
    const handleName = handleFromPath(path);
    if (!handleName) throw fail.emptyHandle();
    const indexes = parseIndexes(params);
    return indexes.length ? service.deleteValues(handleName, indexes, caller) : service.deleteHandle(handleName, caller);
  });
  app.delete('/api/handles', remove);
  app.delete('/api/handles/*', remove);

  const prefixes = handle((caller) => service.listPrefixes(caller));
  app.get('/api/prefixes', prefixes);
  app.get('/api/prefixes/', prefixes);

  const site = handle(() => ({ httpStatus: 200, body: { responseCode: Rc.success, site: options.siteInfo() } }));
  app.get('/api/site', site);
  app.get('/api/site/', site);

  app.get(
    '/api/sessions/this',
    handle((caller) => {
      // Sessions are not implemented (B2HANDLE never uses them); the identity check is what callers want to see.
      if (!caller.overTls) return { httpStatus: 403, body: '' };
      return caller.authentication.kind === 'authenticated'
        ? { httpStatus: 200, body: { authenticated: true, id: `${caller.authentication.identity.index}:${caller.authentication.identity.handle}` } }
        : { httpStatus: 200, body: { authenticated: false } };
    }),
  );

  // OPTIONS reaches only this catch-all (no other route declares it): answer CORS preflights here.
  const unknown = async (request: FastifyRequest, reply: FastifyReply) => {
    if (request.method === 'OPTIONS') {
      reply.header('access-control-allow-methods', 'GET,POST,HEAD,PUT,DELETE');
      reply.header('access-control-allow-headers', 'X-Requested-With,Authorization,Origin,Accept,Content-Type');
      return reply.code(200).send();
    }
    const url = splitUrl(request.raw.url ?? '');
    return send(request, reply, fail.unknownEndpoint(request.method, url.path).toEnvelope(), url);
  };
  app.all('/api', unknown);
  app.all('/api/', unknown);
  app.all('/api/*', unknown);
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated identity (`index:handle`), for the request log; never a secret. */
    identity?: string | undefined;
  }
}
