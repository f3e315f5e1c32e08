// Exercises in the style of Kaggle Learn: check an answer and show a coloured verdict, give hints,
// show the solution.
import { escapeHtml } from '../../src/record-view/escape.js';
import { MUTED } from '../../src/record-view/html.js';
import { printable } from '../../src/record-view/printable.js';
import { compactJson, isObject } from '../../src/record-view/shape.js';
import { type AnswerShape, isPlaceholder, shapeProblem } from './answer-shape.js';
import { emit } from './output.js';
import { type ProgressKind, reportVerdict } from './progress.js';
import { serverOffer, type ServerPart } from './offers.js';

/**
 * What a check found: nothing filled in yet, a wrong answer, an answer that raised an error, or a
 * correct answer; or that it could not check on this server (a part of the mock it needs is missing).
 *
 * @example
 * const outcome: CheckOutcome = await task31.check(pid); // 'correct'
 */
export type CheckOutcome = 'unattempted' | 'wrong' | 'error' | 'correct' | 'skipped';

/**
 * How an exercise is checked and helped with.
 *
 * @example
 * const spec: ExerciseSpec<string> = {
 *   id: '3.1',
 *   title: 'Build a PID from the prefix and a UUID',
 *   check: (pid) => pid.startsWith(`${prefix}/`) || `A PID starts with your prefix and a slash: \`${prefix}/\``,
 *   hint: ['Join the prefix and the suffix with "/".', 'Use `randomUUID()` from node:crypto for the suffix.'],
 *   solution: 'const pid = `${prefix}/${randomUUID()}`;',
 * };
 */
export interface ExerciseSpec<T> {
  /** Short label shown in every box, e.g. `"3.1"` or `"Task 2.1a"`. */
  id: string;
  title: string;
  /** `true` when right, else a message saying what is wrong; may be async; may throw. */
  check: (answer: T) => true | string | Promise<true | string>;
  /** One hint, or several from gentle to explicit. Text in `backticks` is shown as code. */
  hint: string | string[];
  /** Code shown by `solution()`. */
  solution: string;
  /**
   * Recognises a placeholder answer; by default the kit's `YOUR_ANSWER`, undefined, null, '' and '____' count as
   * not attempted (a lesson exercise counts only `YOUR_ANSWER`: see {@link lessonExercise}).
   */
  unattempted?: (answer: unknown) => boolean;
  /**
   * The shape the answer must have. An answer of another shape (a list, a whole record, undefined, a
   * number instead of a string) gets a verdict naming what was given, and `check` is not called; without
   * it, `check` receives whatever was given.
   */
  answer?: AnswerShape;
  /** How the learner reaches this exercise in a cell, e.g. `exercises.doiPrefix`: the help lines name it. */
  callName?: string;
  /** What a progress report calls it (default `'exercise'`; a formative question is a `'question'`). */
  kind?: ProgressKind;
  /** Parts of the mock the exercise needs: on a server without one, the check says so and skips (offers.ts). */
  needs?: ServerPart[];
}

/**
 * An exercise in a notebook: check the learner's answer, give hints, show the solution.
 *
 * @example
 * await task31.check(pid);  // shows a coloured verdict, resolves to 'correct' etc.
 * task31.hint();            // first hint
 * task31.hint(2);           // second hint
 * task31.solution();
 */
export interface Exercise {
  readonly id: string;
  readonly title: string;
  /** How the help lines call this exercise, e.g. `exercises.doiPrefix` (empty when not given). */
  readonly callName: string;
  /**
   * Shows a verdict for any answer (`unknown`: a wrong shape is a verdict, never a type error); an answer
   * that is a Promise is awaited first. Never throws or rejects.
   */
  check(answer: unknown): Promise<CheckOutcome>;
  /** Shows hint `n` (1-based, default 1; the last hint when `n` is larger than their number). */
  hint(n?: number): void;
  solution(): void;
}

interface BoxStyle {
  label: string;
  border: string;
  text: string;
  background: string;
  symbol: string;
}

