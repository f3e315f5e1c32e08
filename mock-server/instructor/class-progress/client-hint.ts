// The hint a trainee read under a failed request: the client (src/transport/reply.ts) turns a Handle reply
// into an error with a hint for a learner, and the board shows the instructor that same sentence, so both
// see one text. Only the status and responseCode reach the request log, so a hint that quotes the server's
// message (a teaching fault's 503) is the client's generic one.
import { errorFor, parseReply } from '../../../src/transport/reply.js';

/** The client's hint for a reply with this status and Handle responseCode; undefined below 400. */
export function clientHint(status: number, responseCode: number | undefined): string | undefined {
  if (status < 400) return undefined;
  const body = responseCode === undefined ? '' : JSON.stringify({ responseCode });
  return errorFor('request', undefined, parseReply(status, body, 1)).hint;
}
