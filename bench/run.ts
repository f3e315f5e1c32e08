// `npm run bench`: the performance sections of issues 14 and 24 (section 6: a class on a real JupyterHub), each as absolute figures next to a ratio
// against a baseline measured in the same run; a table on stdout and JSON in bench/results/latest.json.
// `BENCH_HUB_TRAINEES=60` sizes section 6. `npm run bench -- --smoke` runs every section with tiny sizes to check the machinery (not the timings);
// `--only=resolve,writes` picks sections; `--profile` runs section 1 with the server under --cpu-prof.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../test/support/paths.js';
import { ensureBuilt } from './lib/processes.js';
import { machine, printSection, type Section } from './lib/report.js';
import { resolveCeiling } from './sections/resolve.js';
import { durableWrites } from './sections/writes.js';
import { reverseLookup } from './sections/reverse-lookup.js';
import { classroom } from './sections/class.js';
import { startupAndNotebooks } from './sections/startup.js';
import { hubClass } from './sections/hub-class.js';

const args = process.argv.slice(2);
const smoke = args.includes('--smoke');
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const profile = args.includes('--profile');

type Runner = () => Promise<Section>;

const sections: Array<[string, Runner]> = [
  [
    'resolve',
    () =>
      resolveCeiling({
        seconds: smoke ? 1 : 4,
        rounds: smoke ? 1 : 5,
        connections: 20,
        nodeFlags: profile ? ['--cpu-prof', `--cpu-prof-dir=${join(ROOT, 'bench', 'results', 'profiles')}`] : [],
      }),
  ],
  [
    'writes',
    () =>
      durableWrites(
        smoke
          ? { sizes: [50, 200], inFlight: [1, 16, 64], operations: (n) => Math.max(20, n * 2), peerCount: 10, clientCount: 40, clientConcurrency: 16 }
          : {
              sizes: [1_000, 100_000],
              inFlight: [1, 16, 64],
              operations: (n) => (n === 1 ? 300 : n * 60),
              peerCount: 300,
              clientCount: 3000,
              clientConcurrency: 64,
            },
      ),
  ],
  [
    'class',
    () =>
      classroom(
        smoke ? { trainees: 5, thinkMs: [10, 50], processes: 1 } : { trainees: Number(process.env.BENCH_TRAINEES ?? 200), thinkMs: [500, 3000], processes: 2 },
      ),
  ],
  ['lookup', () => reverseLookup(smoke ? { sizes: [100, 400], rounds: 15 } : { sizes: [1_000, 100_000], rounds: 300 })],
  ['startup', () => startupAndNotebooks(smoke ? { rounds: 1, notebooks: false } : { rounds: 3, notebooks: true })],
  [
    'hub',
    () =>
      hubClass({
        trainees: smoke ? 3 : Number(process.env.BENCH_HUB_TRAINEES ?? 30),
        waves: smoke ? 1 : 3,
        timeoutMs: (smoke ? 5 : 20) * 60_000,
        // e.g. BENCH_HUB_CLASS_ARGS='--kernel-snapshot on' measures the class with `npm run class`'s options.
        classArgs: (process.env.BENCH_HUB_CLASS_ARGS ?? '').split(/\s+/).filter(Boolean),
      }),
  ],
];

async function main(): Promise<void> {
  ensureBuilt();
  const started = Date.now();
  console.log(`pid-handson benchmarks${smoke ? ' (smoke: tiny sizes, figures meaningless)' : ''}`);
  const results: Record<string, unknown> = {};
  for (const [name, run] of sections) {
    if (only && !only.includes(name)) continue;
    const section = await run();
    printSection(section);
    results[name] = section;
    // The smoke run checks the machinery, not the timings: but a failed request is a broken machine.
    if (smoke && Number(section.data.errorCount ?? 0) > 0) throw new Error(`${name}: ${String(section.data.errorCount)} failed requests`);
  }
  const outDir = join(ROOT, 'bench', 'results');
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, smoke ? 'smoke.json' : 'latest.json');
  writeFileSync(
    file,
    `${JSON.stringify({ at: new Date().toISOString(), smoke, machine: machine(), seconds: (Date.now() - started) / 1000, sections: results }, null, 2)}\n`,
  );
  console.log(`\nJSON: ${file} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
}

main().catch((error) => {
  console.error(`bench failed: ${(error as Error).stack ?? (error as Error).message}`);
  process.exit(1);
});
