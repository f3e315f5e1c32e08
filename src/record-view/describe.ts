// Describing one handle value (and its TTL) as a few lines of text pieces, which the HTML and the text
// views render each in their own way: HS_ADMIN permissions spelled out, keys and sites summarised.
import type { HandleValue } from '../types.js';
import { hsAdminPermissions, VALUE_PERMISSION_NAMES } from '../permissions.js';
import { safeHttpUrl } from './escape.js';
import { abbreviate, compactJson, isObject } from './shape.js';

export interface Piece {
  text: string;
  /** Becomes a link in HTML when it is an http(s) URL. */
  href?: string;
  /** Explanations we add (not data from the record) are shown in grey. */
  muted?: boolean;
}
export type Line = Piece[];

function plain(text: string): Line {
  return [{ text }];
}

function describeString(value: string): Line[] {
  if (safeHttpUrl(value) !== undefined) return [[{ text: value, href: value }]];
  return value.split(/\r?\n/).map(plain);
}

function describeAdmin(value: unknown): Line[] {
  if (!isObject(value) || typeof value.handle !== 'string') return [plain(compactJson(value))];
  const permissions = value.permissions;
  const main = plain(`handle=${value.handle} index=${String(value.index)} permissions=${String(permissions)}`);
  let granted: string;
  try {
    const names = hsAdminPermissions(String(permissions));
    granted = names.length === 0 ? 'grants nothing' : `grants: ${names.join(', ')}`;
  } catch {
    granted = 'unreadable permission string';
  }
  return [main, [{ text: granted, muted: true }]];
}

function describeVlist(value: unknown): Line[] {
  if (!Array.isArray(value)) return [plain(compactJson(value))];
  if (value.length === 0) return [[{ text: '(empty list)', muted: true }]];
  // `index:handle` is how Handle tools write a value reference, e.g. 300:21.T12995/USER01.
  return value.map((ref) => (isObject(ref) && typeof ref.handle === 'string' ? plain(`${String(ref.index)}:${ref.handle}`) : plain(compactJson(ref))));
}

function bitLength(base64url: string): number | undefined {
  const bytes = Buffer.from(base64url, 'base64url');
  let start = 0;
  while (start < bytes.length && bytes[start] === 0) start++;
  const first = bytes[start];
  if (first === undefined) return undefined;
  return (bytes.length - start - 1) * 8 + first.toString(2).length;
}

function describeKey(value: unknown): Line[] {
  if (!isObject(value) || typeof value.kty !== 'string') return [plain(compactJson(value))];
  if (value.kty === 'RSA' && typeof value.n === 'string') {
    const bits = bitLength(value.n);
    return [plain(`RSA public key${bits === undefined ? '' : `, ${bits} bits`}, e=${String(value.e)}`), [{ text: `n=${abbreviate(value.n)}`, muted: true }]];
  }
  if (value.kty === 'DSA' && typeof value.y === 'string') {
    return [plain('DSA public key'), [{ text: `y=${abbreviate(value.y)}`, muted: true }]];
  }
  return [plain(compactJson(value))];
}

function describeSite(value: unknown): Line[] {
  if (!isObject(value) || !Array.isArray(value.servers)) return [plain(compactJson(value))];
  const lines: Line[] = [
    plain(`site version ${String(value.version)}, ${value.primarySite === true ? 'primary' : 'secondary'}, ${value.servers.length} server(s)`),
  ];
  for (const server of value.servers) {
    if (!isObject(server)) continue;
    const interfaces = Array.isArray(server.interfaces) ? server.interfaces.filter(isObject).map((i) => `${String(i.protocol)} ${String(i.port)}`) : [];
    lines.push(plain(`server ${String(server.serverId)} at ${String(server.address)}${interfaces.length ? ` (${interfaces.join(', ')})` : ''}`));
  }
  return lines;
}

function describeData(type: string, data: unknown): Line[] {
  // A value as a client PUTs it may carry a bare string instead of {format, value}.
  if (typeof data === 'string') return describeString(data);
  if (!isObject(data)) return [plain(compactJson(data))];
  const format = String(data.format ?? '').toLowerCase();
  const value = data.value;
  switch (format) {
    case 'string':
      return typeof value === 'string' ? describeString(value) : [plain(compactJson(value))];
    case 'admin':
      return describeAdmin(value);
    case 'vlist':
      return describeVlist(value);
    case 'key':
      return describeKey(value);
    case 'site':
      return describeSite(value);
    case 'base64':
    case 'hex':
      return [[{ text: `${format}: `, muted: true }, { text: String(value) }]];
    default:
      return type.toUpperCase() === 'HS_ADMIN' ? describeAdmin(value) : [plain(compactJson(value))];
  }
}

export function describeValue(handleValue: HandleValue): Line[] {
  const lines = describeData(String(handleValue.type), handleValue.data);
  // Non-default per-value permissions are how HS_SECKEY hides a password from anonymous readers;
  // worth showing, since it explains why some values are missing from a public GET.
  if (typeof handleValue.permissions === 'string' && /^[01]{1,4}$/.test(handleValue.permissions)) {
    const padded = handleValue.permissions.padStart(4, '0');
    const granted = VALUE_PERMISSION_NAMES.filter((_, i) => padded[i] === '1');
    lines.push([{ text: `access ${handleValue.permissions}: ${granted.length ? granted.join(', ') : 'nobody'}`, muted: true }]);
  }
  if (Array.isArray(handleValue.references) && handleValue.references.length > 0) {
    const refs = handleValue.references.map((r) => `${String(r.index)}:${String(r.handle)}`);
    lines.push([{ text: `references: ${refs.join(', ')}`, muted: true }]);
  }
  return lines;
}

export function describeTtl(ttl: number | string | undefined): string {
  if (ttl === undefined || ttl === null || ttl === '') return '—';
  // A string TTL is an absolute expiry time, a number is seconds relative to the time of resolution.
  if (typeof ttl === 'string' && !/^\d+$/.test(ttl)) return `until ${ttl}`;
  const seconds = Number(ttl);
  for (const [unit, size] of [
    ['d', 86400],
    ['h', 3600],
    ['min', 60],
  ] as const) {
    if (seconds >= size && seconds % size === 0) return `${seconds} s (${seconds / size} ${unit})`;
  }
  return `${seconds} s`;
}
