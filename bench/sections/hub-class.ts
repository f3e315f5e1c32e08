// Section 6, a class on one hub machine: a real JupyterHub (`npm run class`'s launcher, as root, each
// trainee's server as a Unix user of their own) with N trainees. First one trainee alone (the baseline
// beside `node -e 0`): spawn, kernel, chapter 1. Then all N servers spawned at once through the hub's REST
// API, each trainee running chapter 1 over the kernel websocket through the hub's proxy as the notebook
// page does, then "the whole class runs the same cell" waves. The hub, proxy, servers and kernels are
// processes of their own; this process only sends requests and samples /proc.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { hubApi, logIn, requireJupyterHub, startClassHub, unixUsers, userApi, type ClassHub } from '../../test/support/class-hub.js';
import { ROOT } from '../../test/support/paths.js';
import { removeTemporaryFolder, temporaryFolder } from '../../test/support/temporary-folders.js';
import { KernelChannel } from '../../test/hub/kernel-channel.js';
import { machineUsedKb, watchClassMemory } from '../lib/class-memory.js';
import { met, ms, summarise, type Section } from '../lib/report.js';

export const CHAPTER = '01-warming-up.ipynb';
/** The wave's cell: chapter 1's own function, asking the class's resolver (the mock) about a handle. */
export const WAVE_CELL = 'await whereDoesItLead(`hdl:${handle}`);';
export const FIRST_OUTPUT_TARGET_S = 60;
export const WAVE_P95_TARGET_MS = 2000;
export const FIRST_CELL_TARGET_RATIO = 12;
export const KERNEL_PEAK_TARGET_MB = 150;

export interface HubClassOptions {
  trainees: number;
  /** Same-cell waves after chapter 1. */
  waves: number;
  /** Everything (hub start to clean-up) must end within this; what has not finished by then is a failure. */
  timeoutMs: number;
  /** More `npm run class` options, e.g. ['--kernel-snapshot', 'on']. */
  classArgs?: string[];
}

interface TraineeRun {
  user: string;
  serverReadyMs?: number;
  kernelRequestedMs?: number;
  firstOutputMs?: number;
  cellMs: number[];
  waveMs: number[];
  failures: string[];
  channel?: KernelChannel;
}

class Deadline {
  constructor(private readonly at: number) {}
  left(): number {
    return Math.max(0, this.at - performance.now());
  }
  /** The promise, or a rejection naming what did not finish in time. */
  race<T>(promise: Promise<T>, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: not finished before the benchmark's time limit`)), this.left());
    });
    return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
  }
}

function chapterCells(): string[] {
  const notebook = JSON.parse(readFileSync(join(ROOT, 'notebooks', CHAPTER), 'utf8')) as { cells: { cell_type: string; source: string | string[] }[] };
  return notebook.cells
    .filter((c) => c.cell_type === 'code')
    .map((c) => (Array.isArray(c.source) ? c.source.join('') : c.source))
    .filter((s) => s.trim());
}

async function bareNodeStart(): Promise<number> {
  const started = performance.now();
  await new Promise((resolve, reject) => spawn(process.execPath, ['-e', '0']).once('exit', resolve).once('error', reject));
  return performance.now() - started;
}

/** Asks the hub to start the user's server with the class-admin token; a spawn beyond the hub's limit (429) is asked again after the wait it names. */
async function requestSpawn(hub: ClassHub, user: string, deadline: Deadline): Promise<void> {
  for (;;) {
    const answer = await hubApi(hub, `users/${user}/server`, { method: 'POST' });
    if ([201, 202].includes(answer.status)) return;
    if (answer.status !== 429 || deadline.left() <= 0) throw new Error(`spawn of ${user}: ${answer.status} ${JSON.stringify(answer.body)}`);
    await sleep(1000 + Math.random() * 2000);
  }
}

/**
 * Polls the hub's user list until every user's server is ready (or has stopped: a failed spawn); one
 * promise per user, settled as soon as the poll sees that user's server ready (ms from t0) or failed.
 */
function whenServersReady(hub: ClassHub, users: string[], t0: number, deadline: Deadline): Map<string, Promise<number>> {
  const settle = new Map<string, { resolve: (ms: number) => void; reject: (error: Error) => void }>();
  const promises = new Map(users.map((user) => [user, new Promise<number>((resolve, reject) => settle.set(user, { resolve, reject }))]));
  const seenPending = new Set<string>();
  const poll = async () => {
    while (settle.size) {
      if (deadline.left() <= 0) {
        for (const [user, { reject }] of settle) reject(new Error(`${user}'s server: not ready before the time limit`));
        settle.clear();
        return;
      }
      const list = await hubApi(hub, 'users').catch(() => ({ status: 0, body: [] }));
      for (const entry of (list.body ?? []) as { name: string; servers?: Record<string, { ready: boolean; pending: string | null }> }[]) {
        const waiting = settle.get(entry.name);
        if (!waiting) continue;
        const server = entry.servers?.[''];
        if (server?.ready) {
          settle.delete(entry.name);
          waiting.resolve(performance.now() - t0);
        } else if (server?.pending) {
          seenPending.add(entry.name);
        } else if (seenPending.has(entry.name)) {
          settle.delete(entry.name);
          waiting.reject(new Error(`${entry.name}'s server stopped while starting`));
        }
      }
      await sleep(250);
    }
  };
  void poll();
  return promises;
}

