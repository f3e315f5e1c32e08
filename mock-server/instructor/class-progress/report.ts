// What a trainee's exercise check or formative question may report to POST /_lesson/progress: the
// exercise id, what kind of check it is, the verdict, the attempt number and the trainee's time. Never
// the answer itself; anything else in the body is refused, so nothing else can be stored.
import { z } from 'zod';

/** Exercise ids as the lesson numbers them: chapter.exercise (`3.1`). */
export const EXERCISE_ID = /^[0-9]{1,2}\.[0-9]{1,2}$/;
/** Formative question ids: `Q3`, or `Q1.1` for a chapter's second question (the case of the q is free). */
export const QUESTION_ID = /^[qQ][0-9]{1,2}(\.[0-9]{1,2})?$/;
export const VERDICTS = ['correct', 'wrong', 'error', 'unattempted'] as const;
export type Verdict = (typeof VERDICTS)[number];
export const KINDS = ['exercise', 'question'] as const;

/** A report's body is a handful of short fields: anything bigger is not one. */
export const REPORT_BODY_LIMIT = 1024;
/** A check is not run ten thousand times in a lesson; a larger number is a broken client. */
const MAX_ATTEMPT = 10_000;

const report = z
  .object({
    exercise: z.string({ error: 'must be a string such as "3.1" (an exercise) or "Q3" (a question)' }),
    kind: z.enum(KINDS, { error: 'must be "exercise" or "question"' }),
    verdict: z.enum(VERDICTS, { error: 'must be "correct", "wrong", "error" or "unattempted"' }),
    attempt: z
      .number({ error: 'must be a whole number from 1 (the first try of this check)' })
      .int({ error: 'must be a whole number from 1 (the first try of this check)' })
      .min(1, { error: 'must be at least 1 (the first try of this check)' })
      .max(MAX_ATTEMPT, { error: `must be at most ${MAX_ATTEMPT}` }),
    at: z.iso.datetime({ offset: true, error: 'must be an ISO 8601 time such as "2026-12-07T20:15:00.000Z"' }),
  })
  .strict();

export type ProgressInput = z.infer<typeof report>;

export class ReportError extends Error {}

/** The checked report with its id normalised (`q3` → `Q3`); a ReportError names the first wrong fields. */
export function parseReport(body: unknown): ProgressInput {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new ReportError(
      'the body must be a JSON object such as {"exercise": "3.1", "kind": "exercise", "verdict": "correct", "attempt": 1, "at": "2026-12-07T20:15:00.000Z"}',
    );
  }
  const parsed = report.safeParse(body);
  if (!parsed.success) {
    // An unknown field first: it may be an answer a client must never send.
    const issues = [...parsed.error.issues].sort((a, b) => Number(b.code === 'unrecognized_keys') - Number(a.code === 'unrecognized_keys'));
    const problems = issues.slice(0, 3).map((issue) => {
      if (issue.code === 'unrecognized_keys')
        return `unknown field(s) ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}: only exercise, kind, verdict, attempt and at are accepted`;
      const field = String(issue.path[0] ?? '(top level)');
      return field in body ? `"${field}" ${issue.message}` : `"${field}" is missing: it ${issue.message}`;
    });
    throw new ReportError(problems.join('; '));
  }
  const input = parsed.data;
  const idPattern = input.kind === 'exercise' ? EXERCISE_ID : QUESTION_ID;
  if (!idPattern.test(input.exercise)) {
    throw new ReportError(
      input.kind === 'exercise'
        ? `"exercise" ${JSON.stringify(input.exercise)} is not an exercise id: exercises are numbered chapter.exercise, such as "3.1"`
        : `"exercise" ${JSON.stringify(input.exercise)} is not a question id: questions are numbered like "Q3" or "Q1.1"`,
    );
  }
  return { ...input, exercise: input.kind === 'question' ? input.exercise.toUpperCase() : input.exercise };
}
