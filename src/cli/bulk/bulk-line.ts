// Reads one line of an epicclient2-style bulk file (`OP field field …`, separated by spaces) into an operation, or says why it is not one.
import { HandleError } from '../../errors.js';
import { checkHandleSyntax } from '../../handle-syntax.js';
import { keyValueRecord } from '../arguments.js';
import { UsageError } from '../exit-codes.js';

export type BulkOperation =
  | { op: 'SEARCH'; key: string; value: string }
  | { op: 'READ'; handle: string; key?: string }
  | {
      op: 'CREATE';
      /** Absent: a UUID v4 suffix is generated under `prefix` (the credentials' prefix when that is absent too). */
      handle?: string;
      prefix?: string;
      location: string;
      checksum?: string;
      additionalUrls?: string[];
      extraValues?: Record<string, string>;
    }
  | { op: 'MODIFY'; handle: string; key: string; value: string }
  | { op: 'DELETE'; handle: string; key?: string }
  | { op: 'RELATION'; parent: string; child: string };

export type BulkOperationName = BulkOperation['op'];

export type BulkLine =
  | { kind: 'skip' }
  | { kind: 'operation'; lineNumber: number; operation: BulkOperation }
  | { kind: 'invalid'; lineNumber: number; op: string; reason: HandleError };

/** Fields after the operation name: fewest and most, and what they are, for the error message. */
const SHAPES: Record<BulkOperationName, { min: number; max: number; fields: string }> = {
  SEARCH: { min: 2, max: 2, fields: 'KEY VALUE' },
  READ: { min: 1, max: 2, fields: 'HANDLE [KEY]' },
  CREATE: { min: 2, max: 5, fields: 'HANDLE|- LOCATION [CHECKSUM [LOC1;LOC2… [TYPE=value;…]]]' },
  MODIFY: { min: 3, max: 3, fields: 'HANDLE KEY VALUE' },
  DELETE: { min: 1, max: 2, fields: 'HANDLE [KEY]' },
  RELATION: { min: 2, max: 2, fields: 'PARENT CHILD' },
};

function isOperationName(word: string): word is BulkOperationName {
  return Object.hasOwn(SHAPES, word);
}

/** epicclient2 writes `none` for an optional CREATE field that is left out but followed by another. */
function optionalField(field: string | undefined): string | undefined {
  return field === undefined || field.toLowerCase() === 'none' ? undefined : field;
}

function semicolonList(field: string | undefined): string[] | undefined {
  const items = optionalField(field)
    ?.split(';')
    .filter((item) => item !== '');
  return items?.length ? items : undefined;
}

/** `-` and epicclient2's `PREFIX/uuid` both ask for a generated suffix. */
function createTarget(field: string): { handle?: string; prefix?: string } {
  if (field === '-') return {};
  checkHandleSyntax(field);
  const [prefix, suffix] = [field.slice(0, field.indexOf('/')), field.slice(field.indexOf('/') + 1)];
  return suffix.toLowerCase() === 'uuid' ? { prefix } : { handle: field };
}

function toOperation(op: BulkOperationName, f: string[]): BulkOperation {
  switch (op) {
    case 'SEARCH':
      return { op, key: f[0]!, value: f[1]! };
    case 'READ':
    case 'DELETE':
      checkHandleSyntax(f[0]);
      return { op, handle: f[0]!, ...(f[1] !== undefined ? { key: f[1] } : {}) };
    case 'CREATE': {
      const checksum = optionalField(f[2]);
      const additionalUrls = semicolonList(f[3]);
      const extraTypes = semicolonList(f[4]);
      return {
        op,
        ...createTarget(f[0]!),
        location: f[1]!,
        ...(checksum !== undefined ? { checksum } : {}),
        ...(additionalUrls ? { additionalUrls } : {}),
        ...(extraTypes ? { extraValues: keyValueRecord(extraTypes, 'the extra type') } : {}),
      };
    }
    case 'MODIFY':
      checkHandleSyntax(f[0]);
      return { op, handle: f[0]!, key: f[1]!, value: f[2]! };
    case 'RELATION':
      checkHandleSyntax(f[0]);
      checkHandleSyntax(f[1]);
      return { op, parent: f[0]!, child: f[1]! };
  }
}

/**
 * One line of a bulk file; `lineNumber` counts from 1. Blank lines and `#` comments are skipped.
 * Operation names are case-insensitive.
 * @example parseBulkLine('MODIFY 21.T12995/abc URL http://new.example.org/a.csv', 7)
 * // { kind: 'operation', lineNumber: 7, operation: { op: 'MODIFY', handle: '21.T12995/abc', key: 'URL', value: 'http://new.example.org/a.csv' } }
 */
export function parseBulkLine(text: string, lineNumber: number): BulkLine {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return { kind: 'skip' };
  const [word, ...fields] = trimmed.split(/\s+/) as [string, ...string[]];
  const op = word.toUpperCase();
  if (!isOperationName(op)) {
    return {
      kind: 'invalid',
      lineNumber,
      op: word,
      reason: new UsageError(`unknown operation "${word}"`, { hint: `a line starts with one of ${Object.keys(SHAPES).join(', ')}` }),
    };
  }
  const shape = SHAPES[op];
  if (fields.length < shape.min || fields.length > shape.max) {
    return {
      kind: 'invalid',
      lineNumber,
      op,
      reason: new UsageError(`${op} takes ${shape.fields}, got ${fields.length} field${fields.length === 1 ? '' : 's'}`, {
        hint: 'fields are separated by spaces, so a value cannot contain one',
      }),
    };
  }
  try {
    return { kind: 'operation', lineNumber, operation: toOperation(op, fields) };
  } catch (error) {
    if (error instanceof HandleError) return { kind: 'invalid', lineNumber, op, reason: error };
    throw error;
  }
}
