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
