// A stored value as the store keeps it, with the defaults a freshly written value has, for tests that
// drive the store or the journal directly.
import type { StoredValue } from '../../mock-server/vocabulary/model.js';

export function storedValue(index: number, type: string, data: string, publicRead = true): StoredValue {
  return {
    index,
    type,
    data: Buffer.from(data),
    ttlType: 0,
    ttl: 86400,
    timestamp: 1,
    references: [],
    adminRead: true,
    adminWrite: true,
    publicRead,
    publicWrite: false,
  };
}
