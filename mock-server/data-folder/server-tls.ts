// The data folder's certificate authority and server certificate: made on first start, the server
// certificate issued again when the names it must be valid for change.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createCertificateAuthority, issueServerCertificate, type PemPair } from './certificates.js';
import { dataFolderLayout } from './layout.js';

export interface ServerTls {
  ca: PemPair;
  server: PemPair;
}

/** The folder's CA (certificate and key), which signs trainees' and identities' client certificates. */
export function readCertificateAuthority(stateDir: string): PemPair {
  const { tls } = dataFolderLayout(stateDir);
  return { certPem: readFileSync(tls.caCert, 'utf8'), keyPem: readFileSync(tls.caKey, 'utf8') };
}

/** Loads the TLS material of a state folder, creating CA and server certificate on first start. */
export async function ensureTls(stateDir: string, hostnames: string[]): Promise<ServerTls> {
  const files = dataFolderLayout(stateDir).tls;
  mkdirSync(files.dir, { recursive: true });
  if (!existsSync(files.caCert)) {
    const ca = await createCertificateAuthority('pid-handson local certificate authority');
    writeFileSync(files.caKey, ca.keyPem, { mode: 0o600 });
    writeFileSync(files.caCert, ca.certPem);
  }
  const ca = readCertificateAuthority(stateDir);
  const wanted = JSON.stringify([...new Set(hostnames)].sort());
  if (!existsSync(files.serverCert) || !existsSync(files.serverNames) || readFileSync(files.serverNames, 'utf8') !== wanted) {
    const ips = hostnames.filter((h) => /^[\d.]+$|:/.test(h));
    const dns = hostnames.filter((h) => !ips.includes(h));
    const server = await issueServerCertificate(ca, { dnsNames: ['localhost', ...dns], ipAddresses: ips });
    writeFileSync(files.serverKey, server.keyPem, { mode: 0o600 });
    writeFileSync(files.serverCert, server.certPem);
    writeFileSync(files.serverNames, wanted);
  }
  return { ca, server: { certPem: readFileSync(files.serverCert, 'utf8'), keyPem: readFileSync(files.serverKey, 'utf8') } };
}
