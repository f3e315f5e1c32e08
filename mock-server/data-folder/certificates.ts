// Certificates for the mock server's HTTPS side and for Handle client-certificate authentication
// (protocol reference §4.3): a throw-away CA, server and client certificates. Reading a peer's
// certificate as a Handle identity is the Handle layer's (handle/peer-identity.ts).

import * as crypto from 'node:crypto';
import * as net from 'node:net';
import type * as X509Module from '@peculiar/x509';

export interface PemPair {
  certPem: string;
  keyPem: string;
}

export interface RsaPublicJwk {
  kty: 'RSA';
  n: string;
  e: string;
}

/** OID of the LDAP `UID` (userId) attribute; the Handle server prefers it over CN as the identity. */
const UID_OID = '0.9.2342.19200300.100.1.1';

const DAY_MS = 24 * 60 * 60 * 1000;
// Back-dating absorbs small clock differences between the machine that issues and the one that verifies.
const BACKDATE_MS = 60 * 60 * 1000;
const CA_VALIDITY_DAYS = 3650;
// Apple and browsers reject TLS server certificates valid for more than 825 days.
const LEAF_VALIDITY_DAYS = 730;

type WebCryptoKey = crypto.webcrypto.CryptoKey;
type WebCryptoKeyPair = crypto.webcrypto.CryptoKeyPair;

const RSA_ALGORITHM = {
  name: 'RSASSA-PKCS1-v1_5',
  hash: 'SHA-256',
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: 2048,
} as const;

let x509Cache: typeof X509Module | undefined;

// @peculiar/x509 registers its algorithms through tsyringe, which needs the Reflect metadata polyfill
// loaded before it: requiring both here, in this order, holds whatever order imports get hoisted in.
function x509(): typeof X509Module {
  if (!x509Cache) {
    require('reflect-metadata');
    const lib = require('@peculiar/x509') as typeof X509Module;
    lib.cryptoProvider.set(crypto.webcrypto);
    x509Cache = lib;
  }
  return x509Cache;
}

function subtle(): crypto.webcrypto.SubtleCrypto {
  return crypto.webcrypto.subtle;
}

/** Positive, minimally encoded 128-bit serial: high bit clear (not negative), second-highest set (no leading zero). */
function randomSerialHex(): string {
  const bytes = crypto.randomBytes(16);
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return bytes.toString('hex');
}

function validity(days: number): { notBefore: Date; notAfter: Date } {
  const notBefore = new Date(Date.now() - BACKDATE_MS);
  return { notBefore, notAfter: new Date(notBefore.getTime() + days * DAY_MS) };
}

async function generateRsaKeys(): Promise<WebCryptoKeyPair> {
  return subtle().generateKey(RSA_ALGORITHM, true, ['sign', 'verify']);
}

async function privateKeyToPem(key: WebCryptoKey): Promise<string> {
  const der = await subtle().exportKey('pkcs8', key);
  return x509().PemConverter.encode(der, 'PRIVATE KEY');
}

/** Accepts PKCS#8 or PKCS#1 PEM, so a CA made with openssl works too. */
async function importSigningKey(keyPem: string): Promise<WebCryptoKey> {
  const der = crypto.createPrivateKey(keyPem).export({ type: 'pkcs8', format: 'der' });
  return subtle().importKey('pkcs8', der, { name: RSA_ALGORITHM.name, hash: RSA_ALGORITHM.hash }, false, ['sign']);
}

interface LoadedCa {
  cert: X509Module.X509Certificate;
  signingKey: WebCryptoKey;
}

async function loadCa(ca: PemPair): Promise<LoadedCa> {
  return { cert: new (x509().X509Certificate)(ca.certPem), signingKey: await importSigningKey(ca.keyPem) };
}

function rsaJwkOf(publicKey: crypto.KeyObject): RsaPublicJwk {
  const jwk = publicKey.export({ format: 'jwk' });
  if (jwk.kty !== 'RSA' || !jwk.n || !jwk.e) throw new Error(`expected an RSA public key, got kty=${jwk.kty}`);
  return { kty: 'RSA', n: jwk.n, e: jwk.e };
}

