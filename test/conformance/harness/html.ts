// Reduces resolver HTML pages to what a reader of the page sees (title, table rows, sentences, form fields), so
// that the replay compares content rather than template whitespace, host-specific links or markup details.

const ENTITIES: Record<string, string> = { nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/** Visible text: scripts, styles and comments dropped, tags become spaces, whitespace collapsed. */
export function visibleText(html: string): string {
  const stripped = html
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<[^>]*>/g, ' ');
  return decodeEntities(stripped).replace(/\s+/g, ' ').trim();
}

export function pageTitle(html: string): string | undefined {
  const match = /<title[^>]*>([\s\S]*?)<\/title\s*>/i.exec(html);
  return match ? visibleText(match[1]!) : undefined;
}

/** Each `<tr>` as the visible text of its cells. */
export function tableRows(html: string): string[][] {
  const rows: string[][] = [];
  for (const row of html.matchAll(/<tr\b[^>]*>([\s\S]*?)<\/tr\s*>/gi)) {
    const cells = [...row[1]!.matchAll(/<t[dh]\b[^>]*>([\s\S]*?)<\/t[dh]\s*>/gi)].map((cell) => visibleText(cell[1]!));
    rows.push(cells);
  }
  return rows;
}

export function headings(html: string): string[] {
  return [...html.matchAll(/<h([1-6])\b[^>]*>([\s\S]*?)<\/h\1\s*>/gi)].map((m) => visibleText(m[2]!));
}

/** Names of the form's input fields, in document order. */
export function formFieldNames(html: string): string[] {
  return [...html.matchAll(/<input\b[^>]*\bname\s*=\s*"?([^"\s>]+)"?/gi)].map((m) => m[1]!);
}

/** The proxy's "The handle you requested -- X -- cannot be found." sentence, if the page has one. */
export function notFoundSentence(html: string): string | undefined {
  return /The handle you requested[\s\S]*?cannot be found\./.exec(visibleText(html))?.[0];
}
