// Section 4, a class: N simulated trainees, each with an identity of their own, run the lesson's
// sequence (register, modify twice, resolve, download, search, update URL, link) over HTTPS with think
// time, all at once against one durable server; errors, per-operation p50/p95/p99 and peak memory.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { addIdentity } from '../../mock-server/data-folder/admin.js';
import { realmBasicHeader } from '../../test/support/http.js';
import { ROOT } from '../../test/support/paths.js';
import { startMock } from '../lib/processes.js';
import { OPERATIONS, type Operation, type ShareResult, type TraineeShare } from '../lib/trainees.js';
import { met, ms, summarise, type Section } from '../lib/report.js';

const PREFIX = '21.T12995';
export const CLASS_P99_TARGET_MS = 200;

interface Trainee {
  identity: string;
  password: string;
}

/**
 * Identities for the class, each an admin of the prefix, written into the stopped server's data folder
 * (the identity part of `pid-mock class provision`, without the bundles and A4 sheets it also makes).
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

/** Starts one process of simulated trainees and resolves with what it measured. */
function runTraineeProcess(share: TraineeShare): Promise<ShareResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'lib', 'trainees.ts')], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin!.end(JSON.stringify(share));
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (out += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`trainee process exited with ${code}: ${err}`));
      else resolve(JSON.parse(out) as ShareResult);
    });
  });
}

export async function classroom(options: { trainees: number; thinkMs: [number, number]; processes: number }): Promise<Section> {
  let server = await startMock();
  const dataDir = server.dataDir;
  await server.stop();
  const provisionStarted = performance.now();
  const trainees = await provisionTrainees(dataDir, options.trainees);
  const provisionSeconds = (performance.now() - provisionStarted) / 1000;
  server = await startMock({ dataDir });
  const cred = JSON.parse(readFileSync(join(dataDir, 'credentials', 'cred_basic.json'), 'utf8')) as Record<string, string>;
  const ca = readFileSync(join(dataDir, 'credentials', 'ca.pem'), 'utf8');
  const searchAuthorization = realmBasicHeader(cred.reverselookup_username!, cred.reverselookup_password!);
  // Trainees dealt round-robin over the client processes.
  const shares: TraineeShare[] = Array.from({ length: options.processes }, (_, p) => ({
    httpUrl: server.httpUrl,
    httpsUrl: server.httpsUrl,
    ca,
    prefix: PREFIX,
    searchAuthorization,
    thinkMs: options.thinkMs,
    trainees: trainees.map((t, n) => ({ ...t, n })).filter((_, n) => n % options.processes === p),
  }));
  const samples = new Map<Operation, number[]>(OPERATIONS.map((o) => [o, []]));
  const errors: string[] = [];

  let peakKb = 0;
  const sampler = setInterval(() => (peakKb = Math.max(peakKb, server.peakRssKb())), 200);
  const started = performance.now();
  try {
    for (const result of await Promise.all(shares.map(runTraineeProcess))) {
      for (const operation of OPERATIONS) samples.get(operation)!.push(...result.samples[operation]);
      errors.push(...result.errors);
    }
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
    rows.push({
      label: `${operation} (n=${s.n}): p50 / p95 / p99`,
      value: `${ms(s.p50, 1)} / ${ms(s.p95, 1)} / ${ms(s.p99, 1)}`,
      ratio: (s.p99 / CLASS_P99_TARGET_MS).toFixed(2),
      target: met(s.p99 < CLASS_P99_TARGET_MS, `p99 < ${CLASS_P99_TARGET_MS} ms (ratio = p99 / target)`),
    });
  }
  rows.push({ label: 'errors', value: String(errors.length), target: met(errors.length === 0, '0') });
  rows.push({ label: 'server peak memory (VmHWM)', value: `${(peakKb / 1024).toFixed(0)} MB` });
  rows.push({ label: 'whole class, wall clock', value: `${seconds.toFixed(1)} s` });
  return {
    title: `4. A class: ${options.trainees} trainees at once, each with their own identity, over HTTPS`,
    parameters: {
      trainees: options.trainees,
      thinkMs: options.thinkMs,
      clientProcesses: options.processes,
      provisioning: `pid-mock identity add (in process), ${provisionSeconds.toFixed(1)} s`,
    },
    rows,
    data: { perOperation, errors: errors.slice(0, 50), errorCount: errors.length, peakRssKb: peakKb, seconds, worstP99 },
    notes: errors.slice(0, 5),
  };
}
