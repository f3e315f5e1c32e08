// A request that got no HTTP answer at all, explained for a learner: the server is down, too slow, or its
// certificate is not trusted, or the request never left because its connection pool was shut. undici's codes become the client's own error classes.
import { handleFailure, timedOut } from '../error-kinds.js';
import type { HandleError } from '../errors.js';
import { DEFAULT_TIMEOUT_MS } from './dispatcher.js';

const TIMEOUT_CODES = ['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'];
/** undici's ClientDestroyedError and ClientClosedError: the request never left, its pool was shut. */
const SHUT_POOL_CODES: Record<string, string> = { UND_ERR_DESTROYED: 'destroyed', UND_ERR_CLOSED: 'closed' };

export interface ConnectionAttempts {
  tries: number;
  timeoutMs: number;
  /** Whose dispatcher carried the request: the client's own, or one the caller passed in (`dispatcher` option). */
  dispatcher?: 'own' | 'caller' | undefined;
}

/**
 * The error for a request to `url` that failed below HTTP, after `tries` tries.
 * @example connectionError('https://127.0.0.1:8000/api/handles/21.T12995/x', Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))
 */
export function connectionError(url: string, error: unknown, attempts: ConnectionAttempts = { tries: 1, timeoutMs: DEFAULT_TIMEOUT_MS }): HandleError {
  const code = (error as { code?: string }).code ?? '';
  const message = (error as Error).message ?? String(error);
  const tries = attempts.tries > 1 ? ` (gave up after ${attempts.tries} tries)` : '';
  const shut = SHUT_POOL_CODES[code];
  if (shut) {
    // Not the server's fault, and no retry helps: say whose pool it was and how to get a working one.
    const whose = attempts.dispatcher === 'caller' ? 'the dispatcher passed in with the `dispatcher` option' : 'its dispatcher (connection pool)';
    return handleFailure(undefined, `request to ${url} was not sent: ${whose} was ${shut} before the request (the server was not asked)`, {
      hint:
        attempts.dispatcher === 'caller'
          ? 'a dispatcher you pass in stays yours: keep it open while the client uses it, or leave the option out and the client uses its own, which reopens after close()'
          : `a ${shut} dispatcher takes no more requests: make a new one with createDispatcher(…) (its close() can be followed by more requests; destroy() is final)`,
      cause: error,
    });
  }
  if (code === 'ECONNREFUSED') {
    return handleFailure(undefined, `cannot connect to ${new URL(url).origin}: connection refused${tries}`, {
      hint: 'is the Handle server running? For the lesson, start the mock server (npm start or pid-mock serve)',
      cause: error,
    });
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return handleFailure(undefined, `cannot connect to ${new URL(url).origin}: the host name ${new URL(url).hostname} is not known here${tries}`, {
      hint: 'check the host in the server URL (handle_server_url in the credentials); offline, only the lesson server on this machine answers',
      cause: error,
    });
  }
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE') {
    return handleFailure(undefined, `the connection to ${new URL(url).origin} broke off before the answer came${tries}`, {
      hint: 'the server closed the connection (restarted, or not an HTTPS server on that port?): run the cell again, or give the client retries: 3',
      cause: error,
    });
  }
  if (TIMEOUT_CODES.includes(code)) {
    return timedOut(`no answer to ${url} within ${attempts.timeoutMs} ms${tries}`, {
      hint: 'the server is slow or unreachable: a larger timeoutMs waits longer, retries: N tries again',
      cause: error,
    });
  }
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code) || /certificate/i.test(message)) {
    return handleFailure(undefined, `the TLS certificate of ${new URL(url).origin} is not trusted (${code || message})`, {
      hint: 'set HTTPS_verify in the credentials to the CA file of the server (the mock writes credentials/ca.pem)',
      cause: error,
    });
  }
  return handleFailure(undefined, `request to ${url} failed: ${message}${tries}`, {
    hint: 'check the server URL and that the server is reachable',
    cause: error,
  });
}
