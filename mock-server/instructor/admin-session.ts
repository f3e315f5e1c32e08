// Who may use the instructor's pages and APIs: the admin token as a Bearer header (scripts, the
// `pid-mock faults` command) or a browser session made by the live page's login form, so the token
// never has to travel in a URL, and a CSRF guard for every change made from the browser.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isTls } from '../http/connection.js';
import { replyHandleError } from '../http/handle-replies.js';
import { Rc } from '../handle/envelope.js';

export const SESSION_COOKIE = 'pid_mock_admin';
/** The header the live page's script sends with every change it asks for. */
export const CSRF_HEADER = 'x-pid-mock-csrf';
const SESSION_LIFETIME_MS = 12 * 3600 * 1000;
const MAX_SESSIONS = 100;

interface Session {
  csrf: string;
  expires: number;
}

export function tokenMatches(offered: string, expected: string): boolean {
  const a = Buffer.from(offered);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function cookieValue(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Handle-shaped refusal, as every /_admin API answers (responseCode 402: authentication needed). */
export function refuse(reply: FastifyReply, status: 401 | 403, message: string): FastifyReply {
  if (status === 401) reply.header('www-authenticate', 'Bearer realm="pid-mock admin"');
  return replyHandleError(reply, status, Rc.authenticationNeeded, message);
}

/** The sessions of one server process; they die with it (an instructor logs in again after a restart). */
export class AdminSessions {
  private readonly sessions = new Map<string, Session>();

  /**
   * @param tokenSource where the instructor finds the token, as the login page says it: the data
   *   folder's `instructor/admin-token`, or e.g. `class/class.json` under `npm run class`.
   */
  constructor(
    private readonly adminToken: string,
    readonly tokenSource = '<data>/instructor/admin-token',
  ) {}

  tokenIsRight(offered: string): boolean {
    return tokenMatches(offered.trim(), this.adminToken);
  }

  /** A new session id for the cookie; the cookie holds this random id, never the token. */
  open(): { id: string; csrf: string } {
    const now = Date.now();
    for (const [id, s] of this.sessions) if (s.expires < now) this.sessions.delete(id);
    if (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    const id = randomBytes(32).toString('base64url');
    const csrf = randomBytes(24).toString('base64url');
    this.sessions.set(id, { csrf, expires: now + SESSION_LIFETIME_MS });
    return { id, csrf };
  }

  /** The session of this request's cookie, if it is one of ours and still valid. */
  of(request: FastifyRequest): { id: string; csrf: string } | undefined {
    const id = cookieValue(request, SESSION_COOKIE);
    if (!id) return undefined;
    const session = this.sessions.get(id);
    if (!session || session.expires < Date.now()) return undefined;
    return { id, csrf: session.csrf };
  }

  close(request: FastifyRequest): void {
    const id = cookieValue(request, SESSION_COOKIE);
    if (id) this.sessions.delete(id);
  }

  cookie(request: FastifyRequest, id: string | undefined): string {
    // Secure only over HTTPS: a projector page opened over plain HTTP on the laptop must still log in.
    const secure = isTls(request.raw) ? '; Secure' : '';
    return id === undefined
      ? `${SESSION_COOKIE}=; Path=/_admin; HttpOnly; SameSite=Strict; Max-Age=0${secure}`
      : `${SESSION_COOKIE}=${id}; Path=/_admin; HttpOnly; SameSite=Strict; Max-Age=${SESSION_LIFETIME_MS / 1000}${secure}`;
  }

  bearerIsRight(request: FastifyRequest): boolean | undefined {
    // Other schemes (a trainee's Basic credentials) offer no admin token at all: 401 with the Bearer challenge.
    const token = /^bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1]?.trim();
    if (!token) return undefined;
    return tokenMatches(token, this.adminToken);
  }

  /**
   * A browser's change request must come from our own page: same origin (when the browser says) and
   * the session's CSRF token in a header, which another site's form or image cannot set.
   */
  csrfIsRight(request: FastifyRequest, session: { csrf: string }): boolean {
    if (!sameOrigin(request)) return false;
    const offered = request.headers[CSRF_HEADER];
    return typeof offered === 'string' && tokenMatches(offered, session.csrf);
  }

  /**
   * preHandler for admin APIs: a right Bearer token, or (for the pages' script) a session cookie plus,
   * on anything but GET, the CSRF header.
   */
  guard() {
    return async (request: FastifyRequest, reply: FastifyReply) => {
      const bearer = this.bearerIsRight(request);
      if (bearer === true) return;
      if (bearer === false) return refuse(reply, 403, 'wrong admin token (it is in <data>/instructor/admin-token)');
      const session = this.of(request);
      if (session) {
        if (request.method === 'GET' || request.method === 'HEAD' || this.csrfIsRight(request, session)) return;
        return refuse(reply, 403, `a change from the browser needs the page's ${CSRF_HEADER} header and a same-origin request`);
      }
      return refuse(
        reply,
        401,
        'missing admin token: send "Authorization: Bearer <token>" (the token is in <data>/instructor/admin-token) or log in at /_admin/live',
      );
    };
  }
}

/** Origin (or, failing that, Referer) names this very host; requests without either are not from a page. */
export function sameOrigin(request: FastifyRequest): boolean {
  const host = request.headers.host;
  const origin = request.headers.origin ?? (typeof request.headers.referer === 'string' ? request.headers.referer : undefined);
  if (!origin || !host) return origin === undefined;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
