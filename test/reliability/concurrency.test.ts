// Concurrency on one server: 50 clients each adding a different index to one handle lose nothing, and
// 50 racing creates of one handle with overwrite=false have exactly one winner whose record is stored.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request } from 'undici';
import { basicHeader } from '../support/http.js';
import { PREFIX, startTestServer, uniqueName, type TestServer } from '../support/mock-server.js';

const CLIENTS = 50;
let t: TestServer;
let agents: Agent[];
before(async () => {
  t = await startTestServer();
  // One agent per client: 50 separate TLS connections, as 50 trainees' notebooks would have.
  agents = Array.from({ length: CLIENTS }, () => new Agent({ connect: { ca: t.caPem }, connections: 1 }));
});
after(async () => {
  await Promise.all(agents.map((a) => a.close()));
  await t?.close();
});

const auth = () => ({ authorization: basicHeader(t.trainee.identity, t.trainee.password), 'content-type': 'application/json' });

async function put(client: number, path: string, body: unknown): Promise<{ status: number; responseCode: unknown }> {
  const response = await request(t.url('https', path), { method: 'PUT', headers: auth(), body: JSON.stringify(body), dispatcher: agents[client]! });
  const json = (await response.body.json()) as { responseCode?: unknown };
  return { status: response.statusCode, responseCode: json.responseCode };
}

describe('concurrent writers', () => {
  test(`${CLIENTS} clients adding different indexes to one handle lose nothing`, async () => {
    const handle = `${PREFIX}/${uniqueName('CONC')}`;
    assert.equal(
      (
        await put(0, `/api/handles/${handle}`, {
          values: [
            { index: 1, type: 'URL', data: 'https://example.org/base' },
            { index: 100, type: 'HS_ADMIN', data: { format: 'admin', value: { handle: `${PREFIX}/USER01`, index: 300, permissions: '011111110011' } } },
          ],
        })
      ).status,
      201,
    );
    const results = await Promise.all(
      Array.from({ length: CLIENTS }, (_, i) =>
        put(i, `/api/handles/${handle}?index=${1000 + i}&overwrite=false`, { values: [{ index: 1000 + i, type: 'NOTE', data: `client ${i}` }] }),
      ),
    );
    assert.deepEqual(
      results.map((r) => r.status),
      Array(CLIENTS).fill(201),
    );
    const record = (await t.request({ path: `/api/handles/${handle}` })).json() as { values: Array<{ index: number; data: { value: string } }> };
    const notes = record.values.filter((v) => v.index >= 1000).map((v) => [v.index, v.data.value]);
    assert.deepEqual(
      notes,
      Array.from({ length: CLIENTS }, (_, i) => [1000 + i, `client ${i}`]),
    );
    assert.ok(
      record.values.some((v) => v.index === 1),
      'the first value is still there',
    );
  });

  test(`${CLIENTS} racing creates of one handle with overwrite=false: exactly one 201, the others 409, the winner's record stored`, async () => {
    for (let round = 0; round < 3; round += 1) {
      const handle = `${PREFIX}/${uniqueName('RACE')}`;
      const results = await Promise.all(
        Array.from({ length: CLIENTS }, (_, i) =>
          put(i, `/api/handles/${handle}?overwrite=false`, { values: [{ index: 1, type: 'URL', data: `https://example.org/client-${i}` }] }),
        ),
      );
      const winners = results.flatMap((r, i) => (r.status === 201 ? [i] : []));
      assert.equal(winners.length, 1, `round ${round}: ${JSON.stringify(results.map((r) => r.status))}`);
      assert.ok(results.every((r) => r.status === 201 || (r.status === 409 && r.responseCode === 101)));
      const record = (await t.request({ path: `/api/handles/${handle}` })).json() as { values: Array<{ index: number; data: { value: string } }> };
      assert.equal(record.values.find((v) => v.index === 1)?.data.value, `https://example.org/client-${winners[0]}`);
    }
  });
});
