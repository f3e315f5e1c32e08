// The placeholder of every exercise, `YOUR_ANSWER` (Kaggle Learn's `____`, under a name tslab can import: it
// mangles names that start with two underscores), and the diagnosis of an answer of the
// wrong shape: a trainee who gives the whole search result, a whole record or a Promise gets a verdict
// that names what they gave and how to get what the exercise wants, never a compiler error.
import { inspect } from 'node:util';
import { isObject } from '../../src/record-view/shape.js';

const PLACEHOLDER_NAME = 'YOUR_ANSWER';

/**
 * The placeholder a learner replaces: `const myPid = YOUR_ANSWER; // ← …`. It is typed `any` on purpose:
 * whatever the learner writes instead type-checks, and a later cell that uses the variable still
 * compiles while the placeholder is there. At run time it is one frozen object that the checks
 * recognise, and that reads as `YOUR_ANSWER` in a template string or a console.log.
 *
 * @example
 * const myPid = YOUR_ANSWER; // ← register a new PID and put it here
 * await exercises.registerCsv.check(myPid); // "Not attempted yet"
 */
// biome-ignore lint/suspicious/noExplicitAny: any replacement of the placeholder must type-check (see above)
export const YOUR_ANSWER: any = Object.freeze({
  toString: () => PLACEHOLDER_NAME,
  [Symbol.toPrimitive]: () => PLACEHOLDER_NAME,
  [inspect.custom]: () => PLACEHOLDER_NAME,
});

/** True exactly when the placeholder is still there. */
export function isPlaceholder(answer: unknown): boolean {
  return answer === YOUR_ANSWER;
}

/**
 * What an exercise wants: its JavaScript type, the thing in words, and how to get it from the objects a
 * learner may give instead.
 *
 * @example
 * const shape: AnswerShape = { type: 'string', what: 'one PID', fromObject: 'take its `.handle`' };
 */
export interface AnswerShape {
  type: 'string' | 'number' | 'string[]';
  /** The answer in words, e.g. "one PID", "the URL as a string", "how many PIDs (a number)". */
  what: string;
  /** How to get the answer out of a whole object (a record, a response, a result), e.g. "take its `.handle`". */
  fromObject?: string;
  /** How to get the answer out of a list, when the generic advice does not fit. */
  fromList?: string;
  /** Why a real attempt of this exercise commonly gives undefined or null, and what to do. */
  ifMissing?: string;
}

const PID_LIKE = /^[^\s/]+\/\S+$/;

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function quoteShort(text: string): string {
  const shown = text.length > 60 ? `${text.slice(0, 57)}…` : text;
  return JSON.stringify(shown);
}

/** A list in words: "a list of 3 PIDs", "an empty list", "a list of 2 numbers". */
function describeList(list: unknown[]): string {
  if (list.length === 0) return 'an empty list';
  if (list.every((item) => typeof item === 'string' && PID_LIKE.test(item))) return `a list of ${plural(list.length, 'PID')}`;
  if (list.every((item) => typeof item === 'string')) return `a list of ${plural(list.length, 'string')}`;
  if (list.every((item) => typeof item === 'number')) return `a list of ${plural(list.length, 'number')}`;
  return `a list of ${plural(list.length, 'item')}`;
}

/** An object in words, recognising what the lesson's calls return. */
function describeObject(value: Record<string, unknown>): string {
  if (typeof value.handle === 'string' && Array.isArray(value.values)) return `a whole record (the JSON of ${value.handle})`;
  if (typeof value.status === 'number' && isObject(value.headers) && typeof value.ok === 'boolean') return 'a whole HTTP response';
  if (typeof value.status === 'number' && 'stdout' in value && 'stderr' in value) return 'the whole result of runPid ({ status, stdout, stderr })';
  if (typeof value.status === 'number' && 'body' in value) return 'the whole answer of send(…) ({ status, headers, body })';
  const name = Object.getPrototypeOf(value)?.constructor?.name;
  if (typeof name === 'string' && name !== 'Object' && name !== '') return `a ${name} object`;
  const keys = Object.keys(value);
  if (keys.length === 0) return 'an empty object';
  if (keys.some((k) => /^(URL|CHECKSUM|HS_ADMIN|TYPE|REPLICA)$/.test(k))) return `a whole record (its values by type: ${keys.slice(0, 4).join(', ')})`;
  return `an object with the field${keys.length === 1 ? '' : 's'} ${keys.slice(0, 4).join(', ')}${keys.length > 4 ? ', …' : ''}`;
}

