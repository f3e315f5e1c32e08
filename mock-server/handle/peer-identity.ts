// A TLS peer certificate read as a Handle identity (UID, else CN, as the real server does) and its
// public key as an HS_PUBKEY-comparable JWK (protocol reference §2.3, §4.3).
import * as crypto from 'node:crypto';
import type { PeerCertificate } from 'node:tls';

function firstNonEmpty(v: string | string[] | undefined): string | undefined {
  const s = Array.isArray(v) ? v[0] : v;
  return s ? s : undefined;
}

/**
 * Node names the UID attribute by OpenSSL's short name `UID` in the subject object. An empty object (what
 * `getPeerCertificate()` returns when the client sent no certificate) yields undefined.
 */
export function identityFromPeerCertificate(cert: PeerCertificate | crypto.X509Certificate): string | undefined {
  // toLegacyObject gives the same subject object as getPeerCertificate, with values already unescaped,
  // which the multi-line `subject` string of X509Certificate is not.
  const legacy = cert instanceof crypto.X509Certificate ? cert.toLegacyObject() : cert;
  const subject = legacy?.subject as NodeJS.Dict<string | string[]> | undefined;
  if (!subject) return undefined;
  return firstNonEmpty(subject.UID) ?? firstNonEmpty(subject.CN);
}

/** The JWK that the Handle REST API shows for an HS_PUBKEY (§2.3), taken from a PEM or DER certificate. */
export function publicKeyJwkOfCertificate(certPemOrDer: string | Buffer): { kty: string; n?: string; e?: string } {
  const jwk = new crypto.X509Certificate(certPemOrDer).publicKey.export({ format: 'jwk' });
  const out: { kty: string; n?: string; e?: string } = { kty: jwk.kty ?? '' };
  if (jwk.n !== undefined) out.n = jwk.n;
  if (jwk.e !== undefined) out.e = jwk.e;
  return out;
}

/** Big-endian integer bytes from base64url or base64, so differently produced JWKs still compare equal. */
function integerBytes(b64: string | undefined): Buffer | undefined {
  if (!b64) return undefined;
  const bytes = Buffer.from(b64.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, ''), 'base64');
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return bytes.subarray(i);
}

/**
 * Compares n and e as integers rather than as strings: stored HS_PUBKEY JWKs may come from encoders that pad,
 * use the standard alphabet, or keep the leading zero byte of the DER INTEGER.
 */
export function sameRsaPublicKey(a: { n?: string; e?: string }, b: { n?: string; e?: string }): boolean {
  const [an, ae, bn, be] = [integerBytes(a.n), integerBytes(a.e), integerBytes(b.n), integerBytes(b.e)];
  if (!an || !ae || !bn || !be) return false;
  return an.equals(bn) && ae.equals(be);
}
