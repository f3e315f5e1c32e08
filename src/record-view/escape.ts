// HTML escaping and safe links for everything the record views and notebook boxes put into HTML.

const HTML_ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes text for HTML element content and for quoted attribute values.
 * Anything that is not a string is turned into one first.
 *
 * @example
 * escapeHtml('<img src=x onerror=alert(1)>'); // '&lt;img src=x onerror=alert(1)&gt;'
 */
export function escapeHtml(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (ch) => HTML_ENTITIES[ch] ?? ch);
}

/** The normalised URL when `url` is an absolute http(s) URL, else undefined. */
export function safeHttpUrl(url: string): string | undefined {
  // Only http(s) ever becomes a link: a record is public and anyone can store `javascript:` or
  // `data:` in it, and a notebook output runs in the trainee's logged-in Jupyter page.
  if (!/^\s*https?:\/\//i.test(url)) return undefined;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

/**
 * An HTML link that opens in a new tab, or just the escaped text when `url` is not an absolute
 * http(s) URL (so `javascript:` and `data:` URLs never become clickable).
 *
 * @param url  where the link points
 * @param text what the link says; the URL itself when omitted
 * @example
 * linkTo('https://hdl.handle.net/11304/cf8956a2-39d3-11e5-8a18-f31aa6f4d448', 'resolve');
 * // '<a href="https://hdl.handle.net/11304/cf89…" target="_blank" rel="noopener noreferrer">resolve</a>'
 * linkTo('javascript:alert(1)'); // 'javascript:alert(1)' (plain text)
 */
export function linkTo(url: string, text?: string): string {
  const href = safeHttpUrl(String(url));
  const label = escapeHtml(text ?? url);
  if (href === undefined) return label;
  return `<a href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer">${label}</a>`;
}