/**
 * What a value is, in the words of the verdict box: "undefined", "the number 3", "a list of 3 PIDs",
 * "a whole record (the JSON of 21.T12995/abc)", "a Promise".
 *
 * @example describeAnswer(['21.T12995/a', '21.T12995/b']); // 'a list of 2 PIDs'
 */
export function describeAnswer(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (isPlaceholder(value)) return 'the placeholder YOUR_ANSWER';
  if (typeof value === 'string') return value.trim() === '' ? 'an empty string' : `the string ${quoteShort(value)}`;
  if (typeof value === 'number') return Number.isNaN(value) ? 'NaN (not a number)' : `the number ${value}`;
  if (typeof value === 'boolean') return `the boolean ${value}`;
  if (typeof value === 'bigint') return `the BigInt ${value}n`;
  if (typeof value === 'symbol') return 'a symbol';
  if (typeof value === 'function') return `a function${value.name ? ` (${value.name})` : ''}`;
  if (typeof (value as { then?: unknown }).then === 'function') return 'a Promise';
  if (Array.isArray(value)) return describeList(value);
  return describeObject(value as Record<string, unknown>);
}

const GENERIC_MISSING =
  'the expression you wrote gave no value. Common causes: a property that does not exist (check its spelling and ' +
  'case), a function that returns nothing, a search or regular expression that found nothing, or a missing `await`.';

function adviceForList(list: unknown[], shape: AnswerShape): string {
  if (shape.fromList) return shape.fromList;
  if (shape.type === 'number') return 'count its elements with `.length`';
  if (list.length === 0) return 'the list is empty, so there is nothing to take from it: look at what you searched for';
  if (list.length === 1 && typeof list[0] === shape.type) return 'take its one element, e.g. `result[0]`';
  return 'take one element, e.g. `result[0]`';
}

/**
 * Undefined when `answer` has the shape the exercise wants, else the verdict's message: what was given,
 * what is wanted and how to get it.
 *
 * @example
 * shapeProblem(['21.T12995/a', '21.T12995/b', '21.T12995/c'], { type: 'string', what: 'one PID' });
 * // 'You gave a list of 3 PIDs; this exercise wants one PID — take one element, e.g. `result[0]`.'
 */
export function shapeProblem(answer: unknown, shape: AnswerShape): string | undefined {
  if (shape.type === 'string' && typeof answer === 'string') return undefined;
  if (shape.type === 'number' && typeof answer === 'number' && !Number.isNaN(answer)) return undefined;
  if (shape.type === 'string[]' && Array.isArray(answer) && answer.every((item) => typeof item === 'string')) return undefined;
  const given = describeAnswer(answer);
  const wants = `this exercise wants ${shape.what}`;
  if (answer === undefined || answer === null) return `Your answer is ${given}: ${shape.ifMissing ?? GENERIC_MISSING}`;
  let advice: string | undefined;
  if (Array.isArray(answer)) {
    advice = shape.type === 'string[]' ? 'every element must be a string, e.g. `["add handle"]`' : adviceForList(answer, shape);
  } else if (typeof answer === 'function') advice = 'call it: put `()` (with its arguments) after it, and `await` in front if it is async';
  else if (isObject(answer)) advice = shape.fromObject ?? 'take the one field you need out of it, e.g. `answer.handle` or `answer.URL`';
  else if (typeof answer === 'number' && Number.isNaN(answer)) advice = 'a calculation or `Number(…)` had no number to work on';
  else if (typeof answer === 'number' && shape.type === 'string') advice = 'write it as text, in quotes, or use `String(…)`';
  else if (typeof answer === 'number' && shape.type === 'string[]') advice = 'put the names in a list: `["…", "…"]`';
  else if (typeof answer === 'string' && shape.type === 'number')
    advice = /^\s*-?\d+(\.\d+)?\s*$/.test(answer) ? 'write the number without quotes, or use `Number(…)`' : 'a number has no quotes';
  else if (typeof answer === 'string' && shape.type === 'string[]') advice = 'put the names in a list, in square brackets: `["…", "…"]`';
  return `You gave ${given}; ${wants}${advice ? ` — ${advice}` : ''}.`;
}