// `text` is the label's colour: the border's hue, dark enough for 4.5:1 on the box (WCAG AA for 14 px text).
const BOXES: Record<CheckOutcome | 'hint' | 'solution', BoxStyle> = {
  unattempted: { label: 'Not attempted yet', border: '#4c6ef5', text: '#3451c6', background: '#edf2ff', symbol: '…' },
  wrong: { label: 'Not quite', border: '#e8590c', text: '#b4450a', background: '#fff4e6', symbol: '✗' },
  error: { label: 'Your code raised an error', border: '#c92a2a', text: '#c92a2a', background: '#fff5f5', symbol: '!' },
  correct: { label: 'Correct', border: '#2b8a3e', text: '#237032', background: '#ebfbee', symbol: '✓' },
  skipped: { label: 'Skipped on this server', border: '#868e96', text: '#495057', background: '#f8f9fa', symbol: '⤼' },
  hint: { label: 'Hint', border: '#7048e8', text: '#5f3dc4', background: '#f3f0ff', symbol: '?' },
  solution: { label: 'Solution', border: '#495057', text: '#495057', background: '#f8f9fa', symbol: '=' },
};

const UNATTEMPTED_MESSAGE = 'Replace the placeholder `YOUR_ANSWER` with your answer, run that cell, then run this check again.';
const GENERIC_WRONG_MESSAGE = 'That is not the expected answer yet.';

