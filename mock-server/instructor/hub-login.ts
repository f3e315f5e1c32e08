// The instructor's single login on JupyterHub: when the mock runs as a hub-managed service, its
// instructor pages send a browser without a session through the hub's OAuth (the hub already knows who
// is logged in), and a hub admin gets the usual admin session, so nobody pastes the admin token. The
// token form stays for every other run, and for direct visits that do not come through the hub's proxy.
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { request as hubRequest } from 'undici';
import { isTls } from '../http/connection.js';
import { redirectOutside } from '../http/base-path.js';
import type { AdminSessions } from './admin-session.js';
import { tokenMatches } from './admin-session.js';
import { sendPage } from './html.js';
import { renderHubLoginProblem } from './hub-login-page.js';
import { LOGIN_TARGETS } from './live/page.js';

/** Where the hub sends the browser back with the code; jupyterhub_config.py registers the same path. */
export const HUB_CALLBACK_PATH = '/_admin/hub-login/callback';
/** Holds this browser's login nonce, to which every state it starts is bound (never the state itself). */
const STATE_COOKIE = 'pid_mock_hub_state';
const NONCE = /^[A-Za-z0-9_-]{43}$/;
const STATE_LIFETIME_MS = 10 * 60 * 1000;
const MAX_PENDING = 200;
const HUB_TIMEOUT_MS = 10_000;

/** What JupyterHub gives a managed service in its environment (jupyterhub/services/auth.py reads the same). */
export interface HubLoginSettings {
  /** JUPYTERHUB_API_URL, e.g. http://127.0.0.1:8081/hub/api: where this server asks the hub. */
  apiUrl: string;
  /** JUPYTERHUB_API_TOKEN: the service's token, which is also its OAuth client secret. */
  apiToken: string;
  /** JUPYTERHUB_CLIENT_ID, `service-pid-mock`. */
  clientId: string;
  /** JUPYTERHUB_SERVICE_PREFIX without its trailing "/", e.g. /services/pid-mock. */
  servicePrefix: string;
  /** JUPYTERHUB_HOST + JUPYTERHUB_BASE_URL + "hub/": where the browser finds the hub's pages. */
  hubPrefix: string;
  /** JUPYTERHUB_HOST ("" when the hub and its services share one host, the usual case). */
  host: string;
}

