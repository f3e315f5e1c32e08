// Checks the certificate helpers against real TLS handshakes: node https, httpolyglot (HTTP and HTTPS on one
// port) and Fastify fed an httpolyglot server through serverFactory.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import type * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as tls from 'node:tls';
import { Agent, request } from 'undici';
import * as httpolyglot from '@httptoolkit/httpolyglot';
import Fastify from 'fastify';
import { createCertificateAuthority, issueClientCertificate, issueServerCertificate, type PemPair } from '../../mock-server/data-folder/certificates.js';
import { identityFromPeerCertificate, publicKeyJwkOfCertificate, sameRsaPublicKey } from '../../mock-server/handle/peer-identity.js';

const IDENTITY = '301:21.T12995/USER01';

let ca: PemPair;
let otherCa: PemPair;
let server: PemPair;
let client: Awaited<ReturnType<typeof issueClientCertificate>>;
let sameIdentityOtherKey: Awaited<ReturnType<typeof issueClientCertificate>>;
let foreignClient: Awaited<ReturnType<typeof issueClientCertificate>>;

before(async () => {
  ca = await createCertificateAuthority('pid-handson test CA');
  otherCa = await createCertificateAuthority('some other CA');
  server = await issueServerCertificate(ca, { dnsNames: ['handle.test'], ipAddresses: ['10.1.2.3'] });
  client = await issueClientCertificate(ca, IDENTITY);
  sameIdentityOtherKey = await issueClientCertificate(ca, IDENTITY);
  foreignClient = await issueClientCertificate(otherCa, IDENTITY);
});

/** What the test servers report about the connection a request came in on. */
interface PeerReport {
  encrypted: boolean;
  isTlsSocket: boolean;
  identity: string | undefined;
  jwk: { kty: string; n?: string; e?: string } | undefined;
  authorized: boolean | undefined;
  protocol?: string | undefined;
}

function describePeer(socket: import('node:net').Socket): PeerReport {
  if (!(socket instanceof tls.TLSSocket)) {
    return {
      encrypted: Boolean((socket as { encrypted?: boolean }).encrypted),
      isTlsSocket: false,
      identity: undefined,
      jwk: undefined,
      authorized: undefined,
    };
  }
  const peer = socket.getPeerCertificate();
  const hasCert = peer && Buffer.isBuffer(peer.raw);
  return {
    encrypted: socket.encrypted,
    isTlsSocket: true,
    identity: identityFromPeerCertificate(peer),
    jwk: hasCert ? publicKeyJwkOfCertificate(peer.raw) : undefined,
    authorized: socket.authorized,
  };
}

function reportHandler(req: http.IncomingMessage, res: http.ServerResponse): void {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(describePeer(req.socket)));
}

async function listen(srv: import('node:net').Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => resolve());
  });
  return (srv.address() as AddressInfo).port;
}

async function closeServer(srv: import('node:net').Server): Promise<void> {
  await new Promise<void>((resolve) => srv.close(() => resolve()));
}

/**
 * Every request goes through an agent the suite closes itself: a keep-alive connection left in undici's
 * global pool would keep `server.close()` waiting until the server's keep-alive timeout.
 */
class Agents {
  private readonly open: Agent[] = [];
  plain(): Agent {
    return this.track(new Agent());
  }
  tls(opts: { ca: string; cert?: string; key?: string; servername?: string }): Agent {
    return this.track(new Agent({ connect: { ...opts } }));
  }
  async closeAll(): Promise<void> {
    await Promise.all(this.open.splice(0).map((a) => a.close()));
  }
  private track(a: Agent): Agent {
    this.open.push(a);
    return a;
  }
}

async function getJson(url: string, dispatcher: Agent): Promise<{ status: number; body: PeerReport }> {
  const res = await request(url, { dispatcher });
  return { status: res.statusCode, body: (await res.body.json()) as PeerReport };
}