/** Escapes, then shows `backtick` spans as code: authors write hints in a markdown-ish way. */
function richText(text: string): string {
  return escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

function box(kind: keyof typeof BOXES, heading: string, bodyHtml: string): string {
  const style = BOXES[kind];
  return (
    `<div data-outcome="${kind}" style="border-left:6px solid ${style.border};background:${style.background};` +
    `padding:8px 12px;margin:6px 0;border-radius:4px;font-family:sans-serif;font-size:14px;color:#212529">` +
    `<div style="font-weight:600;color:${style.text}">${escapeHtml(style.label)}` +
    `<span style="font-weight:400;${MUTED}"> · ${heading}</span></div>` +
    (bodyHtml ? `<div style="margin-top:4px">${bodyHtml}</div>` : '') +
    `</div>`
  );
}

function textBox(kind: keyof typeof BOXES, heading: string, body: string): string {
  const style = BOXES[kind];
  const first = `${style.symbol} ${style.label} — ${printable(heading)}`;
  return body
    ? `${first}\n${printable(body)
        .split(/\r?\n/)
        .map((l) => `  ${l}`)
        .join('\n')}`
    : first;
}

function defaultUnattempted(answer: unknown): boolean {
  return isPlaceholder(answer) || answer === undefined || answer === null || (typeof answer === 'string' && /^[\s_]*$/.test(answer));
}

/** What a thrown value says, without its stack: a trainee needs the message and the fix. */
function describeError(error: unknown): { message: string; hint?: string; detail?: string } {
  if (!isObject(error)) return { message: printable(String(error)) };
  const rawMessage = typeof error.message === 'string' ? error.message : compactJson(error);
  const name = typeof error.name === 'string' && error.name !== 'Error' ? `${error.name}: ` : '';
  const hint = typeof error.hint === 'string' && error.hint.trim() ? error.hint : undefined;
  const facts: string[] = [];
  if (typeof error.httpStatus === 'number') facts.push(`HTTP status ${error.httpStatus}`);
  if (typeof error.responseCode === 'number') facts.push(`Handle responseCode ${error.responseCode}`);
  if (typeof error.handle === 'string') facts.push(`handle ${error.handle}`);
  return {
    message: `${name}${rawMessage}`,
    ...(hint !== undefined ? { hint } : {}),
    ...(facts.length ? { detail: facts.join(' · ') } : {}),
  };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * Makes an exercise in the style of Kaggle Learn: `check(answer)` tells apart an unattempted,
 * wrong, erroring and correct answer and shows a coloured verdict; `hint(n)` and `solution()`
 * help a learner who is stuck. All output goes through {@link setDisplay}'s sink. Each check is counted
 * and, when the loaded lesson credentials ask for it, its verdict reported to the server (progress.ts).
 *
 * @example
 * export const task31 = exercise<string>({
 *   id: '3.1',
 *   title: 'Build a PID from the prefix and a UUID',
 *   check: (pid) =>
 *     /^[^/]+\/[0-9a-f-]{36}$/.test(pid) || 'Expected `<prefix>/<uuid>`, e.g. `21.T12995/0a1b…`',
 *   hint: ['A PID is prefix + "/" + suffix.', 'Use `randomUUID()` for the suffix.'],
 *   solution: 'const pid = `${credentials.prefix}/${randomUUID()}`;',
 * });
 * // in the learner's notebook:
 * await task31.check(pid);
 */
export function exercise<T>(spec: ExerciseSpec<T>): Exercise {
  const heading = `${spec.id} ${spec.title}`;
  const headingHtml = `<strong>${escapeHtml(spec.id)}</strong> ${escapeHtml(spec.title)}`;
  const hints = (Array.isArray(spec.hint) ? spec.hint : [spec.hint]).filter((h) => typeof h === 'string' && h.trim() !== '');

  function show(kind: keyof typeof BOXES, bodyText: string, bodyHtml: string): void {
    emit(box(kind, headingHtml, bodyHtml), textBox(kind, heading, bodyText));
  }

  const prefix = spec.callName ? `${spec.callName}.` : '';
  /** The highest hint shown so far: the help line of a "Not quite" box points at the next step. */
  let hintsSeen = 0;

  /** How to get help, as the last line of a "Not quite" box: the next hint, or after the last one the solution. */
  function helpLine(): string {
    const solution = `\`${prefix}solution()\``;
    if (hints.length === 0) return `Stuck? ${solution} shows a solution.`;
    if (hintsSeen >= hints.length) return `Still stuck? ${solution} shows a solution.`;
    const next = hintsSeen === 0 ? `\`${prefix}hint()\`` : `\`${prefix}hint(${hintsSeen + 1})\``;
    const count = hints.length > 1 ? ` (${hintsSeen + 1} of ${hints.length})` : '';
    return `Stuck? ${next} gives a hint${count}; after the last hint, ${solution} shows a solution.`;
  }

  function showWrong(message: string): void {
    const help = helpLine();
    show('wrong', `${message}\n${help}`, `${richText(message)}<div style="margin-top:4px;${MUTED};font-size:12px">${richText(help)}</div>`);
  }

  /** The reason this server cannot check the exercise, when a part it needs is missing. */
  async function missingPart(): Promise<string | undefined> {
    for (const part of spec.needs ?? []) {
      const offer = await serverOffer(part);
      if (!offer.offered) return offer.reason;
    }
    return undefined;
  }

  async function judge(answer: unknown): Promise<CheckOutcome> {
    try {
      const missing = await missingPart();
      if (missing !== undefined) {
        const text = `${missing}\nThis exercise needs it, so it is not checked here; it works on the mock (npm start).`;
        show('skipped', text, richText(text).replace('\n', '<br>'));
        return 'skipped';
      }
      // `check(client.getValueFromHandle(…))` without await is the commonest slip. The Promise is awaited
      // here and a right value is still judged correct: the exercise asks for the value, and the box
      // tells the learner to put `await` in front so that the variable holds it for later cells. A
      // rejected call is then an error with its hint rather than an uncaught exception in the cell.
      const wasPromise = isThenable(answer);
      const settled: unknown = wasPromise ? await answer : answer;
      if (spec.unattempted ? spec.unattempted(settled) : defaultUnattempted(settled)) {
        show('unattempted', UNATTEMPTED_MESSAGE, richText(UNATTEMPTED_MESSAGE));
        return 'unattempted';
      }
      const promiseNote = wasPromise
        ? 'You gave a Promise: it was awaited here, but your variable holds the Promise, not its value. Put `await` in front of the call.'
        : '';
      const problem = spec.answer ? shapeProblem(settled, spec.answer) : undefined;
      const verdict = problem ?? (await spec.check(settled as T));
      if (verdict === true) {
        show('correct', promiseNote, promiseNote ? richText(promiseNote) : '');
        return 'correct';
      }
      const message = typeof verdict === 'string' && verdict.trim() ? verdict : GENERIC_WRONG_MESSAGE;
      showWrong(promiseNote ? `${promiseNote}\nIts value: ${message}` : message);
      return 'wrong';
    } catch (error) {
      const { message, hint, detail } = describeError(error);
      const text = [message, detail, hint !== undefined ? `Hint: ${hint}` : undefined].filter(Boolean).join('\n');
      const html =
        `<div style="font-family:monospace;white-space:pre-wrap;overflow-wrap:anywhere">${escapeHtml(message)}</div>` +
        (detail ? `<div style="${MUTED};font-size:12px">${escapeHtml(detail)}</div>` : '') +
        (hint !== undefined ? `<div style="margin-top:4px"><strong>Hint:</strong> ${richText(hint)}</div>` : '');
      show('error', text, html);
      return 'error';
    }
  }

  return {
    id: spec.id,
    title: spec.title,
    callName: spec.callName ?? '',
    async check(answer: unknown): Promise<CheckOutcome> {
      let outcome: CheckOutcome;
      try {
        outcome = await judge(answer);
      } catch {
        // Only reachable if showing the verdict itself failed; a check must never break a cell.
        outcome = 'error';
      }
      // After the verdict is shown, and not awaited: the report never delays or breaks the box. A skip is
      // no verdict: only a server without the part skips, and such a server takes no reports.
      if (outcome !== 'skipped') reportVerdict(spec.id, spec.kind ?? 'exercise', outcome);
      return outcome;
    },
    hint(n = 1): void {
      if (hints.length === 0) {
        show('hint', 'There is no hint for this exercise.', 'There is no hint for this exercise.');
        return;
      }
      const wanted = Number.isFinite(n) ? Math.max(1, Math.floor(n)) : 1;
      const number = Math.min(wanted, hints.length);
      const hint = hints[number - 1] ?? '';
      hintsSeen = Math.max(hintsSeen, number);
      const more = number < hints.length ? `More help: \`${prefix}hint(${number + 1})\`` : '';
      const label = hints.length > 1 ? `Hint ${number} of ${hints.length}: ` : '';
      show(
        'hint',
        [`${label}${hint}`, more].filter(Boolean).join('\n'),
        `${escapeHtml(label)}${richText(hint)}${more ? `<div style="${MUTED};font-size:12px">${richText(more)}</div>` : ''}`,
      );
    },
    solution(): void {
      show(
        'solution',
        spec.solution,
        `<pre style="margin:0;padding:6px 8px;background:#fff;border:1px solid #dee2e6;border-radius:3px;overflow-x:auto">` +
          `<code>${escapeHtml(spec.solution)}</code></pre>`,
      );
    },
  };
}

/**
 * An exercise of a lesson notebook: {@link Exercise} whose check shows its verdict and resolves to
 * nothing.
 *
 * @example
 * await exercises.doiPrefix.check(prefixOfTheDoi); // the verdict box, and nothing under it
 */
export interface LessonExercise extends Omit<Exercise, 'check'> {
  check(answer: unknown): Promise<void>;
}

/**
 * A chapter's exercise: its name as exported from the chapter's checks (the notebook reaches it as
 * `exercises.<name>`) and the shape of its answer are required.
 */
export type LessonExerciseSpec<T> = Omit<ExerciseSpec<T>, 'callName' | 'answer'> & { name: string; answer: AnswerShape };

/**
 * Makes the exercise of a chapter (lesson/NN-name/checks.ts): as {@link exercise}, but
 * - only the placeholder `YOUR_ANSWER` is "not attempted": undefined or null from a real attempt is a wrong
 *   answer with its own explanation;
 * - the help lines name it as the chapter's cells do, `exercises.<name>.hint()`;
 * - the check resolves to undefined. tslab prints the value of a cell's last expression under the
 *   cell's output, so a check cell (`await ….check(answer)`) would otherwise show a bare "unattempted"
 *   or "correct" line under the verdict box that already says so.
 *
 * @example
 * export const doiPrefix = lessonExercise<string>({ id: '1.1', name: 'doiPrefix', answer: { type: 'string', what: 'the prefix' }, … });
 */
export function lessonExercise<T>(spec: LessonExerciseSpec<T>): LessonExercise {
  const { name, ...rest } = spec;
  const inner = exercise<T>({ unattempted: isPlaceholder, ...rest, callName: `exercises.${name}` });
  return {
    id: inner.id,
    title: inner.title,
    callName: inner.callName,
    async check(answer: unknown): Promise<void> {
      await inner.check(answer);
    },
    hint: (n?: number) => inner.hint(n),
    solution: () => inner.solution(),
  };
}
