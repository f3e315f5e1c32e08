// TLS refusals, both ways. The server refuses a client certificate whose key is not the registered
// HS_PUBKEY (CA-signed, from an unknown CA, or expired) with 401 "Identity not verified"; the lesson's
// client refuses a server it cannot trust (unknown CA, expired certificate) with a message saying so.
// As on the real server (protocol reference §4.3), a certificate is judged by its key alone: issuer and
// dates are ignored, which the last test pins down.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Agent } from 'undici';
import { HandleClient } from '../../src/client.js';
import { startMockServer } from '../../mock-server/server.js';
import { httpRequest } from '../support/http.js';
import { PREFIX, startTestServer, storeSnapshot, type TestServer } from '../support/mock-server.js';
import { makeCertificate, type Pem } from './certificates.js';
import { temporaryFolder } from '../support/temporary-folders.js';

let t: TestServer;
let ca: Pem;
let traineeKeyPem: string;
const agents: Agent[] = [];

before(async () => {
  t = await startTestServer({ storage: 'data-dir' });
  const tlsDir = join(t.dataDir!, 'tls');
  ca = { certPem: readFileSync(join(tlsDir, 'ca.pem'), 'utf8'), keyPem: readFileSync(join(tlsDir, 'ca-key.pem'), 'utf8') };
  const cred = JSON.parse(readFileSync(join(t.server.credentialsDir, 'cred_file.json'), 'utf8')) as { private_key: string };
  traineeKeyPem = readFileSync(resolve(t.server.credentialsDir, cred.private_key), 'utf8');
});
after(async () => {
  await Promise.all(agents.map((a) => a.close()));
  await t?.close();
});

function agentWith(pem: Pem): Agent {
  const agent = new Agent({ connect: { ca: t.caPem, cert: pem.certPem, key: pem.keyPem } });
  agents.push(agent);
  return agent;
}

const identity = `301:${PREFIX}/USER01`;

describe('client certificates the server refuses', () => {
  const cases: Array<[string, () => Promise<Pem>]> = [
    ['signed by the lesson CA but with a key that is not the registered HS_PUBKEY', () => makeCertificate({ commonName: identity, issuer: ca })],
    ['from an unknown CA (self-signed), with another key', () => makeCertificate({ commonName: identity })],
    ['expired, with another key', () => makeCertificate({ commonName: identity, issuer: ca, fromDays: -30, toDays: -1 })],
  ];
  for (const [label, make] of cases) {
    test(`a certificate ${label} gets 401 "Identity not verified" and changes nothing`, async () => {
      const agent = agentWith(await make());
      const before = storeSnapshot(t.server);
      const response = await httpRequest(t.url('https', `/api/handles/${PREFIX}/TLS-REFUSED`), {
        method: 'PUT',
        headers: { authorization: 'Handle clientCert="true"', 'content-type': 'application/json' },
        body: JSON.stringify({ values: [{ index: 1, type: 'URL', data: 'https://example.org/x' }] }),
        dispatcher: agent,
      });
      assert.equal(response.status, 401);
      assert.equal(response.text, '');
      assert.match(String(response.headers['www-authenticate']), /error="Identity not verified"/);
      assert.equal(storeSnapshot(t.server), before);
      const session = await httpRequest(t.url('https', '/api/sessions/this'), { dispatcher: agent });
      assert.equal(session.status, 401);
    });
  }

  test('a certificate naming no index:handle identity is refused too', async () => {
    const agent = agentWith(await makeCertificate({ commonName: 'just a name', issuer: ca }));
    const response = await httpRequest(t.url('https', '/api/sessions/this'), { dispatcher: agent });
    assert.equal(response.status, 401);
  });
});

describe('servers the lesson client refuses', () => {
  test('a server whose CA the client does not trust: "not trusted", with the fix in the hint', async () => {
    const otherCa = await makeCertificate({ commonName: 'some other CA', ca: true });
    const dir = temporaryFolder('pid-tls-ca-');
    try {
      writeFileSync(join(dir, 'other-ca.pem'), otherCa.certPem);
      const client = HandleClient.forReadAccess(t.server.httpsUrl, { httpsVerify: join(dir, 'other-ca.pem') });
      await assert.rejects(client.retrieveHandleRecordJson(`${PREFIX}/USER01`), (error: Error & { hint?: string }) => {
        assert.match(
          error.message,
          /TLS certificate of https:\/\/127\.0\.0\.1:\d+ is not trusted \((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)\)/,
        );
        assert.match(String(error.hint), /HTTPS_verify/);
        return true;
      });
      await client.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a server whose certificate has expired: "not trusted (CERT_HAS_EXPIRED)"', async () => {
    const dataDir = temporaryFolder('pid-tls-expired-');
    try {
      const first = await startMockServer({ host: '127.0.0.1', port: 0, dataDir, prefixes: [PREFIX] });
      await first.close();
      const tlsDir = join(dataDir, 'tls');
      const folderCa = { certPem: readFileSync(join(tlsDir, 'ca.pem'), 'utf8'), keyPem: readFileSync(join(tlsDir, 'ca-key.pem'), 'utf8') };
      const expired = await makeCertificate({ commonName: 'localhost', issuer: folderCa, fromDays: -60, toDays: -1, serverNames: ['localhost', '127.0.0.1'] });
      writeFileSync(join(tlsDir, 'server.pem'), expired.certPem);
      writeFileSync(join(tlsDir, 'server-key.pem'), expired.keyPem);
      const server = await startMockServer({ host: '127.0.0.1', port: 0, dataDir, prefixes: [PREFIX] });
      try {
        const client = HandleClient.forReadAccess(server.httpsUrl, { httpsVerify: join(dataDir, 'credentials', 'ca.pem') });
        await assert.rejects(client.retrieveHandleRecordJson(`${PREFIX}/USER01`), /is not trusted \(CERT_HAS_EXPIRED\)/);
        await client.close();
      } finally {
        await server.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('what decides: the key, not issuer or dates (as on the real server)', () => {
  for (const [label, options] of [
    ['self-signed', {}],
    ['expired', { issuer: undefined as Pem | undefined, fromDays: -30, toDays: -1 }],
  ] as const) {
    test(`a ${label} certificate carrying the registered key authenticates as ${identity}`, async () => {
      const agent = agentWith(await makeCertificate({ commonName: identity, keyPem: traineeKeyPem, ...options }));
      const response = await httpRequest(t.url('https', '/api/sessions/this'), { dispatcher: agent });
      assert.equal(response.status, 200);
      assert.deepEqual(response.json(), { authenticated: true, id: identity });
    });
  }
});
