// The admin API of teaching faults: PUT /_admin/faults switches them on for a while, GET says what is
// on, DELETE switches them off. Errors are Handle-shaped, and bad input changes nothing.
import type { FastifyInstance } from 'fastify';
import type { AdminSessions } from '../admin-session.js';
import type { FaultSwitch } from './switch.js';
import { API_FIELDS, FaultInputError, parseFaultSettings } from './settings.js';
import { replyHandleError } from '../../http/handle-replies.js';
import { Rc } from '../../handle/envelope.js';

export interface FaultRoutesOptions {
  faults: FaultSwitch;
  sessions: AdminSessions;
}

const JSON_TYPE = 'application/json;charset=utf-8';

function describe(faults: FaultSwitch) {
  const active = faults.current();
  return { responseCode: 1, faults: active ? { active: true, ...active } : { active: false } };
}

export default async function faultRoutes(app: FastifyInstance, options: FaultRoutesOptions): Promise<void> {
  // Read as text so that broken JSON gets a Handle-shaped 400 rather than Fastify's own error.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  const guard = options.sessions.guard();

  app.get('/_admin/faults', { preHandler: guard }, async (_request, reply) => reply.type(JSON_TYPE).send(describe(options.faults)));

  app.put('/_admin/faults', { preHandler: guard }, async (request, reply) => {
    const bad = (message: string) => replyHandleError(reply, 400, Rc.protocolError, message);
    let body: unknown;
    try {
      body = JSON.parse(typeof request.body === 'string' && request.body !== '' ? request.body : 'null');
    } catch {
      return bad('the body must be JSON such as {"latency": "800ms", "failRate": 0.2, "for": "5m", "areas": ["api", "resolver", "hrls"]}');
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      return bad('the body must be a JSON object such as {"latency": "800ms", "failRate": 0.2, "for": "5m"}');
    }
    const input = body as Record<string, unknown>;
    const unknown = Object.keys(input).find((k) => !['latency', 'failRate', 'for', 'areas'].includes(k));
    if (unknown !== undefined) return bad(`unknown field ${JSON.stringify(unknown)} (known: latency, failRate, for, areas)`);
    try {
      options.faults.on(parseFaultSettings({ latency: input.latency, failRate: input.failRate, duration: input.for, areas: input.areas }, API_FIELDS));
    } catch (error) {
      if (error instanceof FaultInputError) return bad(error.message);
      throw error;
    }
    return reply.type(JSON_TYPE).send(describe(options.faults));
  });

  app.delete('/_admin/faults', { preHandler: guard }, async (_request, reply) => {
    options.faults.off();
    return reply.type(JSON_TYPE).send(describe(options.faults));
  });
}
