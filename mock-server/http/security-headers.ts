// The headers every HTML or XML page gets, whichever route made it: record values are written by
// trainees, so a page must not be able to run anything but the server's own known script.
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

/**
 * No scripts but the one inline script the composition root names (the home page's focus line, by
 * hash: the pages are the views' business, not this layer's), no plug-ins, frames, foreign forms or
 * <base>; inline styles stay allowed because the pages copy the real proxy's markup and a style
 * cannot run code.
 */
export function contentSecurityPolicy(inlineScript: string): string {
  const scriptHash = createHash('sha256').update(inlineScript, 'utf8').digest('base64');
  return [
    "default-src 'none'",
    `script-src 'sha256-${scriptHash}'`,
    "style-src 'unsafe-inline'",
    "img-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Media types a browser renders as a document (and so could run script from). */
const DOCUMENT_TYPE = /^\s*(text\/html|text\/xml|application\/xml|application\/xhtml\+xml|image\/svg\+xml|[a-z]+\/[a-z0-9.+-]*\+xml)\s*(;|$)/i;

/** A server sends few distinct media types, and every answer asks: each is tested once. */
const documentTypes = new Map<string, boolean>();

export function isDocumentType(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  let document = documentTypes.get(contentType);
  if (document === undefined) {
    document = DOCUMENT_TYPE.test(contentType);
    if (documentTypes.size < 64) documentTypes.set(contentType, document);
  }
  return document;
}

/** Adds the policy centrally, at onSend, so a page added later cannot forget it. */
export function addSecurityHeaders(app: FastifyInstance, options: { inlineScript: string }): void {
  const policy = contentSecurityPolicy(options.inlineScript);
  // A callback hook: no promise on every answer.
  app.addHook('onSend', (_request, reply, payload, done) => {
    reply.header('x-content-type-options', 'nosniff');
    const type = reply.getHeader('content-type');
    // A page that serves its own script files (the instructor's pages) sets its own, equally strict, policy.
    if (isDocumentType(typeof type === 'string' ? type : undefined) && !reply.hasHeader('content-security-policy')) {
      reply.header('content-security-policy', policy);
    }
    done(null, payload);
  });
}
