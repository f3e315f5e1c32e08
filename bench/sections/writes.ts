// Section 2, durable writes with group commit: create and ?index= modify throughput at 1, 16 and 64 in
// flight on a durable server (data folder, synchronous=FULL) with a small and a large store, then the
// client's registerMany against a sequential peer sending B2HANDLE's exact requests to the same server.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Agent, request } from 'undici';
import { HandleClient, PIDClientCredentials } from '../../src/index.js';
import { basicHeader } from '../../test/support/http.js';
import { atEachStoreSize } from '../lib/fill.js';
import { ROOT } from '../../test/support/paths.js';
import { startMock, type ServerProcess } from '../lib/processes.js';
import { met, type Section } from '../lib/report.js';
import { PYTHON_REQUESTS, requireSystemPackage } from '../../test/support/system-packages.js';

export interface WritesOptions {
  /** Stored handles for each run (the first is the baseline for "must not degrade > 2×"). */
  sizes: number[];
  inFlight: number[];
  /** Operations per in-flight level. */
  operations: (inFlight: number) => number;
  peerCount: number;
  clientCount: number;
  clientConcurrency: number;
}

interface Credentials {
  username: string;
  password: string;
  prefix: string;
}

/** Runs `total` operations with at most `inFlight` at once; resolves with operations per second. */
async function drive(total: number, inFlight: number, operation: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < total) await operation(next++);
    }),
  );
  return total / ((performance.now() - started) / 1000);
}

async function writeThroughput(server: ServerProcess, cred: Credentials, options: WritesOptions, tag: string) {
  const ca = readFileSync(join(server.dataDir, 'credentials', 'ca.pem'), 'utf8');
  const headers = { authorization: basicHeader(cred.username, cred.password), 'content-type': 'application/json' };
  const results: Record<string, { create: number; modify: number }> = {};
  for (const inFlight of options.inFlight) {
    const agent = new Agent({ connect: { ca }, connections: inFlight });
    const put = async (path: string, body: unknown, expected: number) => {
      const response = await request(`${server.httpsUrl}/api/handles/${path}`, { method: 'PUT', headers, body: JSON.stringify(body), dispatcher: agent });
      const text = await response.body.text();
      if (response.statusCode !== expected) throw new Error(`PUT ${path}: ${response.statusCode} ${text}`);
    };
    // Every connection's TLS handshake happens before the clock starts.
    await Promise.all(
      Array.from({ length: inFlight }, () =>
        request(`${server.httpsUrl}/api/handles/${cred.username.split(':')[1]}`, { dispatcher: agent }).then((r) => r.body.text()),
      ),
    );
    const total = options.operations(inFlight);
    const name = (i: number) => `${cred.prefix}/W-${tag}-${inFlight}-${i}`;
    const create = await drive(total, inFlight, (i) =>
      put(
        `${name(i)}?overwrite=false`,
        {
          values: [
            { index: 100, type: 'HS_ADMIN', data: { format: 'admin', value: { handle: `0.NA/${cred.prefix}`, index: 200, permissions: '011111110011' } } },
            { index: 1, type: 'URL', data: `https://repository.example.org/w/${tag}/${inFlight}/${i}` },
          ],
        },
        201,
      ),
    );
    const modify = await drive(total, inFlight, (i) =>
      put(`${name(i)}?index=1&overwrite=true`, { values: [{ index: 1, type: 'URL', data: `https://repository.example.org/moved/${i}` }] }, 200),
    );
    await agent.close();
    results[String(inFlight)] = { create, modify };
  }
  return results;
}

async function b2handlePeer(credFile: string, count: number): Promise<number> {
  const { stdout } = await promisify(execFile)('/usr/bin/python3', [join(ROOT, 'bench', 'b2handle_register.py'), credFile, String(count)], {
    timeout: 600_000,
  });
  const result = JSON.parse(stdout) as { count: number; seconds: number; failed: number };
  if (result.failed) throw new Error(`the B2HANDLE peer saw ${result.failed} failed registrations`);
  return result.count / result.seconds;
}

