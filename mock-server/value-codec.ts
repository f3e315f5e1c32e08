// Converts handle values between the REST JSON form and the stored bytes, with the Handle protocol's
// own binary encodings for HS_ADMIN, HS_VLIST and HS_PUBKEY so that stored data means what it means
// on a real server (reverse look-ups compare bytes, exactly as the real SQL storage does).
import { DEFAULT_TTL, type HandleValueJson, type StoredValue, type ValueReference } from './model.js';
import { fail, HandleApiError } from './envelope.js';
import {
  adminBitsToString,
  DEFAULT_VALUE_PERMISSIONS,
  parseAdminPermissions,
  parseValuePermissions,
  valuePermissionsToString,
} from './permissions.js';

/** A value read from a request: everything but the timestamp, which the server sets. */
export type ValueInput = Omit<StoredValue, 'timestamp'>;

export interface AdminRecord {
  handle: string;
  index: number;
  permissions: number;
}

const gson = 'com.google.gson.JsonParseException';

function badValue(position: string, javaCause: string, explanation: string): HandleApiError {
  return fail.protocol(`${gson}: ${javaCause} (${position} ${explanation})`);
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Gson reads an int from a number or a numeric string; anything else is a NumberFormatException. */
function readInt(raw: unknown, position: string, what: string): number {
  if (raw === undefined || raw === null) {
    throw badValue(position, 'java.lang.NullPointerException', `${what} is missing: an integer is expected`);
  }
  const text = typeof raw === 'number' ? String(raw) : typeof raw === 'string' ? raw.trim() : JSON.stringify(raw);
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(Number(text)) || Math.abs(Number(text)) > 2147483647) {
    throw badValue(
      position,
      `java.lang.NumberFormatException: For input string: ${JSON.stringify(text)}`,
      `${what} must be a whole number`,
    );
  }
  return Number(text);
}

function readString(raw: unknown, position: string, what: string): string {
  if (typeof raw !== 'string') {
    throw badValue(
      position,
      raw === undefined || raw === null ? 'java.lang.NullPointerException' : 'java.lang.IllegalStateException',
      `${what} is ${raw === undefined || raw === null ? 'missing' : 'not a string'}: a string is expected`,
    );
  }
  return raw;
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
  return new ByteWriter().int2(admin.permissions).bytes(Buffer.from(admin.handle, 'utf8')).int4(admin.index).toBuffer();
}

