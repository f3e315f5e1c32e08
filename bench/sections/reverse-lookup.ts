// Section 3, reverse look-up over a large store: exact CHECKSUM and wildcard `URL=irods:*`-style queries
// over HTTPS (/hrls/handles), one at a time, p50/p99 against the same queries on a small store, and
// SQLite's EXPLAIN QUERY PLAN to show that the (type, data) index answers them.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { HandleStore } from '../../mock-server/storage/store.js';
import { realmBasicHeader } from '../../test/support/http.js';
import { atEachStoreSize, fillValues } from '../lib/fill.js';
import { startMock, type ServerProcess } from '../lib/processes.js';
import { met, ms, summarise, type Section } from '../lib/report.js';

async function latencies(server: ServerProcess, size: number, rounds: number) {
  const cred = JSON.parse(readFileSync(join(server.dataDir, 'credentials', 'cred_basic.json'), 'utf8')) as Record<string, string>;
  const ca = readFileSync(join(server.dataDir, 'credentials', 'ca.pem'), 'utf8');
  const agent = new Agent({ connect: { ca } });
  const headers = { authorization: realmBasicHeader(cred.reverselookup_username!, cred.reverselookup_password!) };
  const query = async (q: string, expectAtLeast: number) => {
    const started = performance.now();
    const response = await request(`${server.httpsUrl}/hrls/handles?${q}`, { headers, dispatcher: agent });
    const text = await response.body.text();
    const elapsed = performance.now() - started;
    if (response.statusCode !== 200) throw new Error(`/hrls/handles?${q}: ${response.statusCode} ${text}`);
    const found = JSON.parse(text) as string[];
    if (found.length < expectAtLeast) throw new Error(`/hrls/handles?${q}: ${found.length} handles, expected ≥ ${expectAtLeast}`);
    return elapsed;
  };
  try {
    const exact: number[] = [];
    const wildcard: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const i = (r * 7919) % size;
      exact.push(await query(`CHECKSUM=${encodeURIComponent(fillValues(i).checksum)}`, 1));
      // irods URLs are the even fill handles: a project's files under one zone, listed 100 at a time.
      wildcard.push(await query(`URL=${encodeURIComponent(`irods://irods.data.example.org:1247/eudatZone/home/project-${(r * 2) % 97}/*`)}&limit=100`, 1));
    }
    return { exact: summarise(exact.slice(5)), wildcard: summarise(wildcard.slice(5)) };
  } finally {
    await agent.close();
  }
}

export async function reverseLookup(options: { sizes: number[]; rounds: number }): Promise<Section> {
  const first = await startMock();
  const dataDir = first.dataDir;
  const rows: Section['rows'] = [];
  const data: Record<string, unknown> = {};
  let baseline: { exact: { p50: number }; wildcard: { p50: number } } | undefined;
  const last = await atEachStoreSize(first, options.sizes, async (server, size) => {
    const result = await latencies(server, size, options.rounds);
    baseline ??= result;
    data[String(size)] = result;
    const large = size === options.sizes[options.sizes.length - 1];
    rows.push({
      label: `exact CHECKSUM=sha256:…, ${size.toLocaleString('en')} handles: p50 / p99`,
      value: `${ms(result.exact.p50)} / ${ms(result.exact.p99)}`,
      ratio: (result.exact.p50 / baseline.exact.p50).toFixed(2),
      ...(large ? { target: met(result.exact.p50 <= 2, 'p50 ≤ 2 ms') } : { target: 'baseline' }),
    });
    rows.push({
      label: `wildcard URL=irods://…/project-N/*, ${size.toLocaleString('en')} handles: p50 / p99`,
      value: `${ms(result.wildcard.p50)} / ${ms(result.wildcard.p99)}`,
      ratio: (result.wildcard.p50 / baseline.wildcard.p50).toFixed(2),
      ...(large ? { target: met(result.wildcard.p50 <= 50, 'p50 ≤ 50 ms') } : { target: 'baseline' }),
    });
  });
  await last.stop();
  const store = HandleStore.open(join(dataDir, 'handles.sqlite'));
  const plans = {
    exact: store.explainSearch([{ type: 'CHECKSUM', patterns: [fillValues(1).checksum] }]),
    wildcard: store.explainSearch([{ type: 'URL', patterns: ['irods://irods.data.example.org:1247/eudatZone/home/project-4/*'] }]),
    leadingWildcard: store.explainSearch([{ type: 'URL', patterns: ['*measurements-7.csv'] }]),
  };
  store.close();
  const notes = Object.entries(plans).flatMap(([name, plan]) => [`EXPLAIN QUERY PLAN (${name}):`, ...plan.split('\n').map((l) => `   ${l}`)]);
  return {
    title: '3. Reverse look-up (/hrls/handles over HTTPS, one query at a time)',
    parameters: { sizes: options.sizes, rounds: options.rounds, values: 'URL (irods:// or https://) + sha256 CHECKSUM + HS_ADMIN per handle' },
    rows,
    data: { ...data, plans },
    notes,
  };
}
