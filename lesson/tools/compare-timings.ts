// Side-by-side notebook timings of two checkouts: every learner notebook executed headless on tslab
// (bench/time_notebook.py) in the other checkout's notebooks/ and in this one's, alternating the order
// round by round, against one mock server, so both see the same machine load. Prints, per notebook,
// the medians over the rounds of: kernel start, the first code cell (the import of pid-handson/lesson), the
// median of the other code cells, the notebook's total.
//
//   node --import tsx lesson/tools/compare-timings.ts --old=/path/to/other/checkout [--rounds=3] [--notebooks=01,08]
//
// The other checkout needs its own dist/ (npm run build) and the same node_modules (a symlink will do).
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { startMock } from '../../bench/lib/processes.js';

const ROOT = resolve(__dirname, '..', '..');
const { jupyterEnv } = createRequire(__filename)('../../deploy/local/start.cjs') as { jupyterEnv: (base: NodeJS.ProcessEnv) => NodeJS.ProcessEnv };

interface Timing {
  kernelStart: number;
  total: number;
  cells: Array<{ index: number; seconds: number; ok: boolean }>;
}

interface Row {
  kernel: number[];
  first: number[];
  median: number[];
  total: number[];
  failed: number;
}

function arg(name: string): string | undefined {
  return process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function time(root: string, notebook: string, credentials: string): Promise<Timing> {
  const { stdout } = await promisify(execFile)('/usr/bin/python3', [join(ROOT, 'bench', 'time_notebook.py'), notebook], {
    cwd: join(root, 'notebooks'),
    env: { ...jupyterEnv(process.env), PID_CREDENTIALS: credentials },
    maxBuffer: 64 * 1024 * 1024,
    timeout: 15 * 60 * 1000,
  });
  return JSON.parse(stdout) as Timing;
}

async function main(): Promise<void> {
  const old = arg('old');
  if (!old) throw new Error('usage: compare-timings.ts --old=/path/to/other/checkout [--rounds=3] [--notebooks=01,08]');
  const rounds = Number(arg('rounds') ?? 3);
  const only = arg('notebooks')?.split(',');
  const notebooks = readdirSync(join(ROOT, 'notebooks'))
    .filter((f) => /^\d\d-.*\.ipynb$/.test(f))
    .filter((f) => !only || only.some((n) => f.startsWith(n)))
    .sort();
  const variants = [
    { label: 'before', root: resolve(old) },
    { label: 'after', root: ROOT },
  ];
  const rows = new Map<string, Row>();
  const server = await startMock();
  const credentials = join(server.dataDir, 'credentials', 'cred_file.json');
  try {
    for (let round = 0; round < rounds; round++) {
      for (const notebook of notebooks) {
        for (const variant of round % 2 ? [...variants].reverse() : variants) {
          const t = await time(variant.root, notebook, credentials);
          const key = `${notebook}\t${variant.label}`;
          const row = rows.get(key) ?? { kernel: [], first: [], median: [], total: [], failed: 0 };
          row.kernel.push(t.kernelStart * 1000);
          row.first.push((t.cells[0]?.seconds ?? 0) * 1000);
          row.median.push(median(t.cells.slice(1).map((c) => c.seconds * 1000)));
          row.total.push(t.total * 1000);
          row.failed += t.cells.filter((c) => !c.ok).length;
          rows.set(key, row);
          process.stderr.write(`round ${round + 1}/${rounds} ${notebook} ${variant.label}: ${(t.total).toFixed(1)} s\n`);
        }
      }
    }
  } finally {
    await server.stop();
  }
  const f = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
  console.log(`| notebook | kernel start | first cell (import) | median other cell | total |  (medians of ${rounds} rounds, before → after)`);
  console.log('|---|---|---|---|---|');
  const sums = { before: [] as number[][], after: [] as number[][] };
  for (const notebook of notebooks) {
    const b = rows.get(`${notebook}\tbefore`)!;
    const a = rows.get(`${notebook}\tafter`)!;
    const cell = (x: number[], y: number[]) => `${f(median(x))} → ${f(median(y))}`;
    const failed = b.failed || a.failed ? ` (FAILED cells: before ${b.failed}, after ${a.failed})` : '';
    console.log(
      `| ${notebook.replace(/\.ipynb$/, '')}${failed} | ${cell(b.kernel, a.kernel)} | ${cell(b.first, a.first)} | ${cell(b.median, a.median)} | ${cell(b.total, a.total)} |`,
    );
    sums.before.push(b.total);
    sums.after.push(a.total);
  }
  const allRounds = (per: number[][]) => median(Array.from({ length: rounds }, (_, r) => per.reduce((sum, totals) => sum + totals[r]!, 0)));
  console.log(`| all ${notebooks.length} notebooks, one after another | | | | ${f(allRounds(sums.before))} → ${f(allRounds(sums.after))} |`);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : error}\n`);
  process.exit(1);
});
