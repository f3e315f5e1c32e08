// Serving the mock behind a proxy that keeps a path prefix (JupyterHub's /services/pid-mock/): requests
// under the prefix are routed as if it were not there, and the answers to them name their own paths
// (redirects, links, form actions, script URLs) under the prefix again, so pages work through the hub.
import type { FastifyInstance, FastifyReply } from 'fastify';

/** "/services/pid-mock/" → "/services/pid-mock"; "" or "/" → undefined (no prefix). */
export function normaliseBasePath(value: string | undefined): string | undefined {
  const trimmed = (value ?? '').replace(/^\/+|\/+$/g, '');
  return trimmed ? `/${trimmed}` : undefined;
}

/** The path to route: the request's path without the prefix, or as it is when it is not under it. */
export function withoutBasePath(url: string, basePath: string): string {
  if (url === basePath || url.startsWith(`${basePath}?`)) return `/${url.slice(basePath.length)}`;
  return url.startsWith(`${basePath}/`) ? url.slice(basePath.length) : url;
}

const TEXT = /^(text\/html|application\/javascript|text\/javascript)/;

const LEADS_OUTSIDE = Symbol('the redirect leads outside this server');

/**
 * A redirect to a page of the proxy's own (the hub's /hub/api/oauth2/authorize): its root-relative
 * location is not one of ours and keeps no prefix of ours.
 */
export function redirectOutside(reply: FastifyReply, location: string): FastifyReply {
  (reply as unknown as Record<symbol, boolean>)[LEADS_OUTSIDE] = true;
  return reply.code(302).header('location', location).send();
}

/** Root-relative URLs in a page or script: attribute values and string literals that start with one "/". */
export function prefixRootPaths(text: string, basePath: string): string {
  return text.replace(/(\s(?:href|src|action)=["'])\/(?!\/)/g, `$1${basePath}/`).replace(/(["'`])\/_admin\//g, `$1${basePath}/_admin/`);
}

export function serveUnderBasePath(app: FastifyInstance, basePath: string): void {
  const underPrefix = (originalUrl: string) => originalUrl === basePath || originalUrl.startsWith(`${basePath}/`) || originalUrl.startsWith(`${basePath}?`);

  // The hub's Services menu links to the prefix itself: that leads the instructor to the live page.
  app.addHook('onRequest', async (request, reply) => {
    const original = request.originalUrl.split('?')[0];
    if (original === basePath || original === `${basePath}/`) return reply.redirect(`${basePath}/_admin/live`);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    if (!underPrefix(request.originalUrl)) return payload;
    const location = reply.getHeader('location');
    const outside = (reply as unknown as Record<symbol, boolean>)[LEADS_OUTSIDE] === true;
    if (typeof location === 'string' && !outside && location.startsWith('/') && !location.startsWith('//') && !location.startsWith(`${basePath}/`)) {
      reply.header('location', `${basePath}${location}`);
    }
    const cookies = reply.getHeader('set-cookie');
    if (cookies !== undefined) {
      const list = (Array.isArray(cookies) ? cookies : [String(cookies)]).map((c) => c.replace(/;\s*Path=\/(?!\/)/i, `; Path=${basePath}/`));
      reply.header('set-cookie', list);
    }
    const type = String(reply.getHeader('content-type') ?? '');
    if (!TEXT.test(type) || !(typeof payload === 'string' || Buffer.isBuffer(payload))) return payload;
    const rewritten = prefixRootPaths(payload.toString(), basePath);
    reply.removeHeader('content-length');
    return rewritten;
  });
}