async function clientRate(credFile: string, count: number, concurrency: number, tag: string): Promise<number> {
  const cred = PIDClientCredentials.loadFromJSON(credFile);
  // A pool as large as the batch's concurrency, as the CLI's bulk mode sizes it: with the default 16
  // connections, a concurrency of 64 would still have only 16 requests in flight.
  const client = await HandleClient.withCredentials(cred, { connections: concurrency });
  try {
    const items = Array.from({ length: count }, (_, i) => ({ location: `https://repository.example.org/client/${tag}/${i}`, checksum: `sha256:${i}` }));
    const started = performance.now();
    const results = await client.registerMany(items, { prefix: cred.prefix!, concurrency });
    const failed = results.filter((r) => !r.ok);
    if (failed.length) throw new Error(`registerMany: ${failed.length} of ${count} failed`);
    return count / ((performance.now() - started) / 1000);
  } finally {
    await client.close();
  }
}

export async function durableWrites(options: WritesOptions): Promise<Section> {
  // The B2HANDLE-style writer is a python3 script using requests.
  requireSystemPackage(PYTHON_REQUESTS);
  // A first start provisions the data folder; handles are then added to its file while it is stopped.
  const first = await startMock();
  const dataDir = first.dataDir;
  const credFile = join(dataDir, 'credentials', 'cred_basic.json');
  const cred = JSON.parse(readFileSync(credFile, 'utf8')) as Credentials;
  const rows: Section['rows'] = [];
  const bySize: Record<string, Record<string, { create: number; modify: number }>> = {};
  let baseline: Record<string, { create: number; modify: number }> | undefined;
  let clients: Record<string, number> = {};
  const server = await atEachStoreSize(first, options.sizes, async (running, size) => {
    const results = await writeThroughput(running, cred, options, `s${size}`);
    bySize[String(size)] = results;
    baseline ??= results;
    for (const inFlight of options.inFlight) {
      const r = results[String(inFlight)]!;
      const b = baseline[String(inFlight)]!;
      const smallest = size === options.sizes[0];
      for (const kind of ['create', 'modify'] as const) {
        const ratio = r[kind] / b[kind];
        rows.push({
          label: `${kind === 'create' ? 'create (PUT ?overwrite=false)' : 'modify (PUT ?index=1)'}, ${inFlight} in flight, ${size.toLocaleString('en')} stored`,
          value: `${r[kind].toFixed(0)} /s`,
          ratio: smallest ? `${(r[kind] / baseline[String(options.inFlight[0])]![kind]).toFixed(2)}` : ratio.toFixed(2),
          target: smallest
            ? inFlight === options.inFlight[0]
              ? 'baseline'
              : `× the 1-in-flight rate`
            : met(ratio >= 0.5, `≥ 0.5 × the ${options.sizes[0]!.toLocaleString('en')}-handle rate`),
        });
      }
    }
  });
  try {
    // The client comparison runs on the largest store, all sequential runs against the same server.
    const peer = await b2handlePeer(credFile, options.peerCount);
    const single = await clientRate(credFile, options.peerCount, 1, 'single');
    const many = await clientRate(credFile, options.clientCount, options.clientConcurrency, 'many');
    clients = { b2handlePeer: peer, clientSequential: single, registerMany: many };
    rows.push({
      label: `B2HANDLE peer (Python requests, sequential, GET+PUT), ${options.peerCount} PIDs`,
      value: `${peer.toFixed(0)} PIDs/s`,
      ratio: '1.00',
      target: 'baseline',
    });
    rows.push({
      label: `client registerMany, concurrency 1, ${options.peerCount} PIDs`,
      value: `${single.toFixed(0)} PIDs/s`,
      ratio: (single / peer).toFixed(2),
      target: met(single >= peer * 0.95, 'no slower than the peer'),
    });
    rows.push({
      label: `client registerMany, concurrency ${options.clientConcurrency}, ${options.clientCount} PIDs`,
      value: `${many.toFixed(0)} PIDs/s`,
      ratio: (many / peer).toFixed(2),
      target: met(many >= peer * 10, '≥ 10 × the peer'),
    });
  } finally {
    await server.stop();
  }
  return {
    title: '2. Durable writes with group commit (pid-mock serve --data, WAL, synchronous=FULL, HTTPS + Basic)',
    parameters: {
      sizes: options.sizes,
      inFlight: options.inFlight,
      operations: options.inFlight.map(options.operations),
      peerCount: options.peerCount,
      clientCount: options.clientCount,
    },
    rows,
    data: { bySize, clients },
    notes: ['Every acknowledged write was fsynced before its reply (group commit: one COMMIT per event-loop turn).'],
  };
}