/** Opens chapter 1 as the notebook page does (a session, then the kernel's websocket) and runs its cells in order. */
async function runChapter(hub: ClassHub, run: TraineeRun, token: string, cells: string[], t0: number, deadline: Deadline): Promise<void> {
  run.kernelRequestedMs = performance.now() - t0;
  const session = await deadline.race(
    userApi(hub, run.user, token, 'sessions', { method: 'POST', body: { path: CHAPTER, name: CHAPTER, type: 'notebook' } }),
    `${run.user}'s kernel`,
  );
  if (session.status !== 201) throw new Error(`${run.user}'s session: ${session.status} ${JSON.stringify(session.body)}`);
  run.channel = await KernelChannel.open(
    `${hub.url.replace(/^http/, 'ws')}user/${run.user}/api/kernels/${session.body.kernel.id}/channels?session_id=${session.body.id}`,
    token,
  );
  for (const [index, source] of cells.entries()) {
    const started = performance.now();
    const cell = await deadline.race(run.channel.execute(source, Math.max(1000, deadline.left())), `${run.user}'s cell ${index + 1}`);
    run.cellMs.push(performance.now() - started);
    if (index === 0) run.firstOutputMs = performance.now() - t0;
    if (cell.status !== 'ok' || cell.errors.length) run.failures.push(`${run.user} cell ${index + 1}: ${cell.status} ${cell.errors.join('; ')}`.slice(0, 300));
  }
}

async function stopServer(hub: ClassHub, user: string, deadline: Deadline): Promise<void> {
  await hubApi(hub, `users/${user}/server`, { method: 'DELETE' });
  while (deadline.left() > 0) {
    const state = await hubApi(hub, `users/${user}`);
    if (!state.body?.servers?.['']) return;
    await sleep(250);
  }
}

function removeMemoryCgroups(unixPrefix: string): void {
  for (const root of ['/sys/fs/cgroup/memory/pid-handson', '/sys/fs/cgroup/pid-handson']) {
    let names: string[] = [];
    try {
      names = readdirSync(root);
    } catch {
      continue;
    }
    for (const name of names.filter((n) => n.startsWith(unixPrefix))) {
      try {
        rmdirSync(join(root, name));
      } catch {}
    }
  }
}

