// Checks and converts command-line values commander hands over as strings (`KEY=VALUE`, counts), failing as usage errors with a hint.
import { UsageError } from './exit-codes.js';

/**
 * Splits `TYPE=value` at the first `=`, so values may contain `=` themselves.
 * @example parseKeyValue('EUDAT/ROR=21.T12995/abc', '--extratype') // ['EUDAT/ROR', '21.T12995/abc']
 */
export function parseKeyValue(text: string, what: string): [string, string] {
  const equals = text.indexOf('=');
  if (equals <= 0) {
    throw new UsageError(`${what} "${text}" is not KEY=VALUE`, { hint: `write ${what} TYPE=value, e.g. ${what} TYPE=file` });
  }
  return [text.slice(0, equals), text.slice(equals + 1)];
}

/**
 * The `KEY=VALUE` pairs of repeated options as one record; a repeated key is refused rather than silently dropped.
 * @example keyValueRecord(['TYPE=file', 'EMAIL=me@example.org'], '--extratype') // { TYPE: 'file', EMAIL: 'me@example.org' }
 */
export function keyValueRecord(pairs: readonly string[], what: string): Record<string, string> {
  const record: Record<string, string> = {};
  for (const pair of pairs) {
    const [key, value] = parseKeyValue(pair, what);
    if (key in record) throw new UsageError(`${what} ${key} is given twice`, { hint: 'a record holds one value per type here: give each type once' });
    record[key] = value;
  }
  return record;
}

/**
 * A whole number within bounds, e.g. for --concurrency.
 * @example wholeNumber('8', '--concurrency', 1, 64) // 8
 */
export function wholeNumber(text: string, what: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new UsageError(`${what} must be a whole number from ${min} to ${max}, not "${text}"`, {
      hint: `e.g. ${what} ${min === max ? min : Math.min(8, max)}`,
    });
  }
  return value;
}

/** Commander's collector for repeatable options. @example new Option('--key <type>').argParser(collect) */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
