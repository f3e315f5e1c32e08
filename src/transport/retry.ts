// When and how long the client waits before trying a request again: idempotent requests only, on a
// busy server (503) or a failed connection, with doubling waits, and Retry-After honoured when larger.

export interface RetryOptions {
  /** Further tries after the first for GET, PUT and DELETE that met a 503 or a connection failure; default 0. */
  retries?: number | undefined;
  /** Wait before the first retry in milliseconds, doubled for each further one; default 500. */
  retryDelayMs?: number | undefined;
  /** Longest wait between two tries, also for a long Retry-After; default 10000. */
  maxRetryDelayMs?: number | undefined;
}

export interface RetryPolicy {
  retries: number;
  retryDelayMs: number;
  maxRetryDelayMs: number;
}

function nonNegative(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a number of 0 or more, not ${value}`);
  return value;
}

export function retryPolicy(options: RetryOptions): RetryPolicy {
  const retries = nonNegative(options.retries, 'retries', 0);
  if (!Number.isInteger(retries)) throw new RangeError(`retries must be a whole number, not ${retries}`);
  return {
    retries,
    retryDelayMs: nonNegative(options.retryDelayMs, 'retryDelayMs', 500),
    maxRetryDelayMs: nonNegative(options.maxRetryDelayMs, 'maxRetryDelayMs', 10_000),
  };
}

/**
 * Methods the Handle API treats as idempotent. A PUT that must not overwrite (a create) or that mints
 * a suffix is not: a retry after a lost answer would meet its own first try.
 */
export function mayRetry(method: string, url: string): boolean {
  if (method === 'GET' || method === 'DELETE') return true;
  if (method !== 'PUT') return false;
  const query = new URL(url).searchParams;
  return query.get('overwrite') !== 'false' && query.get('mintNewSuffix') !== 'true';
}

/**
 * Connection failures worth another try: refused, reset, or timed out. TLS and URL mistakes are not, nor a
 * closed or destroyed dispatcher (UND_ERR_CLOSED, UND_ERR_DESTROYED): it refuses every try the same way.
 */
export function isRetryableConnectionError(error: unknown): boolean {
  const code = (error as { code?: string }).code ?? '';
  return ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT'].includes(code);
}

/** Seconds or an HTTP date, as RFC 9110 allows; undefined when absent or unreadable. */
export function retryAfterMs(header: string | string[] | undefined, now = Date.now()): number | undefined {
  const text = Array.isArray(header) ? header[0] : header;
  if (!text) return undefined;
  if (/^\s*\d+\s*$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The wait before try number `attempt + 1` (attempt counts from 1). */
export function retryDelay(policy: RetryPolicy, attempt: number, retryAfter: number | undefined): number {
  const backoff = policy.retryDelayMs * 2 ** (attempt - 1);
  return Math.min(Math.max(backoff, retryAfter ?? 0), policy.maxRetryDelayMs);
}
