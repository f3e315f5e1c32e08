// Section 4, a class: N simulated trainees, each with an identity of their own, run the lesson's
// sequence (register, modify twice, resolve, download, search, update URL, link) over HTTPS with think
// time, all at once against one durable server; errors, per-operation p50/p95/p99 and peak memory.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { addIdentity } from '../../mock-server/data-folder-admin.js';
import { basicHeader, realmBasicHeader } from '../../test/mock-server/helpers.js';
import { startMock } from '../lib/processes.js';
import { met, ms, summarise, type Section } from '../lib/report.js';

const PREFIX = '21.T12995';
export const CLASS_P99_TARGET_MS = 200;

interface Trainee {
  identity: string;
  password: string;
}

/**
 * Identities for the class, each an admin of the prefix, written into the stopped server's data folder.
 * This is the one place to switch to `pid-mock class provision` once that command exists.
 */
async function provisionTrainees(dataDir: string, count: number): Promise<Trainee[]> {
  const trainees: Trainee[] = [];
  for (let i = 1; i <= count; i++) {
    const identity = `300:${PREFIX}/TRAINEE${String(i).padStart(3, '0')}`;
    const result = await addIdentity(dataDir, { identity, adminOf: PREFIX });
    trainees.push({ identity, password: result.password! });
  }
  return trainees;
}

const OPERATIONS = ['register', 'modify 1', 'modify 2', 'resolve', 'download', 'search', 'update URL', 'link'] as const;
type Operation = (typeof OPERATIONS)[number];

export async function classroom(options: { trainees: number; thinkMs: [number, number] }): Promise<Section> {
  let server = await startMock();
  const dataDir = server.dataDir;
  await server.stop();
  const provisionStarted = performance.now();
  const trainees = await provisionTrainees(dataDir, options.trainees);
  const provisionSeconds = (performance.now() - provisionStarted) / 1000;
  server = await startMock({ dataDir });
  const cred = JSON.parse(readFileSync(join(dataDir, 'credentials', 'cred_basic.json'), 'utf8')) as Record<string, string>;
  const ca = readFileSync(join(dataDir, 'credentials', 'ca.pem'), 'utf8');
  const search = realmBasicHeader(cred.reverselookup_username!, cred.reverselookup_password!);
  const samples = new Map<Operation, number[]>(OPERATIONS.map((o) => [o, []]));
  const errors: string[] = [];
  const think = () => new Promise((r) => setTimeout(r, options.thinkMs[0] + Math.random() * (options.thinkMs[1] - options.thinkMs[0])));

  const lesson = async (trainee: Trainee, n: number) => {
    // Each trainee's kernel has its own connection, as in a real class.
    const agent = new Agent({ connect: { ca }, connections: 1 });
    const auth = basicHeader(trainee.identity, trainee.password);
    const api = (handle: string, query = '') => `${server.httpsUrl}/api/handles/${handle}${query}`;
    const step = async (operation: Operation, url: string, init: { method?: 'GET' | 'PUT'; headers?: Record<string, string>; body?: unknown }, expected: number[]) => {
      await think();
      const started = performance.now();
      try {
        const response = await request(url, {
          method: init.method ?? 'GET',
          headers: { ...(init.headers ?? {}), ...(init.body ? { 'content-type': 'application/json' } : {}) },
          ...(init.body ? { body: JSON.stringify(init.body) } : {}),
          dispatcher: agent,
        });
        const text = await response.body.text();
        samples.get(operation)!.push(performance.now() - started);
        if (!expected.includes(response.statusCode)) errors.push(`${trainee.identity} ${operation}: ${response.statusCode} ${text.slice(0, 120)}`);
      } catch (error) {
        errors.push(`${trainee.identity} ${operation}: ${(error as Error).message}`);
      }
    };
    const handle = `${PREFIX}/CLASS-${n}-${Date.now().toString(36)}`;
    const writer = { authorization: auth };
    const admin = { index: 100, type: 'HS_ADMIN', data: { format: 'admin', value: { handle: trainee.identity.split(':')[1], index: 300, permissions: '011111110011' } } };
    try {
      await step('register', api(handle, '?overwrite=false'), { method: 'PUT', headers: writer, body: { values: [admin, { index: 1, type: 'URL', data: `${server.httpUrl}/files/surveys.csv` }] } }, [201]);
      await step('modify 1', api(handle, '?index=2'), { method: 'PUT', headers: writer, body: { values: [{ index: 2, type: 'CHECKSUM', data: `md5:${n.toString(16).padStart(32, '0')}` }] } }, [201]);
      await step('modify 2', api(handle, '?index=3'), { method: 'PUT', headers: writer, body: { values: [{ index: 3, type: 'TITLE', data: `Survey results of trainee ${n}` }] } }, [201]);
      await step('resolve', api(handle), {}, [200]);
      await step('download', `${server.httpUrl}/files/surveys.csv`, {}, [200]);
      await step('search', `${server.httpsUrl}/hrls/handles?CHECKSUM=${encodeURIComponent(`md5:${n.toString(16).padStart(32, '0')}`)}`, { headers: { authorization: search } }, [200]);
      await step('update URL', api(handle, '?index=1'), { method: 'PUT', headers: writer, body: { values: [{ index: 1, type: 'URL', data: `file:///home/trainee${n}/surveys.csv` }] } }, [200]);
      await step('link', api(handle, '?index=4'), { method: 'PUT', headers: writer, body: { values: [{ index: 4, type: 'IsPartOf', data: `${PREFIX}/CLASS-COLLECTION` }] } }, [201]);
    } finally {
      await agent.close();
    }
  };

  let peakKb = 0;
  const sampler = setInterval(() => (peakKb = Math.max(peakKb, server.peakRssKb())), 200);
  const started = performance.now();
  try {
    await Promise.all(trainees.map((t, i) => lesson(t, i)));
  } finally {
    clearInterval(sampler);
    peakKb = Math.max(peakKb, server.peakRssKb());
    await server.stop();
  }
  const seconds = (performance.now() - started) / 1000;
  const rows: Section['rows'] = [];
  const perOperation: Record<string, unknown> = {};
  let worstP99 = 0;
  for (const operation of OPERATIONS) {
    const s = summarise(samples.get(operation)!);
    perOperation[operation] = s;
    worstP99 = Math.max(worstP99, s.p99);
    rows.push({ label: `${operation} (n=${s.n}): p50 / p95 / p99`, value: `${ms(s.p50, 1)} / ${ms(s.p95, 1)} / ${ms(s.p99, 1)}`, ratio: (s.p99 / CLASS_P99_TARGET_MS).toFixed(2), target: met(s.p99 < CLASS_P99_TARGET_MS, `p99 < ${CLASS_P99_TARGET_MS} ms (ratio = p99 / target)`) });
  }
  rows.push({ label: 'errors', value: String(errors.length), target: met(errors.length === 0, '0') });
  rows.push({ label: 'server peak memory (VmHWM)', value: `${(peakKb / 1024).toFixed(0)} MB` });
  rows.push({ label: 'whole class, wall clock', value: `${seconds.toFixed(1)} s` });
  return {
    title: `4. A class: ${options.trainees} trainees at once, each with their own identity, over HTTPS`,
    parameters: { trainees: options.trainees, thinkMs: options.thinkMs, provisioning: `pid-mock identity add (in process), ${provisionSeconds.toFixed(1)} s` },
    rows,
    data: { perOperation, errors: errors.slice(0, 50), errorCount: errors.length, peakRssKb: peakKb, seconds, worstP99 },
    notes: errors.slice(0, 5),
  };
}