function value(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

/** The hub's OAuth settings when this process is a hub-managed service; undefined otherwise. */
export function hubLoginFromEnvironment(env: NodeJS.ProcessEnv = process.env): HubLoginSettings | undefined {
  const apiUrl = value(env, 'JUPYTERHUB_API_URL');
  const apiToken = value(env, 'JUPYTERHUB_API_TOKEN');
  const clientId = value(env, 'JUPYTERHUB_CLIENT_ID');
  const prefix = value(env, 'JUPYTERHUB_SERVICE_PREFIX');
  if (!apiUrl || !apiToken || !clientId || !prefix) return undefined;
  const host = value(env, 'JUPYTERHUB_HOST') ?? '';
  const baseUrl = `/${(value(env, 'JUPYTERHUB_BASE_URL') ?? '/').replace(/^\/+|\/+$/g, '')}/`.replace('//', '/');
  return {
    apiUrl: apiUrl.replace(/\/+$/, ''),
    apiToken,
    clientId,
    servicePrefix: `/${prefix.replace(/^\/+|\/+$/g, '')}`,
    hubPrefix: `${host}${baseUrl}hub/`,
    host,
  };
}

interface PendingLogin {
  /** The nonce of the browser that started it: the callback must come with the same cookie. */
  nonce: string;
  next: string;
  expires: number;
}

/** A failed check: 400 when the hub refused what the browser brought (a used or stale code), 502 when the hub itself failed. */
export type HubUserCheck = { admin: boolean; name: string } | { problem: string; status: 400 | 502 };

function cookieValue(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function queryValue(request: FastifyRequest, name: string): string | undefined {
  const query = request.query as Record<string, unknown> | undefined;
  const v = query?.[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export class HubLogin {
  private readonly pending = new Map<string, PendingLogin>();

  constructor(
    readonly settings: HubLoginSettings,
    private readonly sessions: AdminSessions,
  ) {}

  /** Only visits through the hub's proxy (under the service prefix) can come back from the hub's OAuth. */
  applies(request: FastifyRequest): boolean {
    const path = request.originalUrl.split('?')[0]!;
    return path.startsWith(`${this.settings.servicePrefix}/`);
  }

  private redirectUri(): string {
    return `${this.settings.host}${this.settings.servicePrefix}${HUB_CALLBACK_PATH}`;
  }

  private nonceCookie(request: FastifyRequest, nonce: string): string {
    const secure = isTls(request.raw) ? '; Secure' : '';
    // Lax, not Strict: the browser arrives at the callback from the hub's redirect.
    return `${STATE_COOKIE}=${nonce}; Path=${HUB_CALLBACK_PATH}; HttpOnly; SameSite=Lax; Max-Age=${STATE_LIFETIME_MS / 1000}${secure}`;
  }

  /** Sends the browser to the hub's authorize page; `next` is the instructor page to come back to. */
  start(request: FastifyRequest, reply: FastifyReply, next: string): FastifyReply {
    const now = Date.now();
    for (const [id, p] of this.pending) if (p.expires < now) this.pending.delete(id);
    if (this.pending.size >= MAX_PENDING) this.pending.delete(this.pending.keys().next().value!);
    // One nonce per browser, kept while it lasts: the live page and the board opened at once both come back.
    const offered = cookieValue(request, STATE_COOKIE);
    const nonce = offered && NONCE.test(offered) ? offered : randomBytes(32).toString('base64url');
    const state = randomBytes(32).toString('base64url');
    this.pending.set(state, { nonce, next: LOGIN_TARGETS.includes(next) ? next : LOGIN_TARGETS[0]!, expires: now + STATE_LIFETIME_MS });
    const query = new URLSearchParams({ client_id: this.settings.clientId, redirect_uri: this.redirectUri(), response_type: 'code', state });
    reply.header('set-cookie', this.nonceCookie(request, nonce)).header('cache-control', 'no-store');
    return redirectOutside(reply, `${this.settings.hubPrefix}api/oauth2/authorize?${query}`);
  }

  /** The hub's redirect back: the state must be this browser's, the code is exchanged, the user checked. */
  async callback(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    // The root logger: this route's own is quieter than info, so that no request line shows its URL's code.
    const log = request.server.log.child({ reqId: request.id });
    const state = queryValue(request, 'state');
    const nonce = cookieValue(request, STATE_COOKIE);
    const pending = state === undefined ? undefined : this.pending.get(state);
    // Another browser's state (a link that would log this one in as someone else) does not match this cookie.
    if (!state || !pending || !nonce || !tokenMatches(nonce, pending.nonce)) {
      log.info('instructor hub login refused: unknown or missing state');
      return sendPage(
        reply,
        400,
        renderHubLoginProblem('This login link was not started here or has expired', 'Open the board again: it starts a fresh login with the hub.'),
      );
    }
    this.pending.delete(state);
    if (pending.expires < Date.now()) {
      return sendPage(reply, 400, renderHubLoginProblem('This login link has expired', 'Open the board again: it starts a fresh login with the hub.'));
    }
    const hubError = queryValue(request, 'error');
    if (hubError) {
      log.info({ hubError: hubError.slice(0, 80) }, 'instructor hub login refused by the hub');
      return sendPage(reply, 403, renderHubLoginProblem('The hub did not let you in', `The hub answered "${hubError.slice(0, 200)}".`));
    }
    const code = queryValue(request, 'code');
    if (!code) {
      log.info('instructor hub login refused: no code');
      return sendPage(reply, 400, renderHubLoginProblem('The hub sent no login code', 'Open the board again: it starts a fresh login with the hub.'));
    }
    const user = await this.userOf(code);
    if ('problem' in user) {
      log.warn({ problem: user.problem }, 'instructor hub login failed');
      return sendPage(reply, user.status, renderHubLoginProblem('The hub could not confirm who you are', `${user.problem} Open the board again.`));
    }
    if (!user.admin) {
      log.info({ user: user.name }, 'instructor hub login refused: not a hub admin');
      return sendPage(
        reply,
        403,
        renderHubLoginProblem(
          "This page is for the class's instructors",
          `You are logged in to the hub as ${user.name}, who is not one of the class's instructors. Your notebooks are on the hub's Home page.`,
          false,
        ),
      );
    }
    log.info({ user: user.name }, 'instructor logged in through the hub');
    const session = this.sessions.open();
    reply.header('set-cookie', this.sessions.cookie(request, session.id));
    return reply.code(303).header('location', pending.next).send();
  }

  /** Exchanges the code at the hub's token endpoint and asks the hub whose token it is. */
  private async userOf(code: string): Promise<HubUserCheck> {
    const { apiUrl, clientId, apiToken } = this.settings;
    let accessToken: string;
    try {
      const answer = await hubRequest(`${apiUrl}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          client_id: clientId,
          client_secret: apiToken,
          grant_type: 'authorization_code',
          code,
          redirect_uri: this.redirectUri(),
        }).toString(),
        headersTimeout: HUB_TIMEOUT_MS,
        bodyTimeout: HUB_TIMEOUT_MS,
      });
      const body = (await answer.body.json().catch(() => undefined)) as { access_token?: unknown } | undefined;
      if (answer.statusCode !== 200 || typeof body?.access_token !== 'string') {
        const refused = answer.statusCode >= 400 && answer.statusCode < 500;
        return {
          problem: refused ? 'The hub did not accept the login code; it may have been used already.' : `The hub failed (HTTP ${answer.statusCode}).`,
          status: refused ? 400 : 502,
        };
      }
      accessToken = body.access_token;
    } catch (error) {
      return { problem: `The hub did not answer (${(error as Error).name}).`, status: 502 };
    }
    try {
      const answer = await hubRequest(`${apiUrl}/user`, {
        headers: { authorization: `token ${accessToken}` },
        headersTimeout: HUB_TIMEOUT_MS,
        bodyTimeout: HUB_TIMEOUT_MS,
      });
      const body = (await answer.body.json().catch(() => undefined)) as { kind?: unknown; name?: unknown; admin?: unknown } | undefined;
      if (answer.statusCode !== 200 || typeof body?.name !== 'string')
        return { problem: `The hub did not say who you are (HTTP ${answer.statusCode}).`, status: 502 };
      // Only a person: a service's token is never an instructor, whatever its rights.
      return { admin: body.admin === true && (body.kind === undefined || body.kind === 'user'), name: body.name };
    } catch (error) {
      return { problem: `The hub did not answer (${(error as Error).name}).`, status: 502 };
    }
  }
}
