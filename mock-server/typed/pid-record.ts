// The Typed PID Maker's two record shapes and the Handle values a typed record is stored as:
// `application/json` ({"pid", "entries": {"<type PID>": [{"key", "name", "value"}]}}) and the simple
// `application/vnd.datamanager.pid.simple+json` ({"pid", "record": [{"key", "value"}]}).
import type { HandleValueJson } from '../vocabulary/model.js';
import type { TypedEntries } from './validation.js';

export const SIMPLE_RECORD_TYPE = 'application/vnd.datamanager.pid.simple+json';

export interface PidRecordEntry {
  key: string;
  name?: string;
  value: string;
}

export interface PidRecordJson {
  pid: string;
  entries: Record<string, PidRecordEntry[]>;
}

/** A body that is not a record in either shape; the message says what is wrong and where. */
export class RecordShapeError extends Error {}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readEntry(raw: unknown, where: string): PidRecordEntry {
  if (!isObject(raw)) throw new RecordShapeError(`${where} must be an object {"key": "<type PID>", "value": "<value>"}`);
  const { key, name, value } = raw;
  if (typeof key !== 'string' || key === '') throw new RecordShapeError(`${where}.key must be the attribute's type PID (a non-empty string)`);
  if (typeof value !== 'string') throw new RecordShapeError(`${where}.value must be a string (write a JSON object as text, e.g. a checksum)`);
  if (name !== undefined && name !== null && typeof name !== 'string') throw new RecordShapeError(`${where}.name must be a string when given`);
  return { key, value, ...(typeof name === 'string' ? { name } : {}) };
}

/** The entries of a body in either shape, grouped by attribute in the order given, with the names they carried. */
export function readPidRecord(body: unknown, simple: boolean): { entries: TypedEntries; names: Map<string, string> } {
  if (!isObject(body)) throw new RecordShapeError('the body must be a JSON object');
  const entries: TypedEntries = new Map();
  const names = new Map<string, string>();
  const add = (entry: PidRecordEntry) => {
    entries.set(entry.key, [...(entries.get(entry.key) ?? []), entry.value]);
    if (entry.name !== undefined && !names.has(entry.key)) names.set(entry.key, entry.name);
  };
  if (simple) {
    if (!Array.isArray(body.record)) throw new RecordShapeError('a simple record is {"record": [{"key": "<type PID>", "value": "<value>"}, …]}');
    for (const [i, raw] of body.record.entries()) add(readEntry(raw, `record[${i}]`));
    return { entries, names };
  }
  if (!isObject(body.entries)) {
    throw new RecordShapeError('a record is {"entries": {"<type PID>": [{"key": "<type PID>", "value": "<value>"}]}}');
  }
  for (const [attribute, list] of Object.entries(body.entries)) {
    if (!Array.isArray(list)) throw new RecordShapeError(`entries["${attribute}"] must be a list of entries`);
    for (const [i, raw] of list.entries()) {
      const entry = readEntry(raw, `entries["${attribute}"][${i}]`);
      if (entry.key !== attribute) {
        throw new RecordShapeError(`entries["${attribute}"][${i}].key is ${JSON.stringify(entry.key)}: each entry's key must repeat its attribute's PID`);
      }
      add(entry);
    }
  }
  return { entries, names };
}

/** A record in the service's full shape; `names` fills each entry's name (the registry's or the caller's). */
export function pidRecordJson(pid: string, entries: TypedEntries, nameOf: (attribute: string) => string | undefined): PidRecordJson {
  // fromEntries defines own properties: a key such as "__proto__" stays a key.
  const out = Object.fromEntries(
    [...entries].map(([key, values]) => {
      const name = nameOf(key);
      return [key, values.map((value) => ({ key, ...(name !== undefined ? { name } : {}), value }))];
    }),
  );
  return { pid, entries: out };
}

/** The simple shape of the same record. */
export function simpleRecordJson(pid: string, entries: TypedEntries): { pid: string; record: Array<{ key: string; value: string }> } {
  return { pid, record: [...entries].flatMap(([key, values]) => values.map((value) => ({ key, value }))) };
}

/**
 * The Handle values of a typed record: one value per entry, its type the attribute's PID, numbered from 1
 * in the order given; HS_ADMIN at 100 is the caller's to add.
 */
export function handleValuesOf(entries: TypedEntries): Array<{ index: number; type: string; data: string }> {
  let index = 0;
  return [...entries].flatMap(([type, values]) => values.map((data) => ({ index: ++index, type, data })));
}

/** A stored record read back as typed entries: every value but the Handle system's own (HS_*). */
export function entriesOfHandleValues(values: readonly HandleValueJson[]): TypedEntries {
  const entries: TypedEntries = new Map();
  for (const v of [...values].sort((a, b) => a.index - b.index)) {
    if (/^HS_/i.test(v.type)) continue;
    const data = v.data.value;
    entries.set(v.type, [...(entries.get(v.type) ?? []), typeof data === 'string' ? data : JSON.stringify(data)]);
  }
  return entries;
}
