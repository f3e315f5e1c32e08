// Certificates the server never issues, for TLS refusal tests: expired ones, ones from a CA nobody
// trusts, and ones reusing a given key, made with @peculiar/x509 as mock-server/tls.ts does.
import * as crypto from 'node:crypto';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(crypto.webcrypto);
const ALGORITHM = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
const DAY = 86_400_000;

export interface Pem {
  certPem: string;
  keyPem: string;
}

async function keyPair(keyPem?: string): Promise<crypto.webcrypto.CryptoKeyPair> {
  if (!keyPem) return (await crypto.webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as crypto.webcrypto.CryptoKeyPair;
  const privateDer = crypto.createPrivateKey(keyPem).export({ type: 'pkcs8', format: 'der' });
  const publicDer = crypto.createPublicKey(keyPem).export({ type: 'spki', format: 'der' });
  return {
    privateKey: await crypto.webcrypto.subtle.importKey('pkcs8', privateDer, ALGORITHM, true, ['sign']),
    publicKey: await crypto.webcrypto.subtle.importKey('spki', publicDer, ALGORITHM, true, ['verify']),
  } as crypto.webcrypto.CryptoKeyPair;
}

function toPem(der: ArrayBuffer): string {
  return `-----BEGIN PRIVATE KEY-----\n${Buffer.from(der)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .trim()}\n-----END PRIVATE KEY-----\n`;
}

/**
 * A certificate for `commonName` (UID and CN, as client certificates carry the identity), signed by
 * `issuer` or self-signed, valid from `fromDays` to `toDays` relative to now, with `keyPem`'s key or a new one.
 */
export async function makeCertificate(options: {
  commonName: string;
  issuer?: Pem;
  fromDays?: number;
  toDays?: number;
  keyPem?: string;
  serverNames?: string[];
  ca?: boolean;
}): Promise<Pem> {
  const keys = await keyPair(options.keyPem);
  const name = new x509.Name([{ '0.9.2342.19200300.100.1.1': [{ utf8String: options.commonName }] }, { CN: [{ utf8String: options.commonName }] }]);
  const notBefore = new Date(Date.now() + (options.fromDays ?? -1) * DAY);
  const notAfter = new Date(Date.now() + (options.toDays ?? 30) * DAY);
  const extensions: x509.Extension[] = [new x509.BasicConstraintsExtension(options.ca ?? false, undefined, true)];
  if (options.serverNames) {
    extensions.push(
      new x509.SubjectAlternativeNameExtension([
        ...options.serverNames.map((value) => ({ type: (/^[\d.:]+$/.test(value) ? 'ip' : 'dns') as 'ip' | 'dns', value })),
      ]),
    );
  }
  const serialNumber = crypto
    .randomBytes(8)
    .toString('hex')
    .replace(/^[89a-f]/, '1');
  let cert: x509.X509Certificate;
  if (options.issuer) {
    const issuerCert = new x509.X509Certificate(options.issuer.certPem);
    const issuerKeys = await keyPair(options.issuer.keyPem);
    cert = await x509.X509CertificateGenerator.create({
      serialNumber,
      subject: name,
      issuer: issuerCert.subjectName,
      notBefore,
      notAfter,
      signingAlgorithm: ALGORITHM,
      publicKey: keys.publicKey,
      signingKey: issuerKeys.privateKey,
      extensions,
    });
  } else {
    cert = await x509.X509CertificateGenerator.createSelfSigned({ serialNumber, name, notBefore, notAfter, signingAlgorithm: ALGORITHM, keys, extensions });
  }
  const keyPem = options.keyPem ?? toPem(await crypto.webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  return { certPem: cert.toString('pem'), keyPem };
}
