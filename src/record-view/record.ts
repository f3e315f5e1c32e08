// What both record views share: their options, the links of a record, and the checks of the record given.
import type { HandleRecordJson, HandleValue } from '../types.js';
import { abbreviate, compactJson, isObject } from './shape.js';
import { handlePath } from '../handle-path.js';

/**
 * Where the links of a record view point, and which value types to mark.
 *
 * @example
 * const options: RecordViewOptions = {
 *   resolverBaseUrl: 'http://localhost:8000',
 *   apiBaseUrl: 'http://localhost:8000',
 *   highlight: ['URL', 'CHECKSUM'],
 * };
 */
export interface RecordViewOptions {
  /** Resolver the "resolve" and "record page" links use; default `https://hdl.handle.net`. */
  resolverBaseUrl?: string;
  /** Handle server whose `/api/handles/<handle>` the "JSON" link uses; default: the resolver. */
  apiBaseUrl?: string;
  /** Value types to mark, e.g. the ones a task just added (compared case-insensitively). */
  highlight?: string[];
}

const DEFAULT_RESOLVER = 'https://hdl.handle.net';

interface RecordLinks {
  resolve: string;
  recordPage: string;
  json: string;
}

export function recordLinks(handle: string, options: RecordViewOptions): RecordLinks {
  const resolver = (options.resolverBaseUrl ?? DEFAULT_RESOLVER).replace(/\/+$/, '');
  const api = (options.apiBaseUrl ?? resolver).replace(/\/+$/, '');
  const path = handlePath(handle);
  return {
    resolve: `${resolver}/${path}`,
    recordPage: `${resolver}/${path}?noredirect`,
    json: `${api}/api/handles/${path}`,
  };
}

export const NO_RECORD = 'No handle record to show: the handle does not exist (the client returned null for it).';

export function checkedRecord(record: HandleRecordJson, caller: string): { handle: string; values: HandleValue[] } {
  if (record !== null && typeof record === 'object' && typeof (record as { then?: unknown }).then === 'function') {
    throw new TypeError(`${caller} got a Promise, not a record: put \`await\` before the call that fetched the record.`);
  }
  if (!isObject(record) || typeof record.handle !== 'string') {
    throw new TypeError(`${caller} needs a handle record like {"responseCode":1,"handle":"…","values":[…]}, got ${abbreviate(compactJson(record), 40)}`);
  }
  // Malformed entries are skipped rather than fatal: the table is often used to debug such records.
  const values = Array.isArray(record.values) ? record.values.filter(isObject) : [];
  return { handle: record.handle, values: values as unknown as HandleValue[] };
}

export function isHighlighted(type: unknown, options: RecordViewOptions): boolean {
  const wanted = String(type).toLowerCase();
  return (options.highlight ?? []).some((t) => String(t).toLowerCase() === wanted);
}
