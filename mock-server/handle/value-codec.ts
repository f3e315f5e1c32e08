// Converts handle values between the REST JSON form and the stored bytes, with the Handle protocol's
// own binary encodings for HS_ADMIN, HS_VLIST and HS_PUBKEY so that stored data means what it means
// on a real server (reverse look-ups compare bytes, exactly as the real SQL storage does).
import { isUtf8 } from 'node:buffer';
import { DEFAULT_TTL, type HandleValueJson, type StoredValue, type ValueReference } from '../vocabulary/model.js';
import { fail, type HandleApiError } from './envelope.js';
import {
  adminBitsToString,
  applyValuePermissions,
  DEFAULT_PERMISSION_BITS,
  DEFAULT_VALUE_PERMISSIONS,
  parseAdminPermissions,
  valuePermissionsToString,
} from './permissions.js';
import { asArray, asBoolean, asInt, asObject, asString, JavaReadError } from './gson-reading.js';

/** A value read from a request: everything but the timestamp, which the server sets. */
export type ValueInput = Omit<StoredValue, 'timestamp'>;

export interface AdminRecord {
  handle: string;
  index: number;
  permissions: number;
  /** Old encoders wrote two extra bytes after the index; the real server keeps and echoes the flag. */
  legacyByteLength?: boolean;
}

/** A request-body error in the real server's words (the Java exception) plus the mock's explanation. */
function toApiError(error: JavaReadError, position: string): HandleApiError {
  const java = error.wrapper ? `${error.wrapper}: ${error.javaCause}` : error.javaCause;
  return fail.protocol(`${java} (${position} ${error.explanation})`);
}

// ---- Handle binary encodings (Encoder.java): 4-byte big-endian lengths and ints. ----

class ByteWriter {
  private parts: Buffer[] = [];
  int4(n: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    this.parts.push(b);
    return this;
  }
  int2(n: number): this {
    const b = Buffer.alloc(2);
    b.writeUInt16BE(n);
    this.parts.push(b);
    return this;
  }
  bytes(data: Buffer): this {
    this.int4(data.length);
    this.parts.push(data);
    return this;
  }
  toBuffer(): Buffer {
    return Buffer.concat(this.parts);
  }
}

class ByteReader {
  private offset = 0;
  constructor(private readonly data: Buffer) {}
  int4(): number {
    const n = this.data.readInt32BE(this.offset);
    this.offset += 4;
    return n;
  }
  int2(): number {
    const n = this.data.readUInt16BE(this.offset);
    this.offset += 2;
    return n;
  }
  bytes(): Buffer {
    const length = this.int4();
    if (length < 0 || this.offset + length > this.data.length) throw new RangeError('length out of range');
    const out = this.data.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }
  atEnd(): boolean {
    return this.offset === this.data.length;
  }
}

export function encodeAdmin(admin: AdminRecord): Buffer {
  const w = new ByteWriter().int2(admin.permissions).bytes(Buffer.from(admin.handle, 'utf8')).int4(admin.index);
  if (admin.legacyByteLength) w.int2(0);
  return w.toBuffer();
}

export function decodeAdmin(data: Buffer): AdminRecord | undefined {
  try {
    const r = new ByteReader(data);
    const permissions = r.int2();
    const handle = r.bytes().toString('utf8');
    const index = r.int4();
    if (r.atEnd()) return { handle, index, permissions };
    r.int2();
    return r.atEnd() ? { handle, index, permissions, legacyByteLength: true } : undefined;
  } catch {
    return undefined;
  }
}

export function encodeVlist(refs: ValueReference[]): Buffer {
  const w = new ByteWriter().int4(refs.length);
  for (const ref of refs) w.bytes(Buffer.from(ref.handle, 'utf8')).int4(ref.index);
  return w.toBuffer();
}

export function decodeVlist(data: Buffer): ValueReference[] | undefined {
  try {
    const r = new ByteReader(data);
    const count = r.int4();
    if (count < 0 || count > 100000) return undefined;
    const refs: ValueReference[] = [];
    for (let i = 0; i < count; i++) refs.push({ handle: r.bytes().toString('utf8'), index: r.int4() });
    return r.atEnd() ? refs : undefined;
  } catch {
    return undefined;
  }
}

