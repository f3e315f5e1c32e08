// What a faulted request gets: the answer a busy Handle server gives (HTTP 503 with responseCode 3,
// RC_SERVER_TOO_BUSY, which the real REST layer maps from 503) with Retry-After, shaped per area.
import type { FastifyReply } from 'fastify';
import type { FaultArea } from './settings.js';
import { replyHandleError } from '../../http/handle-replies.js';

/** Seconds a client is asked to wait: short, so a notebook's retries succeed within the lesson. */
export const RETRY_AFTER_SECONDS = 1;
export const RC_SERVER_TOO_BUSY = 3;
const MESSAGE = 'Server too busy: a teaching fault the instructor switched on, try again shortly';

export function sendBusy(reply: FastifyReply, area: FaultArea): FastifyReply {
  reply.code(503).header('retry-after', String(RETRY_AFTER_SECONDS));
  if (area === 'api') {
    return replyHandleError(reply, 503, RC_SERVER_TOO_BUSY, MESSAGE);
  }
  if (area === 'hrls') {
    // The search servlet's bodies are JSON-quoted strings.
    return reply.type('text/plain;charset=utf-8').send(`${JSON.stringify(MESSAGE)}\n`);
  }
  return reply
    .type('text/html;charset=utf-8')
    .send(`<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title></head><body><h1>Service Unavailable</h1><p>${MESSAGE}</p></body></html>\n`);
}
