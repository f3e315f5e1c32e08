// A closed client or dispatcher against a real `pid-mock serve` process: what a notebook meets after
// Cell → Run All ran the chapter's last cell (`await client.close()`) before the trainee's exercises.
// A client's own pool reopens on its next request; a dispatcher the caller passed in and shut is
// explained (whose it was, that the server was not asked, what to do), never "check the server URL".
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Agent, request } from 'undici';
import { WARMUP_HANDLE } from '../../mock-server/fixtures/seed-records.js';
import { HandleClient } from '../../src/client.js';
import { PIDClientCredentials } from '../../src/credentials.js';
import { GenericHandleError } from '../../src/errors.js';
import { createDispatcher } from '../../src/transport/dispatcher.js';
import { connectionError } from '../../src/transport/network-errors.js';
import { startMockProcess, type MockProcess } from '../support/mock-process.js';

let server: MockProcess;

before(async () => {
  server = await startMockProcess();
});

after(async () => {
  await server?.stop();
});

describe('a closed client reopens', () => {
  test('close(), then a read works again, and close() again ends it', async () => {
    const reader = HandleClient.forReadAccess(server.httpsUrl, { httpsVerify: server.caFile });
    assert.equal((await reader.retrieveHandleRecordJson(WARMUP_HANDLE))?.handle, WARMUP_HANDLE);
    await reader.close();
    assert.equal((await reader.retrieveHandleRecordJson(WARMUP_HANDLE))?.handle, WARMUP_HANDLE);
    await reader.close();
    await reader.close();
    assert.ok(await reader.getValueFromHandle(WARMUP_HANDLE, 'URL'));
    await reader.close();
  });

  test("a writing client (certificate) closed like a chapter's last cell registers afterwards", async () => {
    const cred = PIDClientCredentials.loadFromJSON(server.credentialsFile);
    const client = await HandleClient.withCredentials(cred);
    await client.close();
    const pid = await client.generateAndRegisterHandle(cred.prefix!, 'http://example.org/after-close');
    assert.equal(await client.getValueFromHandle(pid, 'URL'), 'http://example.org/after-close');
    await client.close();
  });

  test('a request sent while close() is still under way is answered', async () => {
    const reader = HandleClient.forReadAccess(server.httpsUrl, { httpsVerify: server.caFile });
    await reader.retrieveHandleRecordJson(WARMUP_HANDLE);
    const closing = reader.close();
    const record = await reader.retrieveHandleRecordJson(WARMUP_HANDLE);
    await closing;
    assert.equal(record?.handle, WARMUP_HANDLE);
    await reader.close();
  });

  test('a dispatcher from createDispatcher is usable again after close(); destroy() is final', async () => {
    const dispatcher = createDispatcher({ httpsVerify: server.caFile });
    const url = `${server.httpsUrl}/api/handles/${WARMUP_HANDLE}`;
    const first = await request(url, { dispatcher });
    await first.body.dump();
    await dispatcher.close();
    await dispatcher.close(); // a chapter's last cell run twice
    const again = await request(url, { dispatcher });
    assert.equal(again.statusCode, 200);
    await again.body.dump();
    await dispatcher.destroy();
    await assert.rejects(request(url, { dispatcher }), { code: 'UND_ERR_DESTROYED' });
  });
});

describe('a dispatcher that cannot be used says so', () => {
  for (const [how, shut] of [
    ['destroyed', (agent: Agent) => agent.destroy()],
    ['closed', (agent: Agent) => agent.close()],
  ] as const) {
    test(`the caller's dispatcher ${how}: a specific message and hint, no retries, no "check the server URL"`, async () => {
      const agent = new Agent({ connect: { ca: readFileSync(server.caFile) } });
      const reader = HandleClient.forReadAccess(server.httpsUrl, { dispatcher: agent, retries: 3, retryDelayMs: 2000 });
      assert.equal((await reader.retrieveHandleRecordJson(WARMUP_HANDLE))?.handle, WARMUP_HANDLE);
      await shut(agent);
      const started = performance.now();
      await assert.rejects(reader.retrieveHandleRecordJson(WARMUP_HANDLE), (error: unknown) => {
        assert.ok(error instanceof GenericHandleError, String(error));
        assert.match(
          error.message,
          new RegExp(
            `^request to ${server.httpsUrl}/api/handles/\\S+ was not sent: the dispatcher passed in with the \`dispatcher\` option was (destroyed|closed) before the request \\(the server was not asked\\)$`,
          ),
        );
        assert.match(error.hint, /a dispatcher you pass in stays yours: keep it open while the client uses it, or leave the option out/);
        assert.doesNotMatch(`${error.message} ${error.hint}`, /server URL|reachable|gave up/);
        return true;
      });
      assert.ok(performance.now() - started < 1500, 'a shut dispatcher is not retried');
      await reader.close();
    });
  }
});

describe('no answer at all: each cause named with what to do', () => {
  const url = 'https://pid.example.invalid:8000/api/handles/21.T12995/x';
  const failure = (code: string) => connectionError(url, Object.assign(new Error(`raw ${code}`), { code }));

  test('an unknown host name names the host and where it is set', () => {
    const error = failure('ENOTFOUND');
    assert.equal(error.message, 'cannot connect to https://pid.example.invalid:8000: the host name pid.example.invalid is not known here');
    assert.match(error.hint, /check the host in the server URL \(handle_server_url in the credentials\)/);
  });

  test('a connection that broke off says so, and that another try helps', () => {
    for (const code of ['ECONNRESET', 'UND_ERR_SOCKET']) {
      const error = failure(code);
      assert.equal(error.message, 'the connection to https://pid.example.invalid:8000 broke off before the answer came');
      assert.match(error.hint, /run the cell again, or give the client retries: 3/);
    }
  });

  test("the client's own dispatcher, destroyed: how to get a working one", () => {
    const error = connectionError(url, Object.assign(new Error('The client is destroyed'), { code: 'UND_ERR_DESTROYED' }), {
      tries: 1,
      timeoutMs: 1000,
      dispatcher: 'own',
    });
    assert.equal(error.message, `request to ${url} was not sent: its dispatcher (connection pool) was destroyed before the request (the server was not asked)`);
    assert.match(error.hint, /make a new one with createDispatcher/);
  });
});
