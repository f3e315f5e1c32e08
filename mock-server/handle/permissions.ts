// The two permission vocabularies of a handle record: the 12 HS_ADMIN bits that decide who may change
// a handle, and the 4 per-value bits that decide who may read or write one value.

/** HS_ADMIN permission bits, numbered as in AdminRecord (bit 0 = add handle, bit 11 = list handles). */
export const AdminBit = {
  addHandle: 0,
  deleteHandle: 1,
  addDerivedPrefix: 2,
  deleteDerivedPrefix: 3,
  modifyValue: 4,
  removeValue: 5,
  addValue: 6,
  modifyAdmin: 7,
  removeAdmin: 8,
  addAdmin: 9,
  readValue: 10,
  listHandles: 11,
} as const;
export type AdminBitNumber = (typeof AdminBit)[keyof typeof AdminBit];

/** The JSON bit string is most-significant first: character 0 is bit 11. */
export function adminBitsToString(bits: number): string {
  let out = '';
  for (let bit = 11; bit >= 0; bit--) out += bits & (1 << bit) ? '1' : '0';
  return out;
}

const ALL_ADMIN_BITS = 0xfff;

/** A permission string read from the right: character i from the end is bit i; only '1' sets a bit. */
function bitsFromRight(text: string): number {
  let bits = 0;
  for (let bit = 0; bit < 12 && bit < text.length; bit++) if (text[text.length - 1 - bit] === '1') bits |= 1 << bit;
  return bits;
}

/** JavaScript-style truthiness, as the real server reads the items of a permissions array. */
function truthy(item: unknown): boolean {
  if (item === null || item === undefined) return false;
  if (typeof item === 'boolean') return item;
  if (typeof item === 'string') return item !== '';
  if (typeof item === 'number') return item !== 0 && !Number.isNaN(item);
  return true;
}

/**
 * Reads HS_ADMIN permissions in every form the real server accepts (AdminRecord's JSON reader): "*" or
 * true = all, false / null / absent = none, a string read from the right (only its last 12 characters
 * count, anything but '1' is 0), a number written in binary (so -1 is all), an array read from bit 0
 * (add handle) upwards by truthiness. Returns undefined for an object, which the real server refuses.
 */
export function parseAdminPermissions(input: unknown): number | undefined {
  if (input === undefined || input === null || input === false) return 0;
  if (input === true || input === '*') return ALL_ADMIN_BITS;
  if (typeof input === 'string') return bitsFromRight(input);
  if (typeof input === 'number') {
    const int = Number(BigInt.asIntN(32, BigInt(Math.trunc(Number.isFinite(input) ? input : 0))));
    return bitsFromRight((int >>> 0).toString(2));
  }
  if (Array.isArray(input)) {
    let bits = 0;
    for (let bit = 0; bit < 12 && bit < input.length; bit++) if (truthy(input[bit])) bits |= 1 << bit;
    return bits;
  }
  return undefined;
}

export interface ValuePermissions {
  adminRead: boolean;
  adminWrite: boolean;
  publicRead: boolean;
  publicWrite: boolean;
}

export const DEFAULT_VALUE_PERMISSIONS = '1110';

/**
 * Applies a value's permission string as the real server does: "*" grants everything; otherwise it is read
 * from the right and a position counts only when the string is longer than it, so "0" changes nothing,
 * "10" only clears publicWrite and a 4-character string never touches adminRead (a 5-character one does).
 */
export function applyValuePermissions(input: string, base: ValuePermissions): ValuePermissions {
  if (input === '*') return { adminRead: true, adminWrite: true, publicRead: true, publicWrite: true };
  const at = (fromEnd: number) => input[input.length - fromEnd] === '1';
  return {
    publicWrite: input.length > 1 ? at(1) : base.publicWrite,
    publicRead: input.length > 2 ? at(2) : base.publicRead,
    adminWrite: input.length > 3 ? at(3) : base.adminWrite,
    adminRead: input.length > 4 ? at(4) : base.adminRead,
  };
}

export const DEFAULT_PERMISSION_BITS: ValuePermissions = { adminRead: true, adminWrite: true, publicRead: true, publicWrite: false };

export function valuePermissionsToString(p: ValuePermissions): string {
  return [p.adminRead, p.adminWrite, p.publicRead, p.publicWrite].map((b) => (b ? '1' : '0')).join('');
}
