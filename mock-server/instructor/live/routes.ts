// Routes of the live view: login and logout, the page and its assets, the server-sent event stream,
// and the page's reset and reseed buttons (session cookie plus CSRF header).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AdminSessions } from '../admin-session.js';
import type { HubLogin } from '../hub-login.js';
import { refuse, sameOrigin } from '../admin-session.js';
import { sendPage } from '../html.js';
import { LIVE_CSS, LIVE_JS } from './assets.js';
import type { ClassFeed } from './class-feed.js';
import { LOGIN_TARGETS, renderLivePage, renderLoginPage } from './page.js';

export interface LiveRoutesOptions {
  sessions: AdminSessions;
  /** The hub's OAuth instead of the token form, when the server runs as a JupyterHub service. */
  hubLogin?: HubLogin | undefined;
  feed: ClassFeed;
  reset: () => void;
  reseed: () => void;
  handleCount: () => number;
}

const HEARTBEAT_MS = 15_000;

export default async function liveRoutes(app: FastifyInstance, options: LiveRoutesOptions): Promise<void> {
  const { sessions, feed } = options;
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_request, body, done) => done(null, body));

  app.get('/_admin/live/live.css', async (_request, reply) => reply.type('text/css;charset=utf-8').header('cache-control', 'no-cache').send(LIVE_CSS));
  app.get('/_admin/live/live.js', async (_request, reply) =>
    reply.type('application/javascript;charset=utf-8').header('cache-control', 'no-cache').header('x-content-type-options', 'nosniff').send(LIVE_JS),
  );

  app.get('/_admin/live', async (request, reply) => {
    const session = sessions.of(request);
    if (!session && options.hubLogin?.applies(request)) return options.hubLogin.start(request, reply, '/_admin/live');
    if (!session) return sendPage(reply, 200, renderLoginPage(sessions.tokenSource));
    return sendPage(reply, 200, renderLivePage(session.csrf));
  });

  app.post('/_admin/login', async (request, reply) => {
    // A login form posted from another site would log the projector into the attacker's choice of nothing useful, but refuse it anyway.
    if (!sameOrigin(request)) return sendPage(reply, 403, renderLoginPage(sessions.tokenSource, "The login form must be sent from this server's own page."));
    const body = typeof request.body === 'string' ? request.body : '';
    const form = new URLSearchParams(body);
    const token = form.get('token') ?? '';
    // Only our own pages: an open redirect would let a link log the projector in and send it anywhere.
    const next = LOGIN_TARGETS.find((target) => target === form.get('next')) ?? '/_admin/live';
    if (!token.trim()) return sendPage(reply, 400, renderLoginPage(sessions.tokenSource, 'Enter the admin token.', next));
    if (!sessions.tokenIsRight(token)) {
      request.log.info('instructor login refused: wrong admin token');
      return sendPage(reply, 403, renderLoginPage(sessions.tokenSource, 'That is not the admin token of this server.', next));
    }
    const session = sessions.open();
    return reply.code(303).header('set-cookie', sessions.cookie(request, session.id)).header('location', next).send();
  });

  /** Cookie-authenticated changes from the page: the CSRF header proves they come from it. */
  async function pageChange(request: FastifyRequest, reply: FastifyReply) {
    const session = sessions.of(request);
    if (!session) return refuse(reply, 401, 'not logged in: log in at /_admin/live');
    if (!sessions.csrfIsRight(request, session))
      return refuse(reply, 403, "a change from the browser needs the page's x-pid-mock-csrf header and a same-origin request");
  }

  app.post('/_admin/logout', { preHandler: pageChange }, async (request, reply) => {
    sessions.close(request);
    return reply.header('set-cookie', sessions.cookie(request, undefined)).send({ responseCode: 1, message: 'logged out' });
  });

  app.post('/_admin/live/reset', { preHandler: pageChange }, async () => {
    options.reset();
    feed.restart();
    return { responseCode: 1, status: 'reset', handles: options.handleCount() };
  });

  app.post('/_admin/live/reseed', { preHandler: pageChange }, async () => {
    options.reseed();
    return { responseCode: 1, status: 'reseeded', handles: options.handleCount() };
  });

  app.get('/_admin/live/stream', async (request, reply) => {
    if (!sessions.of(request) && sessions.bearerIsRight(request) !== true) return refuse(reply, 401, 'not logged in: log in at /_admin/live');
    reply.hijack();
    const out = reply.raw;
    out.writeHead(200, { 'content-type': 'text/event-stream;charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    const send = (snapshot: unknown) => out.write(`event: snapshot\ndata: ${JSON.stringify(snapshot)}\n\n`);
    send(feed.snapshot());
    const stop = feed.subscribe(send);
    const heartbeat = setInterval(() => out.write(': still here\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    request.raw.on('close', () => {
      clearInterval(heartbeat);
      stop();
    });
  });
}
