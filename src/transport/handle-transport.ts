// The one way the client and the `pid` command talk HTTP, shaped like octokit's fetch-wrapper: one call
// sends the request, tries it again while the server is busy or the connection fails (idempotent
// requests only), reads the reply, and throws the typed error for a reply the caller did not expect or
// for no reply at all. Callers say which replies they handle; everything else is explained here.
import { request } from 'undici';
// The type from its own declaration file, not undici's index: the notebooks' kernel then loads 10 of undici's
// declaration files instead of 44 (the same class, so the type is the same).
import type Dispatcher from 'undici/types/dispatcher';
import { createDispatcher, DEFAULT_TIMEOUT_MS, DEFAULT_USER_AGENT, type TransportOptions } from './dispatcher.js';
import { connectionError } from './network-errors.js';
import { errorFor, isSuccess, parseReply, type HandleResponse } from './reply.js';
import { isRetryableConnectionError, mayRetry, retryAfterMs, retryDelay, retryPolicy, type RetryPolicy } from './retry.js';

export interface HandleRequest {
  method: Dispatcher.HttpMethod;
  url: string;
  headers?: Record<string, string> | undefined;
  body?: string | undefined;
  /** What was attempted, for the error message, e.g. `register 21.T12995/abc`. */
  action: string;
  handle?: string | undefined;
  /** The replies the caller deals with itself; any other is thrown as errorFor(action, handle, reply). Default: Handle success. */
  expect?: ((reply: HandleResponse) => boolean) | undefined;
}

export interface TransportSetup extends Omit<TransportOptions, 'userAgent'> {
  /** Default `pid-handson/<version>`; null sends none (a resolver look that must not pass for API traffic). */
  userAgent?: string | null | undefined;
  /** Use this dispatcher instead of creating one; it is not closed by close(). */
  dispatcher?: Dispatcher | undefined;
}

/** Every reply is one the caller deals with (resolvers, the reverse look-up service: not Handle JSON). */
export const ANY_REPLY = (): boolean => true;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A connection pool to one or more servers with the client's retry policy and time limits.
 * @example
 * const transport = new HandleTransport({ httpsVerify: 'data/credentials/ca.pem' });
 * const reply = await transport.send({ method: 'GET', url: 'https://127.0.0.1:8000/api/handles/21.T12995/abc', action: 'read 21.T12995/abc' });
 * await transport.close();
 */
export class HandleTransport {
  private readonly dispatcher: Dispatcher;
  private readonly ownsDispatcher: boolean;
  private readonly userAgent: string | null;
  private readonly timeoutMs: number;

  constructor(
    setup: TransportSetup = {},
    private readonly retry: RetryPolicy = retryPolicy(setup),
  ) {
    this.userAgent = setup.userAgent === undefined ? DEFAULT_USER_AGENT : setup.userAgent;
    this.timeoutMs = setup.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.ownsDispatcher = setup.dispatcher === undefined;
    this.dispatcher = setup.dispatcher ?? createDispatcher({ ...setup, userAgent: undefined });
  }

  /** Sends `req` and returns the reply it expects; throws a HandleError for any other reply or for none. */
  async send(req: HandleRequest): Promise<HandleResponse> {
    const reply = await this.exchange(req.method, req.url, req.headers ?? {}, req.body);
    if (!(req.expect ?? isSuccess)(reply)) throw errorFor(req.action, req.handle, reply);
    return reply;
  }

  /**
   * One request, tried again (when the policy allows it and the method is idempotent) while the server
   * is busy (503) or the connection fails; the reply says how many tries it took.
   */
  private async exchange(method: Dispatcher.HttpMethod, url: string, headers: Record<string, string>, body: string | undefined): Promise<HandleResponse> {
    const retryable = mayRetry(method, url);
    const allHeaders = this.userAgent === null ? headers : { 'user-agent': this.userAgent, ...headers };
    for (let attempt = 1; ; attempt++) {
      const last = !retryable || attempt > this.retry.retries;
      let response: Dispatcher.ResponseData;
      try {
        response = await request(url, { method, headers: allHeaders, body: body ?? null, dispatcher: this.dispatcher });
      } catch (error) {
        if (last || !isRetryableConnectionError(error)) {
          throw connectionError(url, error, { tries: attempt, timeoutMs: this.timeoutMs, dispatcher: this.ownsDispatcher ? 'own' : 'caller' });
        }
        await sleep(retryDelay(this.retry, attempt, undefined));
        continue;
      }
      const text = await response.body.text();
      if (response.statusCode === 503 && !last) {
        await sleep(retryDelay(this.retry, attempt, retryAfterMs(response.headers['retry-after'])));
        continue;
      }
      return parseReply(response.statusCode, text, attempt, response.headers);
    }
  }

  /**
   * Closes the connection pool (not a dispatcher passed in by the caller); the next request opens a new
   * one, so a notebook cell that closes a client early leaves no later cell broken.
   */
  async close(): Promise<void> {
    if (this.ownsDispatcher && !(this.dispatcher as { closed?: boolean }).closed) await this.dispatcher.close();
  }
}
