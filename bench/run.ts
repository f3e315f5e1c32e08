// `npm run bench`: performance as ratios against a baseline measured in the same run, never as absolute
// timings — (1) request throughput of the mock's endpoints against its cheapest endpoint, (2) reverse
// look-up latency with 10× and 50× more records (the index keeps the ratio near 1), (3) the client's
// batch registration with 16 requests in flight against one at a time.
import autocannon from 'autocannon';
import { performance } from 'node:perf_hooks';
import { startMockServer } from '../mock-server/server.js';
import { HandleStore } from '../mock-server/store.js';
import { parseValueInput } from '../mock-server/value-codec.js';
import { HandleClient, PIDClientCredentials } from '../src/index.js';
import { startMockProcess } from '../test/support/mock-process.js';

const DURATION_S = Number(process.env.BENCH_SECONDS ?? 3);

async function throughput(url: string, headers: Record<string, string> = {}): Promise<number> {
  const result = await autocannon({ url, connections: 8, duration: DURATION_S, headers });
  const failed = (result['4xx'] ?? 0) + (result['5xx'] ?? 0) + result.errors;
  if (failed > result.requests.total * 0.01) {
    const codes = JSON.stringify(result.statusCodeStats);
    throw new Error(`${url}: too many failed answers (${codes}, ${result.errors} errors)`);
  }
  return result.requests.average;
}

function fillStore(store: HandleStore, count: number, offset: number): void {
  const timestamp = Math.floor(Date.now() / 1000);
  store.transaction(() => {
    for (let i = offset; i < offset + count; i++) {
      const handle = `21.T12995/BENCH-${i}`;
      const values = [
        { index: 1, type: 'URL', data: `irods://bench.example/${i}.dat` },
        { index: 2, type: 'CHECKSUM', data: `checksum-${i}` },
      ].map((v) => ({ ...parseValueInput(v, 'bench'), timestamp }));
      store.replaceRecord(handle, values, { actor: 'bench', action: 'create' });
    }
  });
}

function searchLatency(store: HandleStore, probe: string, rounds = 2000): number {
  const started = performance.now();
  for (let i = 0; i < rounds; i++) store.search([{ type: 'CHECKSUM', patterns: [probe] }], { limit: 10, page: 0 });
  return (performance.now() - started) / rounds;
}

function line(label: string, value: string): void {
  console.log(`${label.padEnd(58)} ${value}`);
}

async function main(): Promise<void> {
  const server = await startMockServer({ host: '127.0.0.1', port: 0, memory: true, prefixes: ['21.T12995'], logger: false });
  try {
    console.log(`pid-handson benchmarks (${DURATION_S} s per load run, 8 connections, loopback)\n`);
    console.log('1. throughput relative to GET /_admin/health (same server, same run)');
    const baseline = await throughput(`${server.httpUrl}/_admin/health`);
    line('   GET /_admin/health (baseline)', `1.00 (${baseline.toFixed(0)} req/s)`);
    const cases: Array<[string, string]> = [
      ['GET /api/handles/<warm-up Handle>', `${server.httpUrl}/api/handles/11304/cf8956a2-39d3-11e5-8a18-f31aa6f4d448`],
      ['GET /<warm-up Handle> (resolver redirect)', `${server.httpUrl}/11304/cf8956a2-39d3-11e5-8a18-f31aa6f4d448`],
      ['GET /<warm-up Handle>?noredirect (HTML page)', `${server.httpUrl}/11304/cf8956a2-39d3-11e5-8a18-f31aa6f4d448?noredirect`],
    ];
    for (const [label, url] of cases) {
      const rate = await throughput(url);
      line(`   ${label}`, `${(rate / baseline).toFixed(2)}`);
    }

    console.log('\n2. reverse look-up latency as the store grows (exact CHECKSUM, in process)');
    const store = HandleStore.open(':memory:');
    fillStore(store, 1000, 0);
    const small = searchLatency(store, 'checksum-500');
    fillStore(store, 49000, 1000);
    const large = searchLatency(store, 'checksum-500');
    line('   1,000 records (baseline)', `1.00 (${(small * 1000).toFixed(1)} µs per search)`);
    line('   50,000 records', `${(large / small).toFixed(2)} (an unindexed scan would be ~50)`);
    const wildcardSmall = (() => {
      const started = performance.now();
      for (let i = 0; i < 50; i++) store.search([{ type: 'URL', patterns: ['irods://bench.example/4999*'] }], { limit: 10, page: 0 });
      return (performance.now() - started) / 50;
    })();
    line('   wildcard with a literal start (irods://…/4999*), 50,000 records', `${(wildcardSmall / small).toFixed(2)}`);
    store.close();

    console.log('\n3. client batch registration: 16 in flight vs one at a time (HTTPS, client certificate, server in its own process)');
    // In-process, client and server would share one event loop; a real process measures what users get.
    const serverProcess = await startMockProcess();
    const cred = PIDClientCredentials.loadFromJSON(serverProcess.credentialsFile);
    const client = await HandleClient.withCredentials(cred);
    const items = (n: number, tag: string) => Array.from({ length: n }, (_, i) => ({ location: `http://example.org/${tag}/${i}` }));
    let started = performance.now();
    await client.registerMany(items(150, 'serial'), { prefix: cred.prefix!, concurrency: 1 });
    const serial = (performance.now() - started) / 150;
    started = performance.now();
    const results = await client.registerMany(items(600, 'parallel'), { prefix: cred.prefix!, concurrency: 16 });
    const parallel = (performance.now() - started) / 600;
    if (!results.every((r) => r.ok)) throw new Error('some batch registrations failed');
    line('   concurrency 1 (baseline)', `1.00 (${serial.toFixed(2)} ms per PID)`);
    line('   concurrency 16: speed-up', `${(serial / parallel).toFixed(2)}×`);
    await client.close();
    await serverProcess.stop();
  } finally {
    await server.close();
  }
}

main().catch((error) => {
  console.error(`bench failed: ${(error as Error).message}`);
  process.exit(1);
});
