// Teaching faults as the instructor asks for them: added latency and a share of "server too busy"
// answers for some areas, for a limited time. Parses the CLI's and the admin API's input with one
// set of rules, so `--fail-rate 2` and `{"failRate": 2}` are refused with the same words.

export const FAULT_AREAS = ['api', 'resolver', 'hrls'] as const;
export type FaultArea = (typeof FAULT_AREAS)[number];

export interface FaultSettings {
  latencyMs: number;
  /** Share of requests answered 503, from 0 to 1. */
  failRate: number;
  areas: FaultArea[];
  durationMs: number;
}

export interface ActiveFaults extends FaultSettings {
  startedAt: string;
  until: string;
}

export class FaultInputError extends Error {
  constructor(
    /** The flag or JSON field at fault, e.g. `--fail-rate` / `failRate`. */
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

const MAX_LATENCY_MS = 60_000;
const MAX_DURATION_MS = 24 * 3600 * 1000;
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * A duration such as `800ms`, `1.5s`, `5m`, `1h` (a bare number is milliseconds).
 * @example parseDuration('5m', '--for') // 300000
 */
export function parseDuration(input: unknown, field: string): number {
  if (typeof input === 'number') {
    if (Number.isFinite(input) && input >= 0) return Math.round(input);
    throw new FaultInputError(field, `${field} must be a duration such as 800ms, 30s or 5m, not ${input}`);
  }
  const text = typeof input === 'string' ? input.trim() : '';
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/i.exec(text);
  if (!match) throw new FaultInputError(field, `${field} must be a duration such as 800ms, 30s or 5m, not ${JSON.stringify(input)}`);
  return Math.round(Number(match[1]) * UNITS[(match[2] ?? 'ms').toLowerCase()]!);
}

export function parseRate(input: unknown, field: string): number {
  const value = typeof input === 'number' ? input : typeof input === 'string' && /^\s*\d*\.?\d+\s*$/.test(input) ? Number(input) : NaN;
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new FaultInputError(field, `${field} must be a share of requests from 0 to 1 (0.2 = one in five), not ${JSON.stringify(input)}`);
  }
  return value;
}

export function parseAreas(input: unknown, field: string): FaultArea[] {
  const list = input === undefined ? [...FAULT_AREAS] : Array.isArray(input) ? input : typeof input === 'string' ? input.split(',') : undefined;
  if (!list?.length) throw new FaultInputError(field, `${field} must list areas out of ${FAULT_AREAS.join(', ')}`);
  const areas = list.map((a) => (typeof a === 'string' ? a.trim().toLowerCase() : a));
  const unknown = areas.find((a) => !(FAULT_AREAS as readonly unknown[]).includes(a));
  if (unknown !== undefined) throw new FaultInputError(field, `${field}: unknown area ${JSON.stringify(unknown)} (known: ${FAULT_AREAS.join(', ')})`);
  return [...new Set(areas as FaultArea[])];
}

/** Field names for messages: the CLI's flags or the API's JSON keys. */
export interface FieldNames {
  latency: string;
  failRate: string;
  duration: string;
  areas: string;
}

export const API_FIELDS: FieldNames = { latency: 'latency', failRate: 'failRate', duration: 'for', areas: 'areas' };
export const CLI_FIELDS: FieldNames = { latency: '--latency', failRate: '--fail-rate', duration: '--for', areas: '--area' };

/** Checks one request for faults; everything wrong is reported by the first field found. */
export function parseFaultSettings(input: { latency?: unknown; failRate?: unknown; duration?: unknown; areas?: unknown }, names: FieldNames): FaultSettings {
  const latencyMs = input.latency === undefined ? 0 : parseDuration(input.latency, names.latency);
  if (latencyMs > MAX_LATENCY_MS) throw new FaultInputError(names.latency, `${names.latency} may be at most 60s, not ${JSON.stringify(input.latency)}`);
  const failRate = input.failRate === undefined ? 0 : parseRate(input.failRate, names.failRate);
  if (input.duration === undefined)
    throw new FaultInputError(names.duration, `${names.duration} is needed: how long the faults last, e.g. 5m (they switch off by themselves)`);
  const durationMs = parseDuration(input.duration, names.duration);
  if (durationMs <= 0 || durationMs > MAX_DURATION_MS) {
    throw new FaultInputError(names.duration, `${names.duration} must be longer than 0 and at most 24h, not ${JSON.stringify(input.duration)}`);
  }
  const areas = parseAreas(input.areas, names.areas);
  if (latencyMs === 0 && failRate === 0) {
    throw new FaultInputError(names.latency, `nothing to switch on: give ${names.latency} (e.g. 800ms) and/or ${names.failRate} (e.g. 0.2)`);
  }
  return { latencyMs, failRate, areas, durationMs };
}
