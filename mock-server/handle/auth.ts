// Who is calling and what they may do: identities from Basic auth (HS_SECKEY) or a TLS client
// certificate (HS_PUBKEY), and authorisation from HS_ADMIN values and HS_VLIST groups (protocol §4).
import { timingSafeEqual } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';
import type { StoredValue, ValueReference } from '../vocabulary/model.js';
import type { HandleStore } from '../storage/store.js';
import { decodeHandlePath, parseValueReference, prefixHandle, storageKey } from '../vocabulary/handle-names.js';
import { decodeAdmin, decodeRsaPublicKey, decodeVlist } from './value-codec.js';
import type { AdminBitNumber } from './permissions.js';
import { identityFromPeerCertificate, publicKeyJwkOfCertificate, sameRsaPublicKey } from './peer-identity.js';

export type Authentication =
  | { kind: 'anonymous' }
  | { kind: 'authenticated'; identity: ValueReference; via: 'basic' | 'certificate' }
  /** Credentials were offered and are wrong: the real server answers 401 with an empty body. */
  | { kind: 'failed'; reason: string };

export interface CallerCredentials {
  authorization: string | undefined;
  overTls: boolean;
  peerCertificate: PeerCertificate | undefined;
}

export function formatReference(ref: ValueReference): string {
  return `${ref.index}:${ref.handle}`;
}

function sameReference(a: ValueReference, b: ValueReference): boolean {
  return storageKey(a.handle) === storageKey(b.handle) && (a.index === b.index || a.index === 0 || b.index === 0);
}

function secretsEqual(stored: Buffer, offered: Buffer): boolean {
  return stored.length === offered.length && timingSafeEqual(stored, offered);
}

/**
 * Authenticates a request as the real server's filter does. Over plain HTTP every credential is
 * ignored: the caller stays anonymous, and operations that need an identity end in 403.
 */
export function authenticate(credentials: CallerCredentials, store: HandleStore): Authentication {
  if (!credentials.overTls) return { kind: 'anonymous' };
  const header = credentials.authorization?.trim();
  if (header && /^basic\s/i.test(header)) return authenticateBasic(header.slice(6).trim(), store);
  const wantsCertificate = !header || /^handle\s.*clientCert\s*=\s*"?true"?/i.test(header);
  if (header && !wantsCertificate) {
    return { kind: 'failed', reason: 'Handle session authentication is not supported by this mock; use Basic or a client certificate' };
  }
  const cert = credentials.peerCertificate;
  if (!cert?.raw) return { kind: 'anonymous' };
  return authenticateCertificate(cert, store);
}

function authenticateBasic(encoded: string, store: HandleStore): Authentication {
  const decoded = Buffer.from(encoded, 'base64');
  const colon = decoded.indexOf(0x3a);
  if (colon < 0) return { kind: 'failed', reason: 'Basic credentials without a colon' };
  let username: string;
  try {
    username = decodeHandlePath(decoded.subarray(0, colon).toString('utf8'));
  } catch {
    return { kind: 'failed', reason: 'user name is not valid percent-encoded UTF-8' };
  }
  // The password is compared raw: the real server does not percent-decode it.
  const password = decoded.subarray(colon + 1);
  const identity = parseValueReference(username);
  const values = store.getValues(identity.handle) ?? [];
  const secret = values.find((v) => v.type === 'HS_SECKEY' && (identity.index === 0 || v.index === identity.index) && secretsEqual(v.data, password));
  if (!secret) return { kind: 'failed', reason: 'Identity not verified' };
  return { kind: 'authenticated', identity: { index: secret.index, handle: identity.handle }, via: 'basic' };
}

function authenticateCertificate(cert: PeerCertificate, store: HandleStore): Authentication {
  const name = identityFromPeerCertificate(cert);
  if (!name) return { kind: 'failed', reason: 'client certificate has no UID or CN of the form index:handle' };
  const identity = parseValueReference(name);
  const jwk = publicKeyJwkOfCertificate(cert.raw);
  const values = store.getValues(identity.handle) ?? [];
  const key = values.find((v) => {
    if (v.type !== 'HS_PUBKEY' || (identity.index !== 0 && v.index !== identity.index)) return false;
    const stored = decodeRsaPublicKey(v.data);
    return stored !== undefined && sameRsaPublicKey(stored, jwk);
  });
  if (!key) return { kind: 'failed', reason: 'client certificate key does not match the HS_PUBKEY of its identity' };
  return { kind: 'authenticated', identity: { index: key.index, handle: identity.handle }, via: 'certificate' };
}

/** Decides permissions from HS_ADMIN values, following HS_VLIST groups, with server admins passing all. */
export class Authoriser {
  constructor(
    private readonly store: HandleStore,
    private readonly serverAdmins: () => ValueReference[],
  ) {}

  isServerAdmin(caller: ValueReference): boolean {
    return this.serverAdmins().some((admin) => sameReference(admin, caller));
  }

  /** Does any HS_ADMIN among `values` grant every bit in `bits` to the caller? */
  granted(caller: ValueReference, values: StoredValue[], bits: AdminBitNumber[]): boolean {
    if (this.isServerAdmin(caller)) return true;
    return bits.every((bit) =>
      values.some((value) => {
        if (value.type !== 'HS_ADMIN') return false;
        const admin = decodeAdmin(value.data);
        return admin !== undefined && (admin.permissions & (1 << bit)) !== 0 && this.isMember(caller, admin, new Set());
      }),
    );
  }

  /** Permission on an existing handle's own HS_ADMIN values. */
  grantedOnHandle(caller: ValueReference, handle: string, bits: AdminBitNumber[]): boolean {
    return this.granted(caller, this.store.getValues(handle) ?? [], bits);
  }

  /** Permission on the prefix handle `0.NA/<prefix>` (creating and listing handles). */
  grantedOnPrefix(caller: ValueReference, prefix: string, bits: AdminBitNumber[]): boolean {
    return this.grantedOnHandle(caller, prefixHandle(prefix), bits);
  }

  private isMember(caller: ValueReference, ref: ValueReference, visited: Set<string>): boolean {
    if (sameReference(ref, caller)) return true;
    const key = `${ref.index}:${storageKey(ref.handle)}`;
    if (visited.has(key)) return false;
    visited.add(key);
    const group = (this.store.getValues(ref.handle) ?? []).find((v) => v.index === ref.index && v.type === 'HS_VLIST');
    const members = group ? decodeVlist(group.data) : undefined;
    return (members ?? []).some((member) => this.isMember(caller, member, visited));
  }
}
