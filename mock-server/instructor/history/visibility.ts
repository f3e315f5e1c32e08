// Which historical values a caller may see: the read rules of GET /api/handles applied to the journal.
// Public values are for everyone; restricted ones only for a caller the API would show them to.
import type { Authentication } from '../../handle/auth.js';
import { HandleApiError } from '../../handle/envelope.js';
import type { HandleService } from '../../handle/handle-service.js';
import type { StoredValue } from '../../vocabulary/model.js';
import { AdminBit } from '../../handle/permissions.js';

export type Reader = { kind: 'instructor' } | { kind: 'caller'; authentication: Exclude<Authentication, { kind: 'failed' }>; overTls: boolean };

/**
 * May this reader see the restricted (non-public) values of `handle`? Asked of the API's own resolve
 * with publicOnly=false, so the history follows whatever rule the API follows; for a deleted handle
 * the last values it had decide, as its HS_ADMIN would have.
 */
export function mayReadRestricted(service: HandleService, handle: string, reader: Reader, lastKnown: StoredValue[]): boolean {
  if (reader.kind === 'instructor') return true;
  if (reader.authentication.kind !== 'authenticated') return false;
  if (service.store.exists(handle)) {
    try {
      service.resolve(handle, { indexes: [], types: [], publicOnly: false }, { authentication: reader.authentication, overTls: reader.overTls });
      return true;
    } catch (error) {
      if (error instanceof HandleApiError) return false;
      throw error;
    }
  }
  return service.authoriser.granted(reader.authentication.identity, lastKnown, [AdminBit.readValue]);
}

export function visibleValues(values: StoredValue[], restrictedAllowed: boolean): StoredValue[] {
  return values.filter((v) => v.publicRead || restrictedAllowed);
}
