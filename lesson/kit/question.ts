// Formative questions in the style of the Carpentries: one right answer among a few options, each wrong option
// a plausible misconception whose explanation the trainee sees when they choose it. A question is checked
// like an exercise (the same boxes, the YOUR_ANSWER placeholder, the shape diagnosis, the help line).
import { type Exercise, exercise, type LessonExercise } from './exercise.js';
import { isPlaceholder } from './answer-shape.js';

/** One option of a question: its text, and for a wrong option the misconception it catches and why it is wrong. */
export interface QuestionOption {
  text: string;
  /** Why this option is wrong (the misconception it catches), or for the right one why it is right. */
  why: string;
}

/**
 * A multiple-choice or predict-then-run question.
 *
 * @example
 * const spec: QuestionSpec = {
 *   id: 'Q1', title: 'What the resolver answers',
 *   options: { a: { text: 'the file', why: '…' }, b: { text: 'a 302 redirect', why: '…' } },
 *   answer: 'b',
 * };
 */
export interface QuestionSpec {
  id: string;
  title: string;
  /** The options by letter ('a', 'b', …): lower-case letters. */
  options: Record<string, QuestionOption>;
  /** The letter of the right option. */
  answer: string;
  /** How the learner reaches the question in a cell, e.g. `exercises.resolverAnswer`: the help lines name it. */
  callName?: string;
}

/** A question: an exercise whose options (with their explanations) and letters can be listed. */
export interface Question extends Exercise {
  readonly letters: readonly string[];
  readonly options: Readonly<Record<string, QuestionOption>>;
}

function letterList(letters: readonly string[]): string {
  const quoted = letters.map((l) => `'${l}'`);
  return quoted.length > 1 ? `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}` : (quoted[0] ?? '');
}

/**
 * Makes a question: `check(letter)` accepts the right letter in either case, explains a wrong option with
 * the misconception it catches, and names a wrong shape (a number, a list, undefined, an unknown letter).
 *
 * @example
 * const q = question({ id: 'Q1.1', title: 'Resolving', options: { a: { text: 'the file', why: 'A resolver …' }, b: { text: 'a redirect', why: 'Yes: …' } }, answer: 'b' });
 * await q.check('B'); // Correct
 */
export function question(spec: QuestionSpec): Question {
  const letters = Object.keys(spec.options);
  if (!letters.every((l) => /^[a-z]$/.test(l))) throw new Error(`question ${spec.id}: options are lower-case letters`);
  if (!letters.includes(spec.answer)) throw new Error(`question ${spec.id}: the answer '${spec.answer}' is not one of its options`);
  const choices = letterList(letters);
  const right = spec.options[spec.answer]!;
  const inner = exercise<string>({
    id: spec.id,
    title: spec.title,
    kind: 'question',
    unattempted: isPlaceholder,
    ...(spec.callName !== undefined ? { callName: spec.callName } : {}),
    answer: {
      type: 'string',
      what: `one letter in quotes: ${choices}`,
      fromObject: `answer with the letter of the option you choose, in quotes, e.g. '${letters[0]}'`,
      fromList: `choose one option and give its letter in quotes, e.g. '${letters[0]}'`,
      ifMissing: `write the letter of your choice in quotes: ${choices}.`,
    },
    check: (answer) => {
      const letter = answer
        .trim()
        .replace(/^\(?([A-Za-z])\)?$/, '$1')
        .toLowerCase();
      const chosen = spec.options[letter];
      if (!chosen) return `"${answer}" is not one of the options: answer with one letter in quotes, ${choices}.`;
      if (letter === spec.answer) return true;
      return `(${letter}) ${chosen.text} — ${chosen.why}`;
    },
    hint: 'Read the options again and rule out the ones that contradict what the section above showed.',
    solution: `'${spec.answer}' — ${right.text}. ${right.why}`,
  });
  return { ...inner, letters, options: spec.options };
}

/** A chapter's question: its name as exported from the chapter's checks (the notebook reaches it as `exercises.<name>`). */
export type LessonQuestionSpec = Omit<QuestionSpec, 'callName'> & { name: string };

/** A question of a lesson notebook: its check shows the verdict and resolves to nothing (as {@link LessonExercise}). */
export interface LessonQuestion extends LessonExercise {
  readonly letters: readonly string[];
  readonly options: Readonly<Record<string, QuestionOption>>;
}

/**
 * Makes a chapter's question (lesson/NN-name/checks.ts), reached in the notebook as `exercises.<name>`.
 *
 * @example
 * export const resolverAnswer = lessonQuestion({ id: 'Q1', name: 'resolverAnswer', title: '…', options: { … }, answer: 'b' });
 * // in the notebook: await exercises.resolverAnswer.check(resolverAnswer);
 */
export function lessonQuestion(spec: LessonQuestionSpec): LessonQuestion {
  const { name, ...rest } = spec;
  const inner = question({ ...rest, callName: `exercises.${name}` });
  return {
    id: inner.id,
    title: inner.title,
    callName: inner.callName,
    letters: inner.letters,
    options: inner.options,
    async check(answer: unknown): Promise<void> {
      await inner.check(answer);
    },
    hint: (n?: number) => inner.hint(n),
    solution: () => inner.solution(),
  };
}