export function decodeAdmin(data: Buffer): AdminRecord | undefined {
  try {
    const r = new ByteReader(data);
    const permissions = r.int2();
    const handle = r.bytes().toString('utf8');
    const index = r.int4();
    return r.atEnd() ? { handle, index, permissions } : undefined;
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
  return new ByteWriter()
    .bytes(Buffer.from('RSA_PUB_KEY', 'ascii'))
    .int2(0)
    .bytes(fromBase64Url(jwk.e))
    .bytes(fromBase64Url(jwk.n))
    .int4(0)
    .toBuffer();
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

function parseData(raw: unknown, position: string): Buffer {
  if (typeof raw === 'string') return Buffer.from(raw, 'utf8');
  if (!isObject(raw)) {
    throw badValue(position, 'java.lang.IllegalStateException', 'data must be a string or an object {"format", "value"}');
  }
  const format = raw.format === undefined || raw.format === null ? 'string' : readString(raw.format, position, 'data.format');
  const value = raw.value;
  switch (format.toLowerCase()) {
    case 'string':
      return Buffer.from(readString(value, position, 'data.value'), 'utf8');
    case 'base64': {
      const text = readString(value, position, 'data.value').replace(/\s+/g, '');
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 === 1) {
        throw badValue(position, 'java.lang.IllegalArgumentException: Illegal base64 character', 'data.value is not valid base64');
      }
      return Buffer.from(text, 'base64');
    }
    case 'hex': {
      const text = readString(value, position, 'data.value');
      if (!/^([0-9a-fA-F]{2})*$/.test(text)) {
        throw badValue(position, 'java.lang.NumberFormatException: Bad hex', 'data.value must be an even number of hex digits');
      }
      return Buffer.from(text, 'hex');
    }
    case 'admin': {
      if (!isObject(value)) {
        throw badValue(position, 'java.lang.IllegalStateException', 'data.value of an admin value must be {"handle", "index", "permissions"}');
      }
      if (typeof value.handle !== 'string') {
        throw badValue(
          position,
          'java.lang.NullPointerException',
          'data.value.handle is missing: an HS_ADMIN needs the admin handle, e.g. "0.NA/21.T12995"',
        );
      }
      const index = readInt(value.index, position, 'data.value.index');
      const permissions = parseAdminPermissions(value.permissions);
      if (permissions === undefined) {
        throw badValue(
          position,
          'java.lang.IllegalArgumentException',
          'data.value.permissions must be a string of up to 12 bits such as "011111110011"',
        );
      }
      return encodeAdmin({ handle: value.handle, index, permissions });
    }
    case 'vlist': {
      if (!Array.isArray(value)) {
        throw badValue(position, 'java.lang.IllegalStateException', 'data.value of a vlist must be an array of {"handle", "index"}');
      }
      return encodeVlist(
        value.map((ref, i) => {
          if (!isObject(ref) || typeof ref.handle !== 'string') {
            throw badValue(position, 'java.lang.NullPointerException', `data.value[${i}].handle is missing`);
          }
          return { handle: ref.handle, index: readInt(ref.index, position, `data.value[${i}].index`) };
        }),
      );
    }
    case 'key': {
      if (!isObject(value) || value.kty !== 'RSA' || typeof value.n !== 'string' || typeof value.e !== 'string') {
        throw badValue(position, 'java.lang.IllegalArgumentException', 'data.value of a key must be an RSA JWK {"kty":"RSA","n","e"}');
      }
      return encodeRsaPublicKey({ n: value.n, e: value.e });
    }
    default:
      throw badValue(
        position,
        `java.text.ParseException: Unexpected type ${format}`,
        'data.format must be one of string, base64, hex, admin, vlist, key',
      );
  }
}

function parseTtl(raw: unknown, position: string): { ttlType: 0 | 1; ttl: number } {
  if (raw === undefined || raw === null) return { ttlType: 0, ttl: DEFAULT_TTL };
  if (typeof raw === 'number') return { ttlType: 0, ttl: readInt(raw, position, 'ttl') };
  if (typeof raw === 'string') {
    if (/^-?\d+$/.test(raw.trim())) return { ttlType: 0, ttl: readInt(raw, position, 'ttl') };
    const at = Date.parse(raw);
    if (Number.isNaN(at)) {
      throw badValue(position, 'java.text.ParseException: Unparseable date', 'ttl must be seconds or an ISO-8601 expiry time');
    }
    return { ttlType: 1, ttl: Math.floor(at / 1000) };
  }
  throw badValue(position, 'java.lang.NumberFormatException', 'ttl must be seconds or an ISO-8601 expiry time');
}

function parseReferences(raw: unknown, position: string): ValueReference[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw badValue(position, 'java.lang.IllegalStateException', 'references must be an array');
  return raw.map((ref, i) => {
    if (!isObject(ref)) throw badValue(position, 'java.lang.IllegalStateException', `references[${i}] must be {"handle","index"}`);
    return { handle: readString(ref.handle, position, `references[${i}].handle`), index: readInt(ref.index, position, `references[${i}].index`) };
  });
}

/** Reads one value of a PUT body. Index sign is checked later, as the real server does, to pick rc 202. */
export function parseValueInput(raw: unknown, position: string): ValueInput {
  if (!isObject(raw)) throw badValue(position, 'java.lang.IllegalStateException', 'must be an object with index, type and data');
  const index = readInt(raw.index, position, 'index');
  const type = readString(raw.type, position, 'type');
  if (raw.data === undefined || raw.data === null) {
    throw badValue(position, 'java.lang.NullPointerException', 'data is missing: a string or {"format","value"} is expected');
  }
  const data = parseData(raw.data, position);
  const { ttlType, ttl } = parseTtl(raw.ttl, position);
  let permissions = parseValuePermissions(DEFAULT_VALUE_PERMISSIONS)!;
  if (raw.permissions !== undefined && raw.permissions !== null) {
    const parsed = typeof raw.permissions === 'string' ? parseValuePermissions(raw.permissions) : undefined;
    if (!parsed) {
      throw badValue(position, 'java.lang.IllegalArgumentException', 'permissions must be up to 4 bits such as "1110" (adminRead, adminWrite, publicRead, publicWrite)');
    }
    permissions = parsed;
  }
  return { index, type, data, ttlType, ttl, references: parseReferences(raw.references, position), ...permissions };
}

// ---- stored value → REST JSON ----

/** Server rule: text is shown as a string when it is valid UTF-8 without control characters other than 0x09–0x0D. */
function isPrintableUtf8(data: Buffer): boolean {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    return false;
  }
  // eslint-disable-next-line no-control-regex
  return !/[\u0000-\u0008\u000e-\u001f\u007f]/.test(text);
}

export function dataToJson(type: string, data: Buffer): { format: string; value: unknown } {
  const upper = type.toUpperCase();
  if (upper === 'HS_ADMIN') {
    const admin = decodeAdmin(data);
    if (admin) return { format: 'admin', value: { handle: admin.handle, index: admin.index, permissions: adminBitsToString(admin.permissions) } };
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

export function valueToJson(value: StoredValue): HandleValueJson {
  // Key order as HS 9 emits it: permissions (when not default) sits between data and ttl.
  const permissions = valuePermissionsToString(value);
  return {
    index: value.index,
    type: value.type,
    data: dataToJson(value.type, value.data),
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
