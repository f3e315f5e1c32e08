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

/** Parses the permission forms the real server accepts; returns undefined when unreadable. */
export function parseAdminPermissions(input: unknown): number | undefined {
  if (input === '*' || input === true) return 0xfff;
  if (input === false) return 0;
  if (typeof input === 'number' && Number.isInteger(input) && input >= 0) return input & 0xfff;
  if (Array.isArray(input)) {
    if (input.length !== 12) return undefined;
    return input.reduce<number>((bits, flag, i) => (flag ? bits | (1 << (11 - i)) : bits), 0);
  }
  if (typeof input === 'string' && /^[01]{1,12}$/.test(input)) return parseInt(input, 2);
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
 * Reads a value's permission string from the right, as the real server does: the last character is
 * publicWrite, so a short string such as "10" sets only publicRead and publicWrite.
 */
export function parseValuePermissions(input: string): ValuePermissions | undefined {
  if (input === '*') return { adminRead: true, adminWrite: true, publicRead: true, publicWrite: true };
  if (!/^[01]{1,4}$/.test(input)) return undefined;
  const padded = input.padStart(4, '0');
  return {
    adminRead: padded[0] === '1',
    adminWrite: padded[1] === '1',
    publicRead: padded[2] === '1',
    publicWrite: padded[3] === '1',
  };
}

export function valuePermissionsToString(p: ValuePermissions): string {
  return [p.adminRead, p.adminWrite, p.publicRead, p.publicWrite].map((b) => (b ? '1' : '0')).join('');
}
