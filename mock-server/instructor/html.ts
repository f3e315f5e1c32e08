// Escaping and the security headers shared by the instructor's HTML pages.
import type { FastifyReply } from 'fastify';
// The package's one HTML escaper: the same five characters, as named entities (&lt; where this
// module used to write &#60;), which a browser reads as the same text.
import { escapeHtml } from '../../src/record-view/escape.js';

export { escapeHtml };

/**
 * Scripts only from this server (no inline script, so a stored `<script>` that slipped through could
 * not run either), nothing from a CDN, no framing, forms only back to us.
 */
export const PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export function sendPage(reply: FastifyReply, status: number, html: string): FastifyReply {
  return (
    reply
      .code(status)
      .header('content-security-policy', PAGE_CSP)
      .header('x-content-type-options', 'nosniff')
      // same-origin, not no-referrer: with no-referrer Chromium sends "Origin: null" and the login form's origin check would fail.
      .header('referrer-policy', 'same-origin')
      .header('cache-control', 'no-store')
      .type('text/html;charset=utf-8')
      .send(html)
  );
}
