// A bound on how deeply a JSON request body may nest, checked by one linear scan before JSON.parse:
// a client's 100,000 nested brackets must get a 400 naming the limit, not a stack overflow and a 500.

/** Far deeper than any Handle record (values → value → data → value → references → reference). */
export const MAX_JSON_DEPTH = 64;

/**
 * The deepest nesting of arrays and objects in `text` (brackets inside strings do not count), or the
 * position where it first exceeds `limit`. Syntax is left to JSON.parse; this only counts.
 *
 * @example jsonDepth('{"a":[1,[2]]}') // { depth: 3 }
 */
export function jsonDepth(text: string, limit = MAX_JSON_DEPTH): { depth: number; exceededAt?: number } {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i += 1; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      depth += 1;
      if (depth > deepest) deepest = depth;
      if (depth > limit) return { depth, exceededAt: i };
    } else if (c === 0x5d || c === 0x7d) {
      depth -= 1;
    }
  }
  return { depth: deepest };
}

/** The sentence a 400 carries when a body nests too deeply. */
export function tooDeepMessage(position: number, limit = MAX_JSON_DEPTH): string {
  return `the JSON body nests arrays and objects more than ${limit} levels deep (at character ${position}); a Handle record needs at most a few levels`;
}
