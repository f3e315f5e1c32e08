// The hub machine's memory during a class benchmark, sampled from /proc: the resident memory of every
// process of the class's Unix users (each trainee's Jupyter server and kernels, their whole trees, since
// everything a server starts runs as its user), the largest kernel, and the machine's used memory; and the
// CPU time those processes used (what decides how long a class's start takes on a given number of cores);
// and the same for the class's compile service, which compiles for every kernel as a user of its own.
import { readdirSync, readFileSync } from 'node:fs';
import { cpuMs } from './processes.js';

export interface MemoryPeaks {
  /** Largest sum of the trainees' processes' RSS seen in one sample (kB). */
  traineesKb: number;
  /** Largest single kernel process (kB). */
  kernelKb: number;
  /** Largest MemTotal − MemAvailable seen (kB): the whole machine, other work included. */
  machineUsedKb: number;
  /** CPU time (user + system) of the trainees' processes, as last seen for each (ms); kernels apart. */
  traineesCpuMs: number;
  kernelsCpuMs: number;
  /** The class's compile service (lesson/kernel/compile-service.ts): largest RSS (kB) and CPU time (ms). */
  serviceKb: number;
  serviceCpuMs: number;
  /** CPU time of the hub's own processes: JupyterHub, its proxy and the mock server (ms). */
  hubCpuMs: number;
  samples: number;
}

/** The uids of the Unix users whose names start with prefix (read from /etc/passwd: useradd writes there). */
function uidsOf(prefix: string): Set<number> {
  const uids = new Set<number>();
  for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
    const fields = line.split(':');
    if (fields[0]?.startsWith(prefix)) uids.add(Number(fields[2]));
  }
  return uids;
}

export function machineUsedKb(): number {
  const info = readFileSync('/proc/meminfo', 'utf8');
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(info)?.[1] ?? 0);
  return field('MemTotal') - field('MemAvailable');
}

type CpuSeen = Map<string, { ms: number; kernel: boolean; service?: boolean; hub?: boolean }>;

/** The command lines of the hub's own processes (class.cjs starts JupyterHub; it starts the proxy and the mock). */
const HUB_PROCESSES = [/jupyterhub_config\.py|\/jupyterhub\0/, /configurable-http-proxy/, /pid-mock\.cjs\0serve/];

function sample(uids: Set<number>, cpu: CpuSeen): { traineesKb: number; kernelKb: number; serviceKb: number } {
  let traineesKb = 0;
  let kernelKb = 0;
  let serviceKb = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let status: string;
    try {
      status = readFileSync(`/proc/${entry}/status`, 'utf8');
    } catch {
      continue; // gone between the listing and the read
    }
    const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? -1);
    const rss = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
    } catch {}
    if (cmdline.includes('compile-service.js') && cmdline.includes('--socket')) {
      serviceKb += rss;
      const used = cpuMs(Number(entry));
      if (!Number.isNaN(used)) cpu.set(entry, { ms: used, kernel: false, service: true });
      continue;
    }
    if (!uids.has(uid)) {
      if (HUB_PROCESSES.some((pattern) => pattern.test(cmdline))) {
        const used = cpuMs(Number(entry));
        if (!Number.isNaN(used)) cpu.set(entry, { ms: used, kernel: false, hub: true });
      }
      continue;
    }
    traineesKb += rss;
    const kernel = cmdline.includes('launch.js') && cmdline.includes('--config-path');
    if (kernel) kernelKb = Math.max(kernelKb, rss);
    const used = cpuMs(Number(entry));
    if (!Number.isNaN(used)) cpu.set(entry, { ms: used, kernel });
  }
  return { traineesKb, kernelKb, serviceKb };
}

/** Samples every intervalMs until stopped; the peaks so far at any time. */
export function watchClassMemory(unixPrefix: string, intervalMs = 500): { peaks(): MemoryPeaks; stop(): MemoryPeaks } {
  const peaks: MemoryPeaks = {
    traineesKb: 0,
    kernelKb: 0,
    machineUsedKb: 0,
    traineesCpuMs: 0,
    kernelsCpuMs: 0,
    serviceKb: 0,
    serviceCpuMs: 0,
    hubCpuMs: 0,
    samples: 0,
  };
  let uids = uidsOf(unixPrefix);
  // By pid, the last CPU time seen: a process that has exited keeps what it used up to the last sample.
  const cpu: CpuSeen = new Map();
  const tick = () => {
    // Users appear during the spawn storm (the hub makes each on its first start).
    if (peaks.samples % 4 === 0) uids = uidsOf(unixPrefix);
    const now = sample(uids, cpu);
    peaks.traineesCpuMs = [...cpu.values()].reduce((sum, p) => sum + (p.service || p.hub ? 0 : p.ms), 0);
    peaks.hubCpuMs = [...cpu.values()].reduce((sum, p) => sum + (p.hub ? p.ms : 0), 0);
    peaks.serviceCpuMs = [...cpu.values()].reduce((sum, p) => sum + (p.service ? p.ms : 0), 0);
    peaks.serviceKb = Math.max(peaks.serviceKb, now.serviceKb);
    peaks.kernelsCpuMs = [...cpu.values()].reduce((sum, p) => sum + (p.kernel ? p.ms : 0), 0);
    peaks.traineesKb = Math.max(peaks.traineesKb, now.traineesKb);
    peaks.kernelKb = Math.max(peaks.kernelKb, now.kernelKb);
    peaks.machineUsedKb = Math.max(peaks.machineUsedKb, machineUsedKb());
    peaks.samples += 1;
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  return {
    peaks: () => ({ ...peaks }),
    stop: () => {
      clearInterval(timer);
      tick();
      return { ...peaks };
    },
  };
}
