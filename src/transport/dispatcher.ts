// How the client reaches a server: one undici dispatcher per client (keep-alive pool, TLS client
// certificate and CA, timeouts), which opens a fresh pool when it is used again after close().
import { readFileSync } from 'node:fs';
import { Agent } from 'undici';
// The type from its own declaration file, not undici's index: the notebooks' kernel then loads 10 of undici's
// declaration files instead of 44 (the same class, so the type is the same).
import type Dispatcher from 'undici/types/dispatcher';
import { ReopeningAgent } from './reopening-agent.js';
import type { RetryOptions } from './retry.js';
import { PACKAGE_VERSION } from '../version.js';

export interface TransportOptions extends RetryOptions {
  /** false = accept any server certificate (learning setups only); a path = trust that CA file. */
  httpsVerify?: boolean | string | undefined;
  /** PEM client certificate and key, for HS_PUBKEY authentication. */
  certificateFile?: string | undefined;
  privateKeyFile?: string | undefined;
  /** One PEM file holding both. */
  certificateAndKeyFile?: string | undefined;
  /** Per-request time limit for connecting and for headers/body, in milliseconds; default 30000. */
  timeoutMs?: number | undefined;
  /** Sent as User-Agent, so a server's log can tell programs apart; default `pid-handson/<version>`. */
  userAgent?: string | undefined;
  /** Parallel connections per server (batch work). */
  connections?: number | undefined;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_USER_AGENT = `pid-handson/${PACKAGE_VERSION}`;
/** What the `pid` command line sends; the instructor's live view recognises it. */
export const CLI_USER_AGENT = `pid-handson-cli/${PACKAGE_VERSION}`;

/**
 * Builds the dispatcher a client uses for all its requests. close() closes its connections; a request
 * after that opens new ones with the same settings (destroy() is final).
 * @example const dispatcher = createDispatcher({ httpsVerify: 'data/credentials/ca.pem' });
 */
export function createDispatcher(options: TransportOptions = {}): Dispatcher {
  const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const verify = options.httpsVerify ?? true;
  const combined = options.certificateAndKeyFile ? readFileSync(options.certificateAndKeyFile) : undefined;
  // Read once: a reopened pool uses the files as they were when the dispatcher was made.
  const connect = {
    rejectUnauthorized: verify !== false,
    ...(typeof verify === 'string' ? { ca: readFileSync(verify) } : {}),
    ...(combined ? { cert: combined, key: combined } : {}),
    ...(options.certificateFile ? { cert: readFileSync(options.certificateFile) } : {}),
    ...(options.privateKeyFile ? { key: readFileSync(options.privateKeyFile) } : {}),
    timeout,
  };
  return new ReopeningAgent(
    () =>
      new Agent({
        connect,
        headersTimeout: timeout,
        bodyTimeout: timeout,
        connections: options.connections ?? 16,
        keepAliveTimeout: 4_000,
      }),
  );
}
