// Handle name rules of a default (case-insensitive) Handle.Net server: prefix extraction, storage keys
// and the percent-decoding the REST servlet applies to request paths.

/** A request-level problem with the handle itself; carries the Handle response code to answer with. */
export class HandleNameError extends Error {
  constructor(
    readonly responseCode: 102,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Storage key of a handle. Handle.Net upper-cases ASCII only (Util.upperCase), so non-ASCII
 * characters keep their case, unlike String.prototype.toUpperCase.
 */
export function storageKey(handle: string): string {
  // Every request computes a key; most names are ASCII, where the two rules agree.
  if (!NON_ASCII.test(handle)) return handle.toUpperCase();
  return handle.replace(/[a-z]+/g, (s) => s.toUpperCase());
}

/**
 * The prefix a handle lives under. A name without a slash is a prefix-level name of the `0.NA`
 * namespace, which is why `NOSLASH` resolves on a server that homes 0.NA and nowhere else.
 */
export function prefixOf(handle: string): string {
  const slash = handle.indexOf('/');
  return slash < 0 ? '0.NA' : handle.slice(0, slash);
}

/** `0.NA/21.T12995` → `21.T12995`; a plain prefix is returned unchanged. */
export function bareprefix(prefix: string): string {
  return /^0\.NA\//i.test(prefix) ? prefix.slice(5) : prefix;
}

/** The handle that holds a prefix's administrators: `0.NA/<prefix>`. */
export function prefixHandle(prefix: string): string {
  return `0.NA/${bareprefix(prefix)}`;
}

/**
 * Percent-decodes a path segment the way the REST servlet does: `%XX` sequences become bytes, `+`
 * stays a plus, and the bytes must form valid UTF-8.
 */
export function decodeHandlePath(raw: string): string {
  // Most paths are plain ASCII with no escape: already what decoding would give (every resolve runs this).
  if (!raw.includes('%') && isAscii(raw)) return raw;
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const ch = raw.charCodeAt(i);
    if (ch === 0x25 /* % */) {
      const hex = raw.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) {
        throw new HandleNameError(102, `Invalid handle: bad percent-encoding "%${hex}" in the request path`);
      }
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(raw[i] ?? '', 'utf8'));
    }
  }
  try {
    return UTF8.decode(Uint8Array.from(bytes));
  } catch {
    throw new HandleNameError(102, 'Invalid handle: the percent-decoded request path is not valid UTF-8');
  }
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });
const NON_ASCII = /[^\x00-\x7f]/;

function isAscii(text: string): boolean {
  return !NON_ASCII.test(text);
}

/** `300:21.T12995/USER01` → {index: 300, handle}; index 0 when the name has no numeric index part. */
export function parseValueReference(name: string): { index: number; handle: string } {
  const match = /^(\d+):(.*)$/s.exec(name);
  if (!match) return { index: 0, handle: name };
  return { index: Number(match[1]), handle: match[2] ?? '' };
}
