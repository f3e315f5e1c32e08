// Instructor endpoints under /_admin: health for probes, the admin-token guard every other /_admin
// route uses, and token-protected reset, reseed and the change journal (who changed which handle when).
import type { FastifyInstance, preHandlerAsyncHookHandler } from 'fastify';
import type { HandleStore } from '../storage/store.js';
import { replyHandleError } from '../http/handle-replies.js';

export interface AdminOptions {
  store: HandleStore;
  /** The one admin guard of the server (Bearer token, or the live page's session): see AdminSessions. */
  guard: preHandlerAsyncHookHandler;
  /** Back to the first-start state: identities, prefix handles and seeds; everything else is gone. */
  reset: () => void;
  /** Writes the seed records again, leaving other handles alone. */
  reseed: () => void;
}

export default async function adminRoutes(app: FastifyInstance, options: AdminOptions): Promise<void> {
  // Probed every few seconds by container health checks: logging each probe would bury the useful lines.
  // Degraded is still a 200: reads work, and a restart would not free the disk (docs/class-admin-api.md).
  app.get('/_admin/health', { logLevel: 'silent' }, async () => options.store.writeHealth.report());

  const requireToken = options.guard;

  app.post('/_admin/reset', { preHandler: requireToken }, async () => {
    options.reset();
    return { status: 'reset', handles: options.store.allHandles().length };
  });

  app.post('/_admin/reseed', { preHandler: requireToken }, async () => {
    options.reseed();
    return { status: 'reseeded', handles: options.store.allHandles().length };
  });

  app.get('/_admin/events', { preHandler: requireToken }, async (request) => {
    const query = request.query as { after?: string; handle?: string; limit?: string };
    const after = Number(query.after ?? 0);
    const limit = Math.min(Number(query.limit ?? 1000), 10000);
    return {
      events: options.store.events({
        afterId: Number.isFinite(after) ? after : 0,
        ...(query.handle ? { handle: query.handle } : {}),
        limit: Number.isFinite(limit) && limit > 0 ? limit : 1000,
      }),
    };
  });

  app.all('/_admin/*', async (request, reply) => replyHandleError(reply, 404, 2, `no admin endpoint ${request.method} ${request.url.split('?')[0]}`));
}
