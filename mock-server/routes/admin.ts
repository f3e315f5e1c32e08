// Instructor endpoints under /_admin: health for probes, and token-protected reset, reseed and the
// change journal (the record of who changed which handle when).
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { HandleStore } from '../store.js';

export interface AdminOptions {
  store: HandleStore;
  adminToken: string;
  /** Back to the first-start state: identities, prefix handles and seeds; everything else is gone. */
  reset: () => void;
  /** Writes the seed records again, leaving other handles alone. */
  reseed: () => void;
}

function tokenMatches(offered: string, expected: string): boolean {
  const a = Buffer.from(offered);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export default async function adminRoutes(app: FastifyInstance, options: AdminOptions): Promise<void> {
  // Probed every few seconds by container health checks: logging each probe would bury the useful lines.
  app.get('/_admin/health', { logLevel: 'silent' }, async () => ({ status: 'serving' }));

  async function requireToken(request: FastifyRequest, reply: FastifyReply) {
    const header = request.headers.authorization ?? '';
    const token = /^bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
    if (!token) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="pid-mock admin"')
        .send({ error: 'missing admin token: send "Authorization: Bearer <token>" (the token is in <data>/instructor/admin-token)' });
    }
    if (!tokenMatches(token, options.adminToken)) return reply.code(403).send({ error: 'wrong admin token' });
  }

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

  app.all('/_admin/*', async (request, reply) => reply.code(404).send({ error: `no admin endpoint ${request.method} ${request.url.split('?')[0]}` }));
}
