// Reads a V8 .cpuprofile (node --cpu-prof) and prints where the time went: self time per function and
// per package, so an optimisation starts from a measurement rather than a guess.
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export function summariseProfile(file: string, top = 25): string[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const perFunction = new Map<string, number>();
  const perPackage = new Map<string, number>();
  for (const [id, time] of self) {
    const frame = byId.get(id)!.callFrame;
    const where = frame.url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(dist|src)\//, '$1/');
    const key = `${frame.functionName || '(anonymous)'} ${where}:${frame.lineNumber + 1}`;
    perFunction.set(key, (perFunction.get(key) ?? 0) + time);
    const pkg =
      /node_modules\/((@[^/]+\/)?[^/]+)/.exec(frame.url)?.[1] ??
      (frame.url.includes('/dist/') ? 'pid-handson (dist)' : frame.url.startsWith('node:') ? 'node core' : frame.url || frame.functionName);
    perPackage.set(pkg, (perPackage.get(pkg) ?? 0) + time);
  }
  const pct = (t: number) => `${((100 * t) / total).toFixed(1).padStart(5)} %`;
  const lines = ['self time by package:'];
  for (const [k, t] of [...perPackage].sort((a, b) => b[1] - a[1]).slice(0, 12)) lines.push(`  ${pct(t)}  ${k}`);
  lines.push('self time by function:');
  for (const [k, t] of [...perFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(t)}  ${k}`);
  return lines;
}

if (require.main === module) for (const line of summariseProfile(process.argv[2]!, Number(process.argv[3] ?? 25))) console.log(line);