export async function hubClass(options: HubClassOptions): Promise<Section> {
  requireJupyterHub();
  if (process.getuid?.() !== 0) throw new Error('the hub class benchmark runs the class hub, which must run as root (each server as a Unix user of its own)');
  const deadline = new Deadline(performance.now() + options.timeoutMs);
  const cells = chapterCells();
  const bare: number[] = [];
  for (let i = 0; i < 5; i++) bare.push(await bareNodeStart());
  const base = summarise(bare).p50;

  const classDir = temporaryFolder('pid-bench-hub-');
  const machineBeforeKb = machineUsedKb();
  const hubStarted = performance.now();
  const hub = await deadline.race(startClassHub(classDir, options.trainees, undefined, options.classArgs ?? []), 'the class hub');
  const hubStartMs = performance.now() - hubStarted;
  const memory = watchClassMemory(hub.unixPrefix);
  const users = [...hub.passwords.keys()].filter((u) => /^trainee\d+$/.test(u)).sort();
  const runs: TraineeRun[] = users.map((user) => ({ user, cellMs: [], waveMs: [], failures: [] }));
  const single: TraineeRun = { user: users[0]!, cellMs: [], waveMs: [], failures: [] };
  let serversUpMs = NaN;
  let singleMemory = { traineesKb: 0, kernelKb: 0, traineesCpuMs: 0, kernelsCpuMs: 0, serviceCpuMs: 0, hubCpuMs: 0 };
  let unixUids: number[] = [];
  let peaks = memory.peaks();
  try {
    // Each trainee logs in with their own password, as the browser's login does, before the clock starts.
    const tokens = new Map<string, string>();
    for (const user of users) tokens.set(user, await logIn(hub, user));

    // The baseline trainee, alone on the machine: spawn, kernel and chapter 1, the wave's cell; then stopped.
    const s0 = performance.now();
    await requestSpawn(hub, single.user, deadline);
    single.serverReadyMs = await whenServersReady(hub, [single.user], s0, deadline).get(single.user)!;
    await runChapter(hub, single, tokens.get(single.user)!, cells, s0, deadline);
    const w = performance.now();
    await deadline.race(single.channel!.execute(WAVE_CELL), 'the single trainee wave cell');
    single.waveMs.push(performance.now() - w);
    singleMemory = memory.peaks();
    single.channel!.close();
    await stopServer(hub, single.user, deadline);

    // The storm: every server asked for at once, each trainee on as soon as their server is up.
    const t0 = performance.now();
    const spawned = await Promise.allSettled(users.map((user) => requestSpawn(hub, user, deadline)));
    const ready = whenServersReady(
      hub,
      users.filter((_, i) => spawned[i]!.status === 'fulfilled'),
      t0,
      deadline,
    );
    spawned.forEach((s, i) => {
      if (s.status === 'rejected') runs[i]!.failures.push((s.reason as Error).message);
    });
    const perTrainee = runs.map(async (run) => {
      if (run.failures.length) return;
      run.serverReadyMs = await ready.get(run.user)!;
      await runChapter(hub, run, tokens.get(run.user)!, cells, t0, deadline);
    });
    const settled = await Promise.allSettled(perTrainee);
    settled.forEach((s, i) => {
      if (s.status === 'rejected') runs[i]!.failures.push((s.reason as Error).message.slice(0, 300));
    });
    const readyTimes = runs.map((r) => r.serverReadyMs).filter((v): v is number => v !== undefined);
    serversUpMs = readyTimes.length === runs.length ? Math.max(...readyTimes) : NaN;

    // The whole class runs the same cell at once, `waves` times.
    const live = runs.filter((r) => r.channel && !r.failures.length);
    for (let wave = 0; wave < options.waves; wave++) {
      await Promise.allSettled(
        live.map(async (run) => {
          const started = performance.now();
          try {
            const cell = await deadline.race(run.channel!.execute(WAVE_CELL, Math.max(1000, deadline.left())), `${run.user}'s wave ${wave + 1}`);
            run.waveMs.push(performance.now() - started);
            if (cell.status !== 'ok' || cell.errors.length) run.failures.push(`${run.user} wave ${wave + 1}: ${cell.status} ${cell.errors.join('; ')}`);
          } catch (error) {
            run.failures.push((error as Error).message.slice(0, 300));
          }
        }),
      );
    }
  } finally {
    // Stopped whatever happened: a running sampler would keep the bench process alive after a failure.
    peaks = memory.stop();
    unixUids = unixUsers(hub.unixPrefix).map((u) => u.uid);
    for (const run of [single, ...runs]) run.channel?.close();
    // Stopping the hub stops every user's server; close() then removes the Unix users the spawns made.
    await hub.close();
    removeMemoryCgroups(hub.unixPrefix);
    removeTemporaryFolder(classDir);
  }

  const failures = [...single.failures, ...runs.flatMap((r) => r.failures)];
  const firstOutputs = runs.map((r) => r.firstOutputMs).filter((v): v is number => v !== undefined);
  const everyFirstOutputMs = firstOutputs.length === runs.length ? Math.max(...firstOutputs) : NaN;
  const singleFirstCell = single.firstOutputMs! - single.kernelRequestedMs!;
  const singleTotalFirst = single.firstOutputMs!;
  const singleOther = summarise(single.cellMs.slice(1));
  const stormOther = summarise(runs.flatMap((r) => r.cellMs.slice(1)));
  const stormFirstCell = summarise(runs.filter((r) => r.firstOutputMs !== undefined).map((r) => r.firstOutputMs! - r.kernelRequestedMs!));
  const wave = summarise(runs.flatMap((r) => r.waveMs));
  const singleWave = single.waveMs[0] ?? NaN;
  const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
  const n = options.trainees;
  const s = (value: number) => `${(value / 1000).toFixed(1)} s`;
  return {
    title: `6. A class of ${n} on one hub machine (JupyterHub, chapter 1 over the kernel websocket)`,
    parameters: { trainees: n, waves: options.waves, chapter: CHAPTER, classArgs: (options.classArgs ?? []).join(' ') || 'defaults', hubStart: s(hubStartMs) },
    rows: [
      { label: 'bare `node -e 0` start (baseline)', value: ms(base, 0), ratio: '1.00' },
      { label: 'one trainee alone: spawn to server ready', value: ms(single.serverReadyMs!, 0), ratio: (single.serverReadyMs! / base).toFixed(1) },
      {
        label: 'one trainee alone: kernel start to first (import) cell output',
        value: ms(singleFirstCell, 0),
        ratio: (singleFirstCell / base).toFixed(1),
        target: met(singleFirstCell / base <= FIRST_CELL_TARGET_RATIO, `≤ ${FIRST_CELL_TARGET_RATIO} × bare`),
      },
      { label: 'one trainee alone: spawn to first output', value: ms(singleTotalFirst, 0), ratio: (singleTotalFirst / base).toFixed(1) },
      { label: 'one trainee alone: chapter 1 median other cell', value: ms(singleOther.p50, 0) },
      { label: `one trainee alone: the wave's cell`, value: ms(singleWave, 0) },
      {
        label: `class of ${n}: every server up (from the spawn storm)`,
        value: s(serversUpMs),
        ratio: (serversUpMs / single.serverReadyMs!).toFixed(1),
        target: '× one trainee alone',
      },
      {
        label: `class of ${n}: every trainee has the first output`,
        value: s(everyFirstOutputMs),
        ratio: (everyFirstOutputMs / singleTotalFirst).toFixed(1),
        target: met(everyFirstOutputMs <= FIRST_OUTPUT_TARGET_S * 1000, `≤ ${FIRST_OUTPUT_TARGET_S} s; ratio × one trainee alone`),
      },
      {
        label: `class of ${n}: kernel start to first output p50 / max`,
        value: `${ms(stormFirstCell.p50, 0)} / ${ms(stormFirstCell.max, 0)}`,
        ratio: (stormFirstCell.p50 / singleFirstCell).toFixed(1),
      },
      {
        label: `class of ${n}: chapter 1 other cells p50 / p95 / p99`,
        value: `${ms(stormOther.p50, 0)} / ${ms(stormOther.p95, 0)} / ${ms(stormOther.p99, 0)}`,
        ratio: (stormOther.p50 / singleOther.p50).toFixed(1),
      },
      {
        label: `class of ${n}: same-cell wave p50 / p95 / p99 (${wave.n} cells)`,
        value: `${ms(wave.p50, 0)} / ${ms(wave.p95, 0)} / ${ms(wave.p99, 0)}`,
        ratio: (wave.p50 / singleWave).toFixed(1),
        target: met(wave.p95 <= WAVE_P95_TARGET_MS, `p95 ≤ ${WAVE_P95_TARGET_MS / 1000} s; ratio p50 × alone`),
      },
      {
        label: `class of ${n}: peak memory of the trainees' processes`,
        value: mb(peaks.traineesKb),
        ratio: `${mb(peaks.traineesKb / n)}/trainee`,
        target: `one trainee alone: ${mb(singleMemory.traineesKb)}`,
      },
      {
        label: 'largest kernel process (peak sample)',
        value: mb(peaks.kernelKb),
        target: met(peaks.kernelKb / 1024 <= KERNEL_PEAK_TARGET_MB, `≤ ${KERNEL_PEAK_TARGET_MB} MB per trainee`),
      },
      {
        label: `class of ${n}: CPU of the trainees' processes, per trainee`,
        value: s((peaks.traineesCpuMs - singleMemory.traineesCpuMs) / n),
        ratio: `${s((peaks.kernelsCpuMs - singleMemory.kernelsCpuMs) / n)} kernel`,
        target: 'spawn, chapter 1, waves; × trainees ÷ cores = the least wall time for the start',
      },
      {
        label: "the class's compile service (shared by every kernel): peak memory",
        value: mb(peaks.serviceKb),
        ratio: `${mb(peaks.serviceKb / n)}/trainee`,
        target: `CPU per trainee ${s((peaks.serviceCpuMs - singleMemory.serviceCpuMs) / n)}; 0 MB: the class runs without it (--compile-service off)`,
      },
      {
        label: `class of ${n}: CPU of the hub, its proxy and the mock server, per trainee`,
        value: s((peaks.hubCpuMs - singleMemory.hubCpuMs) / n),
        target: 'spawning (users, homes, identities), proxying, the lesson’s requests',
      },
      {
        label: 'machine memory in use: peak rise over before the hub',
        value: mb(peaks.machineUsedKb - machineBeforeKb),
        target: 'other work on the machine included',
      },
      { label: 'failures (spawns, kernels, cells, time-outs)', value: String(failures.length), target: met(failures.length === 0, '0') },
    ],
    data: {
      errorCount: failures.length,
      unixPrefix: hub.unixPrefix,
      unixUids,
      classDir,
      failures: failures.slice(0, 50),
      bareMs: bare,
      hubStartMs,
      single: { ...single, channel: undefined },
      trainees: runs.map((r) => ({ ...r, channel: undefined })),
      serversUpMs,
      everyFirstOutputMs,
      wave,
      memoryKb: { ...peaks, before: machineBeforeKb, single: singleMemory },
    },
    notes: [
      'times from the spawn storm (every server asked for at once with the class-admin token); memory sampled from /proc every 0.5 s',
      "trainees' processes: every process of the class's Unix users (their servers and kernels); the machine figure includes other work",
    ],
  };
}
