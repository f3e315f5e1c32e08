// What every benchmark section reports: the machine and parameters first, then rows of absolute
// figures with the ratio against the baseline measured in the same run; all of it also goes to JSON.
import { cpus } from 'node:os';

export interface Row {
  label: string;
  value: string;
  ratio?: string;
  target?: string;
}

export interface Section {
  title: string;
  parameters: Record<string, unknown>;
  rows: Row[];
  /** Anything else the JSON file should keep (raw figures, query plans). */
  data: Record<string, unknown>;
  notes?: string[];
}

export function machine(): Record<string, unknown> {
  return { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version, platform: `${process.platform} ${process.arch}` };
}

export function printSection(section: Section): void {
  const m = machine();
  console.log(`\n== ${section.title}`);
  console.log(
    `   ${m.cores} cores, Node ${m.node}; ${Object.entries(section.parameters)
      .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
      .join(', ')}`,
  );
  const width = Math.max(40, ...section.rows.map((r) => r.label.length));
  const valueWidth = Math.max(12, ...section.rows.map((r) => r.value.length));
  const ratioWidth = Math.max(6, ...section.rows.map((r) => (r.ratio ?? '').length));
  for (const row of section.rows) {
    console.log(`   ${row.label.padEnd(width)}  ${row.value.padStart(valueWidth)}  ${(row.ratio ?? '').padStart(ratioWidth)}  ${row.target ?? ''}`.trimEnd());
  }
  for (const note of section.notes ?? []) console.log(`   ${note}`);
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function summarise(samples: number[]): { n: number; p50: number; p95: number; p99: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? NaN };
}

export const ms = (value: number, digits = 2) => `${value.toFixed(digits)} ms`;
export const met = (ok: boolean, text: string) => `${ok ? 'met' : 'NOT met'}: ${text}`;
