// The class board's routes: the page (or the login form, which comes back here) and its assets. Its
// data is GET /_admin/class/progress, read with the live page's session cookie.
import type { FastifyInstance } from 'fastify';
import type { AdminSessions } from '../admin-session.js';
import type { HubLogin } from '../hub-login.js';
import { sendPage } from '../html.js';
import { renderLoginPage } from '../live/page.js';
import { BOARD_CSS, BOARD_JS } from './assets.js';
import { renderBoardPage } from './page.js';

export const BOARD_PATH = '/_admin/board';

export default async function boardRoutes(app: FastifyInstance, options: { sessions: AdminSessions; hubLogin?: HubLogin | undefined }): Promise<void> {
  const { sessions, hubLogin } = options;
  app.get(`${BOARD_PATH}/board.css`, async (_request, reply) => reply.type('text/css;charset=utf-8').header('cache-control', 'no-cache').send(BOARD_CSS));
  app.get(`${BOARD_PATH}/board.js`, async (_request, reply) =>
    reply.type('application/javascript;charset=utf-8').header('cache-control', 'no-cache').header('x-content-type-options', 'nosniff').send(BOARD_JS),
  );
  app.get(BOARD_PATH, async (request, reply) => {
    if (!sessions.of(request) && hubLogin?.applies(request)) return hubLogin.start(request, reply, BOARD_PATH);
    if (!sessions.of(request)) return sendPage(reply, 200, renderLoginPage(sessions.tokenSource, undefined, BOARD_PATH));
    return sendPage(reply, 200, renderBoardPage());
  });
}