/** Walks the `cause` chain, since undici wraps socket errors. */
function errorCodes(err: unknown): string[] {
  const codes: string[] = [];
  for (let e = err as { code?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.code) codes.push(e.code);
  }
  return codes;
}

describe('issued certificates', () => {
  test('the CA is self-signed, marked CA:true critical with keyCertSign and cRLSign, and valid for ten years', async () => {
    const cert = new crypto.X509Certificate(ca.certPem);
    assert.equal(cert.ca, true);
    assert.equal(cert.subject, 'CN=pid-handson test CA');
    assert.ok(cert.checkIssued(cert));
    assert.ok(cert.verify(cert.publicKey));
    const days = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86_400_000;
    assert.ok(days >= 3650 && days <= 3653, `CA validity ${days} days`);
    assert.equal(cert.publicKey.asymmetricKeyDetails?.modulusLength, 2048);

    // @peculiar/x509 can only be loaded once tls.ts has put its Reflect stand-in in place.
    const x509 = await import('@peculiar/x509');
    const parsed = new x509.X509Certificate(ca.certPem);
    assert.equal((parsed.signatureAlgorithm as { name?: string }).name, 'RSASSA-PKCS1-v1_5');
    assert.equal((parsed.signatureAlgorithm as { hash?: { name: string } }).hash?.name, 'SHA-256');
    const bc = parsed.getExtension(x509.BasicConstraintsExtension);
    assert.ok(bc);
    assert.equal(bc.ca, true);
    assert.equal(bc.critical, true);
    const ku = parsed.getExtension(x509.KeyUsagesExtension);
    assert.ok(ku);
    assert.equal(ku.usages, x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
  });

  test('two CAs get different random serial numbers', () => {
    const a = new crypto.X509Certificate(ca.certPem).serialNumber;
    const b = new crypto.X509Certificate(otherCa.certPem).serialNumber;
    assert.notEqual(a, b);
    assert.match(a, /^[0-9A-F]{32}$/);
  });

  test('the server certificate names the first DNS name as CN and always covers the loopback names', () => {
    const cert = new crypto.X509Certificate(server.certPem);
    assert.equal(cert.subject, 'CN=handle.test');
    assert.equal(cert.ca, false);
    assert.ok(cert.checkIssued(new crypto.X509Certificate(ca.certPem)));
    assert.ok(cert.verify(new crypto.X509Certificate(ca.certPem).publicKey));
    assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.1']);
    const sans = (cert.subjectAltName ?? '').split(', ');
    for (const san of ['DNS:handle.test', 'DNS:localhost', 'IP Address:10.1.2.3', 'IP Address:127.0.0.1']) {
      assert.ok(sans.includes(san), `${san} missing from ${cert.subjectAltName}`);
    }
    assert.ok(cert.checkIP('::1'));
    assert.equal(cert.checkHost('localhost'), 'localhost');
    const days = (Date.parse(cert.validTo) - Date.parse(cert.validFrom)) / 86_400_000;
    assert.ok(days > 365 && days <= 825, `server validity ${days} days`);
  });

  test('an IP address passed as a DNS name ends up as an IP SAN and never as the CN', async () => {
    const cert = new crypto.X509Certificate((await issueServerCertificate(ca, { dnsNames: ['192.0.2.7'], ipAddresses: [] })).certPem);
    assert.equal(cert.subject, 'CN=localhost');
    assert.ok(cert.checkIP('192.0.2.7'));
    assert.ok(!(cert.subjectAltName ?? '').includes('DNS:192.0.2.7'));
  });

  test('the client certificate carries the identity as UID and CN, is for clientAuth, and its JWK is its key', () => {
    const cert = new crypto.X509Certificate(client.certPem);
    assert.equal(cert.subject, `UID=${IDENTITY}\nCN=${IDENTITY}`);
    assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.2']);
    assert.ok(cert.verify(new crypto.X509Certificate(ca.certPem).publicKey));
    assert.deepEqual(Object.keys(client.publicKeyJwk).sort(), ['e', 'kty', 'n']);
    assert.equal(client.publicKeyJwk.kty, 'RSA');
    assert.equal(client.publicKeyJwk.e, 'AQAB');
    assert.doesNotMatch(client.publicKeyJwk.n, /[=+/]/);
    assert.deepEqual(client.publicKeyJwk, crypto.createPublicKey(client.keyPem).export({ format: 'jwk' }));
  });

  test('Node exposes the UID attribute under the key "UID" in a certificate subject object', () => {
    const subject = new crypto.X509Certificate(client.certPem).toLegacyObject().subject;
    assert.equal(subject.UID, IDENTITY);
    assert.equal(subject.CN, IDENTITY);
  });
});

describe('identity and key helpers', () => {
  test('identityFromPeerCertificate prefers UID, falls back to CN, and gives undefined without a subject', () => {
    assert.equal(identityFromPeerCertificate(new crypto.X509Certificate(client.certPem)), IDENTITY);
    assert.equal(identityFromPeerCertificate(new crypto.X509Certificate(server.certPem)), 'handle.test');
    const onlyCn = { subject: { CN: '300:21.T12995/CN_ONLY' } } as unknown as tls.PeerCertificate;
    assert.equal(identityFromPeerCertificate(onlyCn), '300:21.T12995/CN_ONLY');
    const both = { subject: { UID: ['300:a/uid', '301:a/uid2'], CN: '300:a/cn' } } as unknown as tls.PeerCertificate;
    assert.equal(identityFromPeerCertificate(both), '300:a/uid');
    assert.equal(identityFromPeerCertificate({} as tls.PeerCertificate), undefined);
  });

  test('publicKeyJwkOfCertificate reads the same JWK from PEM and from DER', () => {
    const der = new crypto.X509Certificate(client.certPem).raw;
    assert.deepEqual(publicKeyJwkOfCertificate(client.certPem), client.publicKeyJwk);
    assert.deepEqual(publicKeyJwkOfCertificate(der), client.publicKeyJwk);
  });

  test('sameRsaPublicKey ignores padding, the base64 alphabet and leading zero bytes but not the key itself', () => {
    const jwk = client.publicKeyJwk;
    const nBytes = Buffer.from(jwk.n, 'base64url');
    const padded = { n: nBytes.toString('base64'), e: 'AQAB' };
    const withZero = { n: Buffer.concat([Buffer.from([0]), nBytes]).toString('base64url'), e: 'AAEAAQ' };
    assert.ok(sameRsaPublicKey(jwk, jwk));
    assert.ok(sameRsaPublicKey(jwk, padded));
    assert.ok(sameRsaPublicKey(withZero, jwk));
    assert.ok(!sameRsaPublicKey(jwk, sameIdentityOtherKey.publicKeyJwk));
    assert.ok(!sameRsaPublicKey(jwk, { n: jwk.n, e: 'Aw' }));
    assert.ok(!sameRsaPublicKey(jwk, { e: jwk.e }));
    assert.ok(!sameRsaPublicKey({}, {}));
  });
});

describe('mutual TLS on a node https server', () => {
  let srv: https.Server;
  let port: number;
  const agents = new Agents();
  const agent = (opts: Parameters<Agents['tls']>[0]): Agent => agents.tls(opts);

  before(async () => {
    srv = https.createServer({ key: server.keyPem, cert: server.certPem, requestCert: true, rejectUnauthorized: false }, reportHandler);
    port = await listen(srv);
  });
  after(async () => {
    await agents.closeAll();
    await closeServer(srv);
  });

  test('a client that verifies the server against the CA and presents its certificate is identified', async () => {
    const { status, body } = await getJson(`https://127.0.0.1:${port}/`, agent({ ca: ca.certPem, cert: client.certPem, key: client.keyPem }));
    assert.equal(status, 200);
    assert.equal(body.isTlsSocket, true);
    assert.equal(body.identity, IDENTITY);
    assert.ok(body.jwk);
    assert.ok(sameRsaPublicKey(body.jwk, client.publicKeyJwk));
    // The server was given no CA, as the Handle server ignores the issuer: the cert is received but unverified.
    assert.equal(body.authorized, false);
  });

  test('the server certificate also verifies under its DNS name', async () => {
    const { body } = await getJson(
      `https://127.0.0.1:${port}/`,
      agent({ ca: ca.certPem, cert: client.certPem, key: client.keyPem, servername: 'handle.test' }),
    );
    assert.equal(body.identity, IDENTITY);
  });

  test('a client without a certificate is still served, with no identity', async () => {
    const { status, body } = await getJson(`https://127.0.0.1:${port}/`, agent({ ca: ca.certPem }));
    assert.equal(status, 200);
    assert.equal(body.identity, undefined);
    assert.equal(body.jwk, undefined);
  });

  test('a client that trusts a different CA refuses the server with a TLS error', async () => {
    await assert.rejects(getJson(`https://127.0.0.1:${port}/`, agent({ ca: otherCa.certPem, cert: client.certPem, key: client.keyPem })), (err) => {
      assert.ok(errorCodes(err).includes('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), String(errorCodes(err)));
      return true;
    });
  });

  test('a client asking for a name the certificate does not cover refuses the server', async () => {
    await assert.rejects(getJson(`https://127.0.0.1:${port}/`, agent({ ca: ca.certPem, servername: 'elsewhere.test' })), (err) => {
      assert.ok(errorCodes(err).includes('ERR_TLS_CERT_ALTNAME_INVALID'), String(errorCodes(err)));
      return true;
    });
  });

  test('a certificate with the same identity but another key does not match the issued JWK', async () => {
    const { body } = await getJson(
      `https://127.0.0.1:${port}/`,
      agent({ ca: ca.certPem, cert: sameIdentityOtherKey.certPem, key: sameIdentityOtherKey.keyPem }),
    );
    assert.equal(body.identity, IDENTITY);
    assert.ok(body.jwk);
    assert.ok(!sameRsaPublicKey(body.jwk, client.publicKeyJwk));
    assert.ok(sameRsaPublicKey(body.jwk, sameIdentityOtherKey.publicKeyJwk));
  });

  test('a certificate from a foreign CA still shows its identity when the server does not verify issuers', async () => {
    const { body } = await getJson(`https://127.0.0.1:${port}/`, agent({ ca: ca.certPem, cert: foreignClient.certPem, key: foreignClient.keyPem }));
    assert.equal(body.identity, IDENTITY);
    assert.ok(body.jwk && !sameRsaPublicKey(body.jwk, client.publicKeyJwk));
  });

  test('a server that requires certificates from its CA refuses a client certificate from another CA', async () => {
    let reached = false;
    const strict = https.createServer({ key: server.keyPem, cert: server.certPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: true }, (req, res) => {
      reached = true;
      reportHandler(req, res);
    });
    const strictPort = await listen(strict);
    try {
      const ok = await getJson(`https://127.0.0.1:${strictPort}/`, agent({ ca: ca.certPem, cert: client.certPem, key: client.keyPem }));
      assert.equal(ok.body.authorized, true);
      reached = false;
      await assert.rejects(getJson(`https://127.0.0.1:${strictPort}/`, agent({ ca: ca.certPem, cert: foreignClient.certPem, key: foreignClient.keyPem })));
      assert.equal(reached, false);
    } finally {
      await agents.closeAll();
      await closeServer(strict);
    }
  });
});

describe('httpolyglot: HTTP and HTTPS on one port', () => {
  let srv: ReturnType<typeof httpolyglot.createServer>;
  let port: number;
  const agents = new Agents();
  let mtls: Agent;

  before(async () => {
    srv = httpolyglot.createServer({ tls: { key: server.keyPem, cert: server.certPem, requestCert: true, rejectUnauthorized: false } }, reportHandler);
    port = await listen(srv);
    mtls = agents.tls({ ca: ca.certPem, cert: client.certPem, key: client.keyPem });
  });
  after(async () => {
    await agents.closeAll();
    await closeServer(srv);
  });

  test('a plain HTTP request is answered on a socket that is not encrypted', async () => {
    const { status, body } = await getJson(`http://127.0.0.1:${port}/`, agents.plain());
    assert.equal(status, 200);
    assert.equal(body.encrypted, false);
    assert.equal(body.isTlsSocket, false);
    assert.equal(body.identity, undefined);
  });

  test('an HTTPS request on the same port arrives on a TLS socket that shows the client certificate', async () => {
    const { status, body } = await getJson(`https://127.0.0.1:${port}/`, mtls);
    assert.equal(status, 200);
    assert.equal(body.encrypted, true);
    assert.equal(body.isTlsSocket, true);
    assert.equal(body.identity, IDENTITY);
    assert.ok(body.jwk && sameRsaPublicKey(body.jwk, client.publicKeyJwk));
  });

  test('an HTTPS client that trusts a different CA is refused on the polyglot port too', async () => {
    await assert.rejects(getJson(`https://127.0.0.1:${port}/`, agents.tls({ ca: otherCa.certPem })), (err) => {
      assert.ok(errorCodes(err).includes('UNABLE_TO_VERIFY_LEAF_SIGNATURE'), String(errorCodes(err)));
      return true;
    });
  });
});

describe('Fastify 5 with an httpolyglot server from serverFactory', () => {
  let app: ReturnType<typeof buildApp>;
  let port: number;
  const agents = new Agents();
  let mtls: Agent;

  function buildApp() {
    const fastify = Fastify({
      // Fastify only applies its timeout options to servers it creates itself; with a factory they go to
      // httpolyglot's inner http.Server through the `http` option.
      serverFactory: (handler) =>
        httpolyglot.createServer(
          {
            tls: { key: server.keyPem, cert: server.certPem, requestCert: true, rejectUnauthorized: false },
            http: { keepAliveTimeout: 5_000 },
          },
          handler,
        ) as unknown as http.Server,
      // httpolyglot's server has no closeIdleConnections, so Fastify cannot reap idle keep-alive sockets
      // itself unless told to track and destroy them.
      forceCloseConnections: true,
    });
    fastify.get('/whoami', async (req) => ({
      ...describePeer(req.raw.socket),
      protocol: req.protocol,
    }));
    return fastify;
  }

  before(async () => {
    app = buildApp();
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as AddressInfo).port;
    mtls = agents.tls({ ca: ca.certPem, cert: client.certPem, key: client.keyPem });
  });
  after(async () => {
    await agents.closeAll();
    await app.close();
  });

  test('a plain HTTP request reaches the route with protocol "http"', async () => {
    const { status, body } = await getJson(`http://127.0.0.1:${port}/whoami`, agents.plain());
    assert.equal(status, 200);
    assert.equal(body.protocol, 'http');
    assert.equal(body.encrypted, false);
    assert.equal(body.identity, undefined);
  });

  test('an HTTPS request to the same port reaches the route with protocol "https" and the client identity', async () => {
    const { status, body } = await getJson(`https://127.0.0.1:${port}/whoami`, mtls);
    assert.equal(status, 200);
    assert.equal(body.protocol, 'https');
    assert.equal(body.encrypted, true);
    assert.equal(body.identity, IDENTITY);
    assert.ok(body.jwk && sameRsaPublicKey(body.jwk, client.publicKeyJwk));
  });

  test('fastify.inject works without a socket carrying TLS, so routes must not assume one', async () => {
    const res = await app.inject({ method: 'GET', url: '/whoami' });
    assert.equal(res.statusCode, 200);
    const body = res.json() as PeerReport;
    assert.equal(body.protocol, 'http');
    assert.equal(body.identity, undefined);
  });
});
