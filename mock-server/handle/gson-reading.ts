// Reads parsed JSON the way the real server's Gson accessors do (getAsString, getAsInt, getAsBoolean,
// getAsJsonObject), so that lenient inputs are accepted and broken ones fail with the same Java exception.

/** A Java exception as the real server would throw it while reading a request body. */
export class JavaReadError extends Error {
  constructor(
    /** `java.lang.NumberFormatException: For input string: "x"` or similar: class and Java's own text. */
    readonly javaCause: string,
    /** What the mock adds for learners: which part of the value and what was expected. */
    readonly explanation: string,
    /** The Gson exception the cause comes wrapped in; null when it surfaces bare (null list items). */
    readonly wrapper: string | null = 'com.google.gson.JsonParseException',
  ) {
    super(javaCause);
  }
}

const NPE = 'java.lang.NullPointerException';
const ISE = 'java.lang.IllegalStateException';

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function compact(x: unknown): string {
  const text = JSON.stringify(x) ?? String(x);
  return text.length > 80 ? `${text.slice(0, 80)}...` : text;
}

/** JsonElement.getAsString: strings, numbers and booleans as text, a one-element array as its element. */
export function asString(raw: unknown, what: string): string {
  if (raw === undefined) throw new JavaReadError(NPE, `${what} is missing: a string is expected`);
  if (raw === null) throw new JavaReadError('java.lang.UnsupportedOperationException: JsonNull', `${what} is null: a string is expected`);
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  if (Array.isArray(raw)) {
    if (raw.length === 1) return asString(raw[0], what);
    throw new JavaReadError(`${ISE}: Array must have size 1, but has size ${raw.length}`, `${what} must be a string, not a list`);
  }
  throw new JavaReadError('java.lang.UnsupportedOperationException: JsonObject', `${what} must be a string, not an object`);
}

/** Integer.parseInt: optional sign, decimal digits, 32-bit range. */
export function parseJavaInt(text: string, what: string): number {
  const value = Number(text);
  if (!/^[-+]?\d+$/.test(text) || value > 2147483647 || value < -2147483648) {
    throw new JavaReadError(`java.lang.NumberFormatException: For input string: ${JSON.stringify(text)}`, `${what} must be a whole number`);
  }
  return value;
}

/**
 * JsonElement.getAsInt: a JSON number is narrowed like Java's Number.intValue (fraction dropped, then the
 * low 32 bits kept, so 99999999999 becomes 1215752191); a string must be a plain integer.
 */
export function asInt(raw: unknown, what: string): number {
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw)) return 0;
    return Number(BigInt.asIntN(32, BigInt(Math.trunc(raw))));
  }
  if (typeof raw === 'string') return parseJavaInt(raw, what);
  if (typeof raw === 'boolean') return parseJavaInt(String(raw), what);
  if (Array.isArray(raw) && raw.length === 1) return asInt(raw[0], what);
  if (raw === undefined) throw new JavaReadError(NPE, `${what} is missing: an integer is expected`);
  if (raw === null) throw new JavaReadError('java.lang.UnsupportedOperationException: JsonNull', `${what} is null: an integer is expected`);
  if (Array.isArray(raw)) {
    throw new JavaReadError(`${ISE}: Array must have size 1, but has size ${raw.length}`, `${what} must be a whole number, not a list`);
  }
  throw new JavaReadError('java.lang.UnsupportedOperationException: JsonObject', `${what} must be a whole number, not an object`);
}

/** JsonElement.getAsBoolean: true, or a string that Boolean.parseBoolean reads as true. */
export function asBoolean(raw: unknown, what: string): boolean {
  if (typeof raw === 'boolean') return raw;
  if (typeof raw === 'string' || typeof raw === 'number') return String(raw).toLowerCase() === 'true';
  if (Array.isArray(raw) && raw.length === 1) return asBoolean(raw[0], what);
  if (raw === undefined) throw new JavaReadError(NPE, `${what} is missing: true or false is expected`);
  if (raw === null) throw new JavaReadError('java.lang.UnsupportedOperationException: JsonNull', `${what} is null: true or false is expected`);
  throw new JavaReadError(
    Array.isArray(raw) ? `${ISE}: Array must have size 1, but has size ${raw.length}` : 'java.lang.UnsupportedOperationException: JsonObject',
    `${what} must be true or false`,
  );
}

/** JsonElement.getAsJsonObject. */
export function asObject(raw: unknown, what: string, expected: string): Record<string, unknown> {
  if (isObject(raw)) return raw;
  if (raw === undefined) throw new JavaReadError(NPE, `${what} is missing: ${expected} is expected`);
  throw new JavaReadError(`${ISE}: Not a JSON Object: ${compact(raw)}`, `${what} must be ${expected}`);
}

/** Gson reading a JSON array into a Java array: null stays null (an absent list), anything else must be an array. */
export function asArray(raw: unknown, what: string): unknown[] | null {
  if (raw === undefined || raw === null) return null;
  if (Array.isArray(raw)) return raw;
  const found = typeof raw === 'string' ? 'STRING' : typeof raw === 'number' ? 'NUMBER' : typeof raw === 'boolean' ? 'BOOLEAN' : 'BEGIN_OBJECT';
  throw new JavaReadError(`${ISE}: Expected BEGIN_ARRAY but was ${found}`, `${what} must be a list`, 'com.google.gson.JsonSyntaxException');
}

/** Boolean.parseBoolean of a query parameter: only "true" in any letter case. */
export function javaParseBoolean(text: string | null | undefined): boolean {
  return typeof text === 'string' && text.toLowerCase() === 'true';
}
