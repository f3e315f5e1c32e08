// The class model's settings as `pid-mock serve` takes them: when a trainee counts as stuck, and the
// lesson's exercise ids. A bad value is refused at start with the flag's name and an example.
import { parseDuration } from '../faults/settings.js';
import { DEFAULT_STUCK_RULES, type StuckRules } from './model.js';
import { EXERCISE_ID, QUESTION_ID } from './report.js';

export class ClassProgressSettingError extends Error {}

const MAX_IDLE_MS = 24 * 3600 * 1000;

export function parseStuckRules(input: { wrongAttempts?: string | undefined; idle?: string | undefined }): StuckRules {
  const rules = { ...DEFAULT_STUCK_RULES };
  if (input.wrongAttempts !== undefined) {
    const text = input.wrongAttempts.trim();
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < 1 || n > 100) {
      throw new ClassProgressSettingError(`--stuck-after-wrong must be a whole number from 1 to 100 (e.g. 3), not ${JSON.stringify(input.wrongAttempts)}`);
    }
    rules.wrongAttempts = n;
  }
  if (input.idle !== undefined) {
    let ms: number;
    try {
      ms = parseDuration(input.idle, '--stuck-idle');
    } catch (error) {
      throw new ClassProgressSettingError((error as Error).message);
    }
    if (ms < 1000 || ms > MAX_IDLE_MS) throw new ClassProgressSettingError(`--stuck-idle must be from 1s to 24h (e.g. 10m), not ${JSON.stringify(input.idle)}`);
    rules.idleMs = ms;
  }
  return rules;
}

/** `--exercises 1.1,1.2,2.1`: comma- or space-separated exercise (and question) ids. */
export function parseExerciseList(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const ids = text.split(/[\s,]+/).filter(Boolean);
  const bad = ids.find((id) => !EXERCISE_ID.test(id) && !QUESTION_ID.test(id));
  if (bad !== undefined || ids.length === 0) {
    throw new ClassProgressSettingError(
      `--exercises must list the lesson's exercise ids such as "1.1,1.2,2.1" (questions as "Q1"), not ${JSON.stringify(bad ?? text)}`,
    );
  }
  return [...new Set(ids.map((id) => (QUESTION_ID.test(id) ? id.toUpperCase() : id)))];
}
