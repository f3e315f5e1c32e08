// The names of the permissions in an HS_ADMIN bit string and in a value's 4-character access string.

// Indexed by position in the 12-character JSON string (position 0 = bit 11), protocol reference §2.4.
const HS_ADMIN_PERMISSION_NAMES = [
  'list handles',
  'read value',
  'add admin',
  'remove admin',
  'modify admin',
  'add value',
  'remove value',
  'modify value',
  'delete derived prefix',
  'add derived prefix',
  'delete handle',
  'add handle',
] as const;

// Per-value permissions, in the order of the 4-character string.
export const VALUE_PERMISSION_NAMES = ['admin read', 'admin write', 'public read', 'public write'] as const;

/**
 * The permissions an HS_ADMIN bit string grants, in the order of the string (leftmost first).
 * Shorter strings are padded on the left with 0, as the Handle server does; `"*"` grants all.
 *
 * @throws RangeError when the string is not 1–12 characters of 0 and 1 (or `"*"`).
 * @example
 * hsAdminPermissions('011111110011');
 * // ['read value', 'add admin', 'remove admin', 'modify admin', 'add value', 'remove value',
 * //  'modify value', 'delete handle', 'add handle']
 */
export function hsAdminPermissions(bits: string): string[] {
  if (bits === '*') return [...HS_ADMIN_PERMISSION_NAMES];
  if (typeof bits !== 'string' || !/^[01]{1,12}$/.test(bits)) {
    throw new RangeError(`An HS_ADMIN permission string is 12 characters of 0 and 1, got ${JSON.stringify(bits)}`);
  }
  const padded = bits.padStart(12, '0');
  return HS_ADMIN_PERMISSION_NAMES.filter((_, position) => padded[position] === '1');
}