function fromBase64Url(s: string): Buffer {
  return Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

function toBase64Url(b: Buffer): string {
  let start = 0;
  while (start < b.length - 1 && b[start] === 0) start++;
  return b.subarray(start).toString('base64url');
}

/** RSA public key in the Handle encoding: "RSA_PUB_KEY", flags, exponent, modulus, unused. */
export function encodeRsaPublicKey(jwk: { n: string; e: string }): Buffer {
  return new ByteWriter().bytes(Buffer.from('RSA_PUB_KEY', 'ascii')).int2(0).bytes(fromBase64Url(jwk.e)).bytes(fromBase64Url(jwk.n)).int4(0).toBuffer();
}

export function decodeRsaPublicKey(data: Buffer): { kty: 'RSA'; n: string; e: string } | undefined {
  try {
    const r = new ByteReader(data);
    if (r.bytes().toString('ascii') !== 'RSA_PUB_KEY') return undefined;
    r.int2();
    const e = r.bytes();
    const n = r.bytes();
    return { kty: 'RSA', n: toBase64Url(n), e: toBase64Url(e) };
  } catch {
    return undefined;
  }
}

// ---- REST JSON → stored value ----

const BASE64_DIGITS = new Map<string, number>(
  [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/']
    .map((c, i) => [c, i] as [string, number])
    .concat([
      ['-', 62],
      ['_', 63],
    ]),
);

/**
 * The real server's base64 reader (commons-codec, lenient): both alphabets, every other character
 * skipped, decoding stops at the first '=', missing padding is fine and a dangling sixth of a byte is dropped.
 */
export function decodeBase64Leniently(text: string): Buffer {
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const ch of text) {
    if (ch === '=') break;
    const digit = BASE64_DIGITS.get(ch);
    if (digit === undefined) continue;
    buffer = ((buffer << 6) | digit) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push((buffer >> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}

/** The real server's hex reader (commons-codec): strict, either letter case. */
function decodeHexStrictly(text: string): Buffer {
  if (text.length % 2 === 1) {
    throw new JavaReadError('org.apache.commons.codec.DecoderException: Odd number of characters.', 'data.value must be an even number of hex digits');
  }
  const bad = /[^0-9a-fA-F]/.exec(text);
  if (bad) {
    throw new JavaReadError(
      `org.apache.commons.codec.DecoderException: Illegal hexadecimal character ${bad[0]} at index ${bad.index}`,
      'data.value may hold only the hex digits 0-9 and a-f',
    );
  }
  return Buffer.from(text, 'hex');
}

function parseAdminValue(raw: unknown): Buffer {
  // A missing or null admin record reaches the binary encoder as null.
  if (raw === undefined || raw === null) {
    throw new JavaReadError('java.lang.NullPointerException', 'data.value of an admin value is missing: {"handle", "index", "permissions"} is expected');
  }
  const value = asObject(raw, 'data.value', 'an admin record {"handle", "index", "permissions"}');
  const handle = asString(value.handle, 'data.value.handle (the admin handle, e.g. "0.NA/21.T12995")');
  const index = asInt(value.index, 'data.value.index');
  const permissions = parseAdminPermissions(value.permissions);
  if (permissions === undefined) {
    throw new JavaReadError(
      'java.lang.IllegalStateException: Did not expect permissions object',
      'data.value.permissions must be a bit string such as "011111110011", "*", true/false, a number or a list',
    );
  }
  const legacyByteLength = value.legacyByteLength !== undefined && asBoolean(value.legacyByteLength, 'data.value.legacyByteLength');
  return encodeAdmin({ handle, index, permissions, ...(legacyByteLength ? { legacyByteLength } : {}) });
}

function parseReferenceList(raw: unknown, what: string): ValueReference[] {
  const list = asArray(raw, what);
  if (list === null) {
    throw new JavaReadError('java.lang.NullPointerException', `${what} is missing: a list of {"handle", "index"} is expected`);
  }
  return list.map((item, i) => {
    if (item === null || item === undefined) {
      throw new JavaReadError('java.lang.NullPointerException', `${what}[${i}] is null: {"handle", "index"} is expected`);
    }
    const ref = asObject(item, `${what}[${i}]`, 'a value reference {"handle", "index"}');
    return { handle: asString(ref.handle, `${what}[${i}].handle`), index: asInt(ref.index, `${what}[${i}].index`) };
  });
}

/** The `data` of a value: a bare string/number/boolean is stored as its text; otherwise {format, value}. */
function parseData(raw: unknown): Buffer {
  if (raw === undefined) {
    throw new JavaReadError('java.lang.NullPointerException', 'data is missing: a string or {"format", "value"} is expected');
  }
  if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') return Buffer.from(String(raw), 'utf8');
  const data = asObject(raw, 'data', 'a string or an object {"format", "value"}');
  const format = asString(data.format, 'data.format');
  const value = data.value;
  switch (format.toLowerCase()) {
    case 'string':
      return Buffer.from(asString(value, 'data.value'), 'utf8');
    case 'base64':
      return decodeBase64Leniently(asString(value, 'data.value'));
    case 'hex':
      return decodeHexStrictly(asString(value, 'data.value'));
    case 'admin':
      return parseAdminValue(value);
    case 'vlist':
      return encodeVlist(parseReferenceList(value, 'data.value'));
    case 'key': {
      const key = asObject(value, 'data.value', 'an RSA JWK {"kty":"RSA","n","e"}');
      if (asString(key.kty, 'data.value.kty').toUpperCase() !== 'RSA') {
        throw new JavaReadError(`java.lang.UnsupportedOperationException: Unsupported key type ${String(key.kty)}`, 'the mock stores RSA keys only');
      }
      return encodeRsaPublicKey({ n: asString(key.n, 'data.value.n'), e: asString(key.e, 'data.value.e') });
    }
    default:
      throw new JavaReadError(`java.text.ParseException: Unexpected type ${format}`, 'data.format must be one of string, base64, hex, admin, vlist, key');
  }
}

const ISO_TIME = /^([+-]?\d{1,9})(?:-(\d{1,2})(?:-(\d{1,2})(?:[T ](\d{1,2})(?::(\d{1,2})(?::(\d{1,2})(?:[.,](\d+))?)?)?)?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * An absolute time as the real server parses it: ISO-8601 with as many parts as given, UTC unless an
 * offset says otherwise, kept as 32-bit seconds (so the numeric string "3600", read as the year 3600, wraps).
 */
export function parseAbsoluteTime(text: string, what: string): number {
  const m = ISO_TIME.exec(text.trim());
  if (!m)
    throw new JavaReadError(
      `java.text.ParseException: Unparseable date: ${JSON.stringify(text)}`,
      `${what} must be an ISO-8601 time such as "2030-01-01T00:00:00Z"`,
    );
  const [, y, mo = '1', d = '1', h = '0', mi = '0', sec = '0', frac = '', zone = 'Z'] = m;
  let ms = Date.UTC(0, Number(mo) - 1, Number(d), Number(h), Number(mi), Number(sec), Number(frac.slice(0, 3).padEnd(3, '0')));
  const base = new Date(ms);
  base.setUTCFullYear(Number(y));
  ms = base.getTime();
  if (zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || '0')) * 60000;
  }
  if (!Number.isFinite(ms)) throw new JavaReadError(`java.text.ParseException: Unparseable date: ${JSON.stringify(text)}`, `${what} is out of range`);
  return Number(BigInt.asIntN(32, BigInt(Math.trunc(ms / 1000))));
}

/** A number is a relative TTL in seconds; a string is an absolute expiry time. */
function parseTtl(raw: unknown): { ttlType: 0 | 1; ttl: number } {
  if (raw === undefined) return { ttlType: 0, ttl: DEFAULT_TTL };
  if (typeof raw === 'string') return { ttlType: 1, ttl: parseAbsoluteTime(raw, 'ttl') };
  if (typeof raw === 'number') return { ttlType: 0, ttl: asInt(raw, 'ttl') };
  if (typeof raw === 'boolean')
    throw new JavaReadError('java.lang.NumberFormatException: bad ttl', 'ttl must be seconds (a number) or an ISO-8601 expiry time (a string)');
  throw new JavaReadError(
    `java.lang.IllegalStateException: Not a JSON Primitive: ${JSON.stringify(raw)}`,
    'ttl must be seconds (a number) or an ISO-8601 expiry time (a string)',
  );
}

function readValue(raw: unknown): ValueInput {
  const value = asObject(raw, 'value', 'an object with index, type and data');
  const index = asInt(value.index, 'index');
  const type = asString(value.type, 'type');
  const data = parseData(value.data);
  let permissions = DEFAULT_PERMISSION_BITS;
  if ('permissions' in value) permissions = applyValuePermissions(asString(value.permissions, 'permissions'), permissions);
  const { ttlType, ttl } = parseTtl(value.ttl);
  // A given timestamp must parse, but the server stamps the value itself.
  if ('timestamp' in value) parseAbsoluteTime(asString(value.timestamp, 'timestamp'), 'timestamp');
  let references: ValueReference[] = [];
  if (value.references !== undefined && value.references !== null) {
    const list = asArray(value.references, 'references') ?? [];
    if (list.length && list[list.length - 1] === null) {
      throw new JavaReadError('com.google.gson.JsonParseException: While parsing JSON found array ending with null', 'references must not end with null', null);
    }
    references = parseReferenceList(list, 'references');
  }
  return { index, type, data, ttlType, ttl, references, ...permissions };
}

/** Reads one value of a PUT body. Index sign is checked later, as the real server does, to pick rc 202. */
export function parseValueInput(raw: unknown, position: string): ValueInput {
  try {
    return readValue(raw);
  } catch (error) {
    if (error instanceof JavaReadError) throw toApiError(error, position);
    throw error;
  }
}

// ---- stored value → REST JSON ----

/**
 * Server rule (Util.looksLikeBinary): bytes are shown as a string when they are valid UTF-8 and hold no
 * control byte below 0x09 or from 0x14 to 0x1F; the server's whitespace test lets 0x09–0x13 through.
 */
function isPrintableUtf8(data: Buffer): boolean {
  if (!isUtf8(data)) return false;
  for (const b of data) if (b < 0x09 || (b >= 0x14 && b < 0x20)) return false;
  return true;
}

export function dataToJson(type: string, data: Buffer): { format: string; value: unknown } {
  const upper = type.toUpperCase();
  if (upper === 'HS_ADMIN') {
    const admin = decodeAdmin(data);
    if (admin) {
      const value = { handle: admin.handle, index: admin.index, permissions: adminBitsToString(admin.permissions) };
      return { format: 'admin', value: admin.legacyByteLength ? { ...value, legacyByteLength: true } : value };
    }
  } else if (upper === 'HS_VLIST') {
    const refs = decodeVlist(data);
    if (refs) return { format: 'vlist', value: refs };
  } else if (upper === 'HS_PUBKEY') {
    const key = decodeRsaPublicKey(data);
    if (key) return { format: 'key', value: key };
  }
  return isPrintableUtf8(data) ? { format: 'string', value: data.toString('utf8') } : { format: 'base64', value: data.toString('base64') };
}

export function formatTimestamp(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Stored values are immutable (the store caches them frozen and replaces them on a write), so each one's
 * REST form is computed once and shared by every later resolve of it.
 */
const jsonOfValue = new WeakMap<StoredValue, HandleValueJson>();

export function valueToJson(value: StoredValue): HandleValueJson {
  let json = jsonOfValue.get(value);
  if (json === undefined) {
    json = Object.freeze(computeValueJson(value));
    if (Object.isFrozen(value)) jsonOfValue.set(value, json);
  }
  return json;
}

function computeValueJson(value: StoredValue): HandleValueJson {
  // Key order as HS 9 emits it: permissions (when not default) sits between data and ttl.
  const permissions = valuePermissionsToString(value);
  return {
    index: value.index,
    type: value.type,
    data: Object.freeze(dataToJson(value.type, value.data)),
    ...(permissions !== DEFAULT_VALUE_PERMISSIONS ? { permissions } : {}),
    ttl: value.ttlType === 1 ? formatTimestamp(value.ttl) : value.ttl,
    ...(value.timestamp ? { timestamp: formatTimestamp(value.timestamp) } : {}),
    ...(value.references.length ? { references: value.references } : {}),
  };
}

/** Two values carry the same content (timestamps aside): such a value keeps its old timestamp. */
export function sameContent(a: ValueInput, b: ValueInput): boolean {
  return (
    a.index === b.index &&
    a.type === b.type &&
    a.data.equals(b.data) &&
    a.ttlType === b.ttlType &&
    a.ttl === b.ttl &&
    a.adminRead === b.adminRead &&
    a.adminWrite === b.adminWrite &&
    a.publicRead === b.publicRead &&
    a.publicWrite === b.publicWrite &&
    JSON.stringify(a.references) === JSON.stringify(b.references)
  );
}
