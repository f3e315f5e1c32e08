// The per-handle history page at /_history/<handle>, linked from the resolver's values page. The reader
// is whoever the request authenticates as (anonymous in a plain browser), or the instructor when the
// live view's session cookie comes along.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticate } from '../../handle/auth.js';
import { isTls, peerCertificate } from '../../http/connection.js';
import type { HandleService } from '../../handle/handle-service.js';
import type { AdminSessions } from '../admin-session.js';
import { sendPage } from '../html.js';
import { renderHistoryPage } from './page.js';
import { type Reader, recordsAtEntries, visibleValues } from './visibility.js';

export interface HistoryOptions {
  service: HandleService;
  sessions: AdminSessions;
}

export default async function historyRoutes(app: FastifyInstance, options: HistoryOptions): Promise<void> {
  const { service, sessions } = options;
  // Two addresses, one page: /_history/ for everyone; /_admin/history/ is where the browser sends the
  // instructor's session cookie (its path is /_admin), so the live view links there.
  const page = async (request: FastifyRequest, reply: FastifyReply) => {
    const handle = ((request.params as { '*'?: string })['*'] ?? '').trim();
    if (!handle?.includes('/')) return reply.code(400).type('text/plain;charset=utf-8').send('Give a handle: /_history/<prefix>/<suffix>\n');
    let reader: Reader;
    let readerNote: string;
    if (sessions.of(request)) {
      reader = { kind: 'instructor' };
      readerNote = 'Shown to the instructor: every value.';
    } else {
      const overTls = isTls(request.raw);
      const authentication = authenticate(
        { authorization: request.headers.authorization, overTls, peerCertificate: peerCertificate(request.raw) },
        service.store,
      );
      if (authentication.kind === 'authenticated') {
        request.identity = `${authentication.identity.index}:${authentication.identity.handle}`;
        reader = { kind: 'caller', authentication, overTls };
        readerNote = `Shown to ${request.identity}: public values, and restricted ones only where the record's owners at the time let this identity read them.`;
      } else {
        reader = { kind: 'caller', authentication: { kind: 'anonymous' }, overTls };
        readerNote =
          authentication.kind === 'failed'
            ? 'Your credentials were not accepted, so only public values are shown.'
            : 'Shown to an anonymous reader: public values only (authenticate over HTTPS to see what your identity may read).';
      }
    }
    const history = service.store.history(handle);
    if (!history.length && !service.store.exists(handle)) {
      return sendPage(reply, 404, renderHistoryPage({ handle, entries: [], readerNote }));
    }
    // Each value is judged by the record as it stood then: whoever re-creates a deleted name does not
    // inherit the right to read its earlier owner's restricted values.
    const records = recordsAtEntries(history);
    const entries = history.map((entry, i) => {
      const before = visibleValues(service, reader, records[i]!.before, entry.before);
      const after = visibleValues(service, reader, records[i]!.after, entry.after);
      return { entry, before, after, hidden: entry.before.length + entry.after.length - before.length - after.length };
    });
    return sendPage(reply, 200, renderHistoryPage({ handle, entries, readerNote }));
  };
  app.get('/_history/*', page);
  app.get('/_admin/history/*', page);
}
