// Request bodies come whole (Content-Length) or chunked, never compressed. Node's parser accepts any
// Transfer-Encoding that ends in `chunked` (`gzip, chunked`) and would hand the compressed bytes on as
// the body, or wait for chunks the client never meant to send until the request timeout: a client that
// names a coding the server does not decode is told so at once, before any body is read.
import type { FastifyInstance } from 'fastify';
import { replyClientError } from './handle-replies.js';

/** The Transfer-Encoding header's codings other than `chunked`, in the order sent. */
export function undecodedCodings(header: string): string[] {
  return header
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== 'chunked');
}

export function refuseUnknownTransferCodings(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    const header = request.headers['transfer-encoding'];
    if (header === undefined) return done();
    const others = undecodedCodings(header);
    if (others.length === 0) return done();
    // Only this request's answer: the connection cannot be reused with an unread body behind it.
    reply.header('connection', 'close');
    replyClientError(
      request,
      reply,
      400,
      `Transfer-Encoding "${header}" is not supported: send the body with Content-Length or as plain chunked (no ${others.join(', ')})`,
    );
  });
}