async function issueLeaf(
  ca: PemPair,
  subject: X509Module.JsonNameParams,
  extensions: X509Module.Extension[],
): Promise<{ pair: PemPair; keys: WebCryptoKeyPair }> {
  const lib = x509();
  const issuer = await loadCa(ca);
  const keys = await generateRsaKeys();
  const cert = await lib.X509CertificateGenerator.create({
    serialNumber: randomSerialHex(),
    subject: new lib.Name(subject),
    issuer: issuer.cert.subjectName,
    ...validity(LEAF_VALIDITY_DAYS),
    signingAlgorithm: RSA_ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: issuer.signingKey,
    extensions: [
      new lib.BasicConstraintsExtension(false, undefined, true),
      await lib.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await lib.AuthorityKeyIdentifierExtension.create(issuer.cert.publicKey),
      ...extensions,
    ],
  });
  return { pair: { certPem: cert.toString('pem'), keyPem: await privateKeyToPem(keys.privateKey) }, keys };
}

export async function createCertificateAuthority(commonName: string): Promise<PemPair> {
  const lib = x509();
  const keys = await generateRsaKeys();
  const cert = await lib.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerialHex(),
    name: new lib.Name([{ CN: [commonName] }]),
    ...validity(CA_VALIDITY_DAYS),
    signingAlgorithm: RSA_ALGORITHM,
    keys,
    extensions: [
      new lib.BasicConstraintsExtension(true, undefined, true),
      new lib.KeyUsagesExtension(lib.KeyUsageFlags.keyCertSign | lib.KeyUsageFlags.cRLSign, true),
      await lib.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await privateKeyToPem(keys.privateKey) };
}

/**
 * `localhost`, `127.0.0.1` and `::1` are always added so that local clients can verify the server whichever
 * loopback name they dial. IP literals given as DNS names are moved to the IP SANs, because Node checks an
 * IP host only against IP SANs.
 */
export async function issueServerCertificate(ca: PemPair, names: { dnsNames: string[]; ipAddresses: string[] }): Promise<PemPair> {
  const lib = x509();
  const dns: string[] = [];
  const ips: string[] = [];
  const addIp = (ip: string): void => {
    if (!net.isIP(ip)) throw new Error(`not an IP address: ${ip}`);
    if (!ips.includes(ip)) ips.push(ip);
  };
  for (const name of names.dnsNames) {
    if (net.isIP(name)) addIp(name);
    else if (!dns.includes(name)) dns.push(name);
  }
  if (!dns.includes('localhost')) dns.push('localhost');
  for (const ip of [...names.ipAddresses, '127.0.0.1', '::1']) addIp(ip);

  const { pair } = await issueLeaf(
    ca,
    [{ CN: [dns[0] ?? 'localhost'] }],
    [
      new lib.KeyUsagesExtension(lib.KeyUsageFlags.digitalSignature | lib.KeyUsageFlags.keyEncipherment, true),
      new lib.ExtendedKeyUsageExtension([lib.ExtendedKeyUsage.serverAuth]),
      new lib.SubjectAlternativeNameExtension([
        ...dns.map((value) => ({ type: 'dns' as const, value })),
        ...ips.map((value) => ({ type: 'ip' as const, value })),
      ]),
    ],
  );
  return pair;
}

/**
 * `identity` is the Handle username `index:handle`. It goes into both UID and CN because the real server
 * reads UID first and falls back to CN, and other tools only show CN.
 */
export async function issueClientCertificate(ca: PemPair, identity: string): Promise<PemPair & { publicKeyJwk: RsaPublicJwk }> {
  const lib = x509();
  const { pair } = await issueLeaf(
    ca,
    // Object form, not an "UID=..., CN=..." string, so identities containing DN metacharacters need no escaping.
    [{ [UID_OID]: [{ utf8String: identity }] }, { CN: [{ utf8String: identity }] }],
    [
      new lib.KeyUsagesExtension(lib.KeyUsageFlags.digitalSignature | lib.KeyUsageFlags.keyEncipherment, true),
      new lib.ExtendedKeyUsageExtension([lib.ExtendedKeyUsage.clientAuth]),
    ],
  );
  return { ...pair, publicKeyJwk: rsaJwkOf(crypto.createPublicKey(pair.certPem)) };
}
