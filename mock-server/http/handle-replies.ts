// Every Handle-shaped reply the server writes: a Handle operation's envelope (JSON or JSONP), the
// errors Fastify and the framework raise before or around an operation, and the /_admin API's
// refusals. One module, so that every error a client can see has the same shape and content type.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { envelopeBody, envelopeJson, Rc, type Envelope } from '../handle/envelope.js';

export const HANDLE_JSON_TYPE = 'application/json;charset=utf-8';
const PLAIN_TEXT_TYPE = 'text/plain;charset=utf-8';

/** The text of a Handle error envelope: `{"responseCode":…,"message":…}`, for replies and raw sockets alike. */
export function errorEnvelopeText(responseCode: number, message: string): string {
  return JSON.stringify(envelopeBody(responseCode, message));
}

/** A Handle error envelope with an HTTP status (the /_admin API's errors, refusals and bad input). */
export function replyHandleError(reply: FastifyReply, status: number, responseCode: number, message: string): FastifyReply {
  return reply.code(status).type(HANDLE_JSON_TYPE).send(errorEnvelopeText(responseCode, message));
}

/** A Handle operation's answer; a valid JSONP `callback` wraps it in a call, as the real server does. */
export function replyEnvelope(reply: FastifyReply, envelope: Envelope, options: { callback?: string | undefined; pretty: boolean }): FastifyReply {
  if (envelope.body === '') return reply.code(envelope.httpStatus).send();
  const json = envelopeJson(envelope.body, options.pretty);
  if (options.callback !== undefined) {
    return reply.code(envelope.httpStatus).type('application/javascript;charset=utf-8').send(`${options.callback}(${json});`);
  }
  return reply.code(envelope.httpStatus).type(HANDLE_JSON_TYPE).send(json);
}

/** Is this a request of the Handle API (whose errors are envelopes), judged on the raw URL? */
export function isApiRequest(request: FastifyRequest): boolean {
  return (request.raw.url ?? '').startsWith('/api');
}

/** Framework-level failures (oversized or unreadable requests) still answer in the Handle envelope under /api. */
export function replyClientError(request: FastifyRequest, reply: FastifyReply, status: number, message: string): FastifyReply {
  if (isApiRequest(request)) return replyHandleError(reply, status, Rc.protocolError, message);
  return reply.code(status).type(PLAIN_TEXT_TYPE).send(`${message}\n`);
}

/** A failure of the server itself: an envelope under /api, a line of text elsewhere. */
export function replyInternalError(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (isApiRequest(request)) return replyHandleError(reply, 500, Rc.error, 'Internal Error');
  return reply.code(500).type(PLAIN_TEXT_TYPE).send('Internal error\n');
}

/**
 * The payload that replaces an answer whose change could not be committed (set from an onSend hook,
 * where the reply can no longer be sent, only its payload swapped).
 */
export function notDurablePayload(request: FastifyRequest, reply: FastifyReply): string {
  reply.code(500);
  if (isApiRequest(request)) {
    reply.type(HANDLE_JSON_TYPE);
    return errorEnvelopeText(Rc.error, 'Internal Error: the change could not be stored durably');
  }
  reply.type(PLAIN_TEXT_TYPE);
  return 'Internal error: the change could not be stored durably\n';
}
