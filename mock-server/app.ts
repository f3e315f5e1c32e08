// Builds the mock Handle server as a Fastify instance that serves HTTP and HTTPS on one port, as the
// real server does, so tests can start it in-process and `pid-mock serve` can start it for real.
import { createPolyglotServer, DEFAULT_TIMEOUTS, type ConnectionTimeouts } from './http/listener.js';
import { answerClientError } from './http/client-errors.js';
import { addSecurityHeaders } from './http/security-headers.js';
import { lazyChildLogger } from './http/lazy-child-logger.js';
import { jsonDepth, tooDeepMessage } from './http/json-depth.js';
import Fastify, { LogController, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { HandleStore } from './storage/store.js';
import type { ValueReference } from './vocabulary/model.js';
import { HandleService } from './handle/handle-service.js';
import type { NameReservations } from './handle/reserved-names.js';
import { DEFAULT_QUOTAS, IdentityQuotas, type QuotaLimits } from './handle/quotas.js';
import { FairShare, shareHeavyWrites } from './http/fair-share.js';
import { Rc } from './handle/envelope.js';
import { notDurablePayload, replyClientError, replyHandleError, replyInternalError } from './http/handle-replies.js';
import { isTls } from './http/connection.js';
import { refuseUnknownTransferCodings } from './http/transfer-coding.js';
import apiRoutes from './routes/api.js';
import hrlsRoutes, { type LookupBounds } from './routes/hrls.js';
import adminRoutes from './routes/admin.js';
import filesRoutes from './routes/files.js';
import staticRoutes from './routes/static.js';
import resolverRoutes from './routes/resolver.js';
import pitRoutes from './routes/pit.js';
import { DataTypeRegistry } from './typed/registry.js';
import { answerForDoi } from './citations/doi-content.js';
import { HOME_PAGE_SCRIPT } from './views/resolver-pages.js';
import { normaliseBasePath, serveUnderBasePath, withoutBasePath } from './http/base-path.js';
import instructorRoutes, { type InstructorOptions } from './instructor/routes.js';
import instructorFeatures from './instructor/plugin.js';
import { AdminSessions } from './instructor/admin-session.js';
import type { StuckRules } from './instructor/class-progress/model.js';
import type { HubLoginSettings } from './instructor/hub-login.js';

/**
 * The parts of the mock that a real Handle.Net server does not have. `pid-mock serve --plain` turns every
 * one off, so the lesson can be tried against what a trainee meets at home (docs/taking-it-home.md); a
 * path they would serve is then answered as a real server answers it (the resolver's "not found" page for
 * `/files/…`, `/hrls/…` and `/_admin/…`, 404 with responseCode 4 for an unknown `/api/…` path).
 * A new mock-only service gets a switch here, and PLAIN_SERVER turns it off.
 */
export interface MockFeatures {
  /** The stand-in data repository and ARK resolver (routes/files.ts): `/files/…`, `/ark:/…`. */
  repository: boolean;
  /** EUDAT's reverse look-up servlet (routes/hrls.ts): `/hrls/…`. */
  reverseLookup: boolean;
  /**
   * The classroom: everything under `/_admin` (health, reset, the admin token's APIs, the live page, the
   * class board, history, teaching faults), `/_history/…` and the lesson's progress reports (`/_lesson/progress`).
   */
  classroom: boolean;
  /** The Typed PID Maker's API (`/api/v1/pit/…`) and the Data Type Registry's JSON views (`/dtr/objects/…`). */
  typedServices: boolean;
  /** DOI content negotiation at the resolver (citations/): a DOI's metadata by Accept header. */
  contentNegotiation: boolean;
}

/** The whole mock: what `pid-mock serve` runs by default. */
export const FULL_MOCK: Readonly<MockFeatures> = Object.freeze({
  repository: true,
  reverseLookup: true,
  classroom: true,
  typedServices: true,
  contentNegotiation: true,
});
/** A plain Handle.Net server: the REST API, the resolver and its images, nothing else (`--plain`). */
export const PLAIN_SERVER: Readonly<MockFeatures> = Object.freeze({
  repository: false,
  reverseLookup: false,
  classroom: false,
  typedServices: false,
  contentNegotiation: false,
});

export interface MockServerConfig {
  store: HandleStore;
  /** Which mock-only parts to serve (default FULL_MOCK). */
  features?: Readonly<MockFeatures> | undefined;
  tls: { certPem: string; keyPem: string };
  serverAdmins: () => ValueReference[];
  /** Names only a server admin may create (trainee identities); none when absent. */
  reservedNames?: NameReservations;
  hrlsUsers: () => Record<string, string>;
  adminToken: string;
  /** Where an instructor finds the admin token (the login page names it): a file path, or words for a variable. */
  adminTokenSource?: string | undefined;
  /** When the class model calls a trainee stuck, and the lesson's exercise ids (see instructor/class-progress). */
  classProgress?: { stuckRules?: StuckRules | undefined; exercises?: string[] | undefined } | undefined;
  /** Base URL of the stand-in repository, as stored in the seed records' URL values. */
  publicBaseUrl: string;
  reset: () => void;
  reseed: () => void;
  site: () => Record<string, unknown>;
  /** false for silent tests; otherwise pino options or true. */
  logger: boolean | Record<string, unknown>;
  /** Largest accepted request body. */
  bodyLimit?: number;
  /** The class roster and state APIs under /_admin (need the data folder). */
  instructor?: InstructorOptions;
  /** Also serve under this path prefix, e.g. JupyterHub's /services/pid-mock/ (its proxy keeps the prefix). */
  basePath?: string | undefined;
  /** The hub's OAuth for the instructor pages, when the server runs as a JupyterHub service. */
  hubLogin?: HubLoginSettings | undefined;
  /** Connection timeouts (defaults: DEFAULT_TIMEOUTS). */
  timeouts?: ConnectionTimeouts;
  /**
   * The typed-PID services (default on): the Typed PID Maker-shaped API under /api/v1/pit and the Data Type
   * Registry's JSON views under /dtr/objects. Off, the registry's types stay ordinary Handle records.
   */
  typedServices?: boolean | undefined;
  /**
   * DOI content negotiation at the resolver (citations/): metadata of the lesson DOI by Accept header, 406 for
   * types it cannot give. Default on; false makes a DOI redirect whatever Accept says, as a plain Handle proxy does.
   */
  citations?: boolean | undefined;
  /** Per-identity quotas (defaults: DEFAULT_QUOTAS). */
  quotas?: QuotaLimits | undefined;
  /** A reverse look-up's page size and byte cap (defaults: DEFAULT_LOOKUP_BOUNDS). */
  lookupBounds?: LookupBounds | undefined;
}

const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** pino's levels above info: a route with one of these as its `logLevel` gets no request line. */
const QUIETER_THAN_INFO = new Set<string | undefined>(['warn', 'error', 'fatal', 'silent']);

export function buildApp(config: MockServerConfig): FastifyInstance {
  const bodyLimit = config.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const basePath = normaliseBasePath(config.basePath);
  const app = Fastify({
    // Paths under the base path are the same paths without it; everything else is served as before.
    ...(basePath ? { rewriteUrl: (raw: { url?: string }) => withoutBasePath(raw.url ?? '/', basePath) } : {}),
    serverFactory: (handler) => createPolyglotServer(config.tls, config.timeouts ?? DEFAULT_TIMEOUTS, handler),
    clientErrorHandler: answerClientError,
    // httpolyglot's server cannot reap idle keep-alive sockets itself; Fastify must track and end them.
    forceCloseConnections: true,
    bodyLimit,
    logger: config.logger === false ? false : config.logger === true ? { level: 'info' } : config.logger,
    // Fastify's own two lines per request are replaced by the single line of the onResponse hook.
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: lazyChildLogger,
    // Handle names may hold characters find-my-way would otherwise refuse or rewrite.
    routerOptions: { ignoreDuplicateSlashes: false, maxParamLength: 2048 },
    frameworkErrors: (error, request, reply) => {
      // The router refuses undecodable paths before any route runs; under /api/handles that is a bad handle.
      if (error.code === 'FST_ERR_BAD_URL' && (request.raw.url ?? '').startsWith('/api/handles')) {
        void replyHandleError(reply as FastifyReply, 400, Rc.invalidHandle, 'Invalid handle: the request path is not valid percent-encoded UTF-8');
        return;
      }
      replyClientError(request, reply, 400, `java.lang.Exception: bad request: ${error.message}`);
    },
  });

  if (basePath) serveUnderBasePath(app, basePath);
  addSecurityHeaders(app, { inlineScript: HOME_PAGE_SCRIPT });
  refuseUnknownTransferCodings(app);

  // Routes outside /api read JSON with Fastify's parser (prototype poisoning refused), after the same depth bound.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const nesting = jsonDepth(body as string);
    if (nesting.exceededAt !== undefined) {
      done(Object.assign(new Error(tooDeepMessage(nesting.exceededAt)), { statusCode: 400 }), undefined);
      return;
    }
    parseJson(request, body as string, done);
  });

  // One JSON line per request; the identity is a handle reference, never a password or key.
  // A callback hook, not an async one: no promise per request on the hot path. Written on the root
  // logger with the request id, the same line a child logger would write, without making the child.
  app.addHook('onResponse', (request, reply, done) => {
    // A route quieter than info (the health probe, which containers call every few seconds) writes no line.
    if (QUIETER_THAN_INFO.has(request.routeOptions.logLevel)) return done();
    app.log.info(
      {
        reqId: request.id,
        method: request.method,
        url: request.url,
        scheme: isTls(request.raw) ? 'https' : 'http',
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime),
        identity: request.identity,
      },
      'request',
    );
    done();
  });

  // Group commit: writes of one event-loop turn share a transaction and an fsync, and no reply leaves
  // before the COMMIT holding what its request wrote or read has returned (docs/performance.md).
  config.store.enableGroupCommit();
  app.addHook('onSend', (request, reply, payload, done) => {
    const barrier = config.store.commitBarrier();
    if (!barrier) return done(null, payload);
    barrier.then(
      () => done(null, payload),
      (error: Error) => {
        // Never acknowledge what is not durable: the client sees a failure and may retry.
        request.log.error({ err: error }, 'commit failed');
        reply.removeHeader('location');
        done(null, notDurablePayload(request, reply));
      },
    );
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return replyClientError(request, reply, 413, `java.lang.Exception: request body larger than ${bodyLimit} bytes`);
    }
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return replyClientError(request, reply, error.statusCode, `java.lang.Exception: ${error.message}`);
    }
    request.log.error({ err: error }, 'internal error');
    return replyInternalError(request, reply);
  });

  app.setNotFoundHandler((request, reply) => replyClientError(request, reply, 404, `Nothing at ${request.method} ${request.url.split('?')[0]}`));

  // Heavy requests take turns, one per caller at a time, so that simple requests are never stuck behind them.
  const share = new FairShare();
  shareHeavyWrites(app, share);
  const service = new HandleService(config.store, config.serverAdmins, config.reservedNames, new IdentityQuotas(config.store, config.quotas ?? DEFAULT_QUOTAS));
  // First, so that its request-log and teaching-fault hooks apply to every route registered after it.
  // One admin guard for every /_admin route: the Bearer token for scripts, the live page's session for browsers.
  const sessions = new AdminSessions(config.adminToken, config.adminTokenSource);
  // A reset by either route (the live page's or the admin API's) also starts the instructor's in-memory views afresh.
  const afterReset = new Set<() => void>();
  const reset = () => {
    config.reset();
    for (const listener of afterReset) listener();
  };
  const features = config.features ?? FULL_MOCK;
  if (features.classroom) {
    void app.register(instructorFeatures, { service, sessions, reset, afterReset, reseed: config.reseed, ...config.classProgress, hubLogin: config.hubLogin });
  }
  void app.register(apiRoutes, { service, siteInfo: config.site });
  if (features.reverseLookup) void app.register(hrlsRoutes, { store: config.store, users: config.hrlsUsers, bounds: config.lookupBounds, share });
  if (features.classroom) {
    void app.register(adminRoutes, { store: config.store, guard: sessions.guard(), reset, reseed: config.reseed });
    if (config.instructor) void app.register(instructorRoutes, { ...config.instructor, store: config.store, guard: sessions.guard() });
  }
  if (config.typedServices ?? features.typedServices) void app.register(pitRoutes, { service, registry: new DataTypeRegistry() });
  if (features.repository) void app.register(filesRoutes, { publicBaseUrl: config.publicBaseUrl });
  void app.register(staticRoutes);
  void app.register(resolverRoutes, {
    lookup: (handle: string) => {
      const found = service.publicRecord(handle);
      return found.status === 'found' ? { status: 'found', handle, values: found.values } : found;
    },
    baseUrl: (request: FastifyRequest) => `${isTls(request.raw) ? 'https' : 'http'}://${request.headers.host ?? 'localhost'}`,
    doiContent: (config.citations ?? features.contentNegotiation) ? answerForDoi : undefined,
  });
  return app;
}
