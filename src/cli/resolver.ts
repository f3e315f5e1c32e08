// The browser resolver (`GET /<handle>` on a proxy such as hdl.handle.net, or the Handle server itself): its URL for a handle, and one look at where it redirects.
import type { PIDClientCredentials } from '../credentials.js';
import { handleFailure, handleNotFound } from '../error-kinds.js';
import { handleUrl } from '../handle-path.js';
import { UsageError } from './exit-codes.js';

export interface Resolver {
  /** e.g. `https://127.0.0.1:8000` or `https://hdl.handle.net`, without a trailing slash. */
  baseUrl: string;
  /** The CA to trust: the credentials' HTTPS_verify for their own server, the system's for any other. */
  httpsVerify: boolean | string;
}

export interface Resolution {
  handle: string;
  /** The URL that was asked, `<resolver>/<handle>`. */
  resolverUrl: string;
  status: number;
  /** Where the resolver sends a browser, or null when it shows the values page instead. */
  location: string | null;
}

/**
 * `--resolver URL` when given (trusting the system's CAs), else the Handle server of the credentials,
 * which serves the same `/<handle>` redirects as the global proxy.
 * @example resolverFor('https://hdl.handle.net', undefined) // { baseUrl: 'https://hdl.handle.net', httpsVerify: true }
 */
export function resolverFor(override: string | undefined, credentials: PIDClientCredentials | undefined): Resolver {
  if (override !== undefined) {
    if (!/^https?:\/\/[^/]/i.test(override)) {
      throw new UsageError(`--resolver "${override}" is not an http(s) URL`, { hint: 'write e.g. --resolver https://hdl.handle.net' });
    }
    return { baseUrl: override.replace(/\/+$/, ''), httpsVerify: true };
  }
  const server = credentials?.serverUrl;
  if (server === undefined) {
    throw new UsageError('no resolver: the credentials have no handle_server_url', { hint: 'pass --resolver URL, e.g. --resolver https://hdl.handle.net' });
  }
  const httpsVerify = credentials?.httpsVerify ?? true;
  // The server's resolver pages over plain HTTP on the same port (as lessonUrls gives them to the
  // notebooks): links written into records must open in a browser that does not trust the server's CA.
  const origin = new URL(server);
  origin.protocol = 'http:';
  return { baseUrl: origin.origin, httpsVerify };
}

/**
 * Asks the resolver once, without following the redirect, so the answer shows where the PID points today.
 * @example const { status, location } = await resolveHandle('11304/cf8956a2-39d3-11e5-8a18-f31aa6f4d448', resolver);
 */
export async function resolveHandle(handle: string, resolver: Resolver): Promise<Resolution> {
  const url = handleUrl(resolver.baseUrl, handle);
  // Loaded on first use, so commands that only need the resolver's URL stay light (see program.ts).
  const { ANY_REPLY, HandleTransport } = await import('../transport/index.js');
  // One try and no User-Agent: a look at the resolver is not a `pid` API call, and the live activity view
  // tells those apart by their User-Agent.
  const transport = new HandleTransport({ httpsVerify: resolver.httpsVerify, userAgent: null });
  try {
    // Only the status and the Location header matter; the body is a small HTML page for browsers.
    const { status, headers } = await transport.send({ method: 'GET', url, action: `resolve ${handle}`, handle, expect: ANY_REPLY });
    if (status === 404) {
      throw handleNotFound(handle, `resolve ${handle}: ${url} answered 404`, {
        httpStatus: 404,
        hint: 'check the spelling of the PID, or ask another resolver with --resolver',
      });
    }
    const header = headers?.location;
    const location = Array.isArray(header) ? header[0] : header;
    if (status >= 300 && status < 400 && location) return { handle, resolverUrl: url, status, location: new URL(location, url).href };
    if (status === 200) return { handle, resolverUrl: url, status, location: null };
    throw handleFailure(handle, `resolve ${handle}: ${url} answered HTTP ${status}`, {
      httpStatus: status,
      hint: 'the resolver had a problem; try again, or ask another resolver with --resolver',
    });
  } finally {
    await transport.close();
  }
}
