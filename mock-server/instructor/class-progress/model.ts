// The class as the instructor's board and GET /_admin/class/progress see it: every provisioned
// trainee (connected or not), their latest verdict per exercise, their errors told apart into planned
// and unexpected, and a derived state: not started, working, done or stuck.
import type { ProvisionedState, TraineeRecord } from '../../data-folder/provisioning-state.js';
import type { ProgressReport } from '../../storage/store.js';
import { traineeHandle } from '../class/roster.js';
import { type ClassActivity, identityKey, type RecentFailure, type RecentRequest } from './activity.js';
import { EXERCISE_ID, type Verdict } from './report.js';

export type TraineeState = 'not-started' | 'working' | 'done' | 'stuck';

export interface StuckRules {
  /** The same exercise wrong (or failing with an error) this many times without a later correct: stuck. */
  wrongAttempts: number;
  /** No sign of life for this long while another trainee reported progress: stuck. */
  idleMs: number;
}

export const DEFAULT_STUCK_RULES: StuckRules = { wrongAttempts: 3, idleMs: 10 * 60 * 1000 };

export interface TraineeRow {
  name: string;
  /** The identity handle (`<prefix>/<name>`); both identities, 300 and 301, are this trainee. */
  handle: string;
  connected: boolean;
  lastSeen: string | null;
  state: TraineeState;
  /** Why the state is `stuck`, in words for the board; absent otherwise. */
  stuckBecause?: string;
  exercises: Record<string, Verdict>;
  /** Checks run per exercise (reports other than `unattempted`). */
  attempts: Record<string, number>;
  unexpectedErrors: number;
  plannedErrors: number;
  /** The last few failed requests since the server started, newest first (planned ones carry their label). */
  recentErrors: RecentFailure[];
  /** The trainee's last few requests of any outcome, newest first. */
  recentRequests: RecentRequest[];
}

export interface ClassProgressView {
  at: string;
  trainees: TraineeRow[];
  exercises: string[];
  rules: StuckRules;
}

/** What the model is built from: all of it read afresh on every call, so it is never out of date. */
export interface ClassSources {
  roster: ProvisionedState | undefined;
  reports: ProgressReport[];
  /** Latest journal change per identity (`index:handle`). */
  lastChanges: Array<{ actor: string; at: string }>;
  activity: ClassActivity;
  /** The lesson's exercise ids when the server was told them (`--exercises`); else those reported so far. */
  knownExercises: string[];
  rules: StuckRules;
  now: number;
}

/** `3.1` before `3.10` before `10.1`; exercises before questions (`Q3`). */
export function compareExerciseIds(a: string, b: string): number {
  const rank = (id: string) => (EXERCISE_ID.test(id) ? 0 : 1);
  return rank(a) - rank(b) || a.localeCompare(b, 'en', { numeric: true });
}

/**
 * The class's roster: every trainee who can still log in. The self-study trainee (USER01, always the
 * first, made at the data folder's first start) belongs to a class only when it has been used or is the only one.
 */
function classRoster(state: ProvisionedState | undefined, seen: (t: TraineeRecord) => boolean): TraineeRecord[] {
  const [selfStudy, ...provisioned] = state?.trainees ?? [];
  const roster = selfStudy && (provisioned.length === 0 || seen(selfStudy)) ? [selfStudy, ...provisioned] : provisioned;
  return roster.filter((t) => !t.revoked);
}

interface ExerciseTrail {
  kind: ProgressReport['kind'];
  latest: Verdict;
  attempts: number;
  /** Wrong or error verdicts since the last correct one. */
  failuresSinceCorrect: number;
}

interface TraineeReports {
  trail: Map<string, ExerciseTrail>;
  lastReceived?: string;
  lastCorrect?: string;
}

function foldReports(reports: ProgressReport[]): Map<string, TraineeReports> {
  const byTrainee = new Map<string, TraineeReports>();
  for (const report of reports) {
    const key = report.trainee.toUpperCase();
    let mine = byTrainee.get(key);
    if (!mine) {
      mine = { trail: new Map() };
      byTrainee.set(key, mine);
    }
    if (!mine.lastReceived || report.received > mine.lastReceived) mine.lastReceived = report.received;
    const trail = mine.trail.get(report.exercise) ?? { kind: report.kind, latest: report.verdict, attempts: 0, failuresSinceCorrect: 0 };
    trail.latest = report.verdict;
    if (report.verdict !== 'unattempted') trail.attempts += 1;
    if (report.verdict === 'correct') {
      trail.failuresSinceCorrect = 0;
      mine.lastCorrect = report.received;
    } else if (report.verdict === 'wrong' || report.verdict === 'error') trail.failuresSinceCorrect += 1;
    mine.trail.set(report.exercise, trail);
  }
  return byTrainee;
}

function latest(...times: Array<string | undefined>): string | undefined {
  return times.reduce<string | undefined>((a, b) => (b !== undefined && (a === undefined || b > a) ? b : a), undefined);
}

export function classProgress(sources: ClassSources): ClassProgressView {
  const { rules } = sources;
  const reports = foldReports(sources.reports);
  const changed = new Map<string, string>();
  for (const { actor, at } of sources.lastChanges) {
    const key = identityKey(actor);
    changed.set(key, latest(changed.get(key), at)!);
  }
  const lastSeenOf = (handle: string) => {
    const key = handle.toUpperCase();
    return latest(sources.activity.of(key)?.lastSeen, changed.get(key), reports.get(key)?.lastReceived);
  };
  const roster = classRoster(sources.roster, (t) => lastSeenOf(traineeHandle(t)) !== undefined);

  const ids = new Set(sources.knownExercises);
  for (const mine of reports.values()) for (const id of mine.trail.keys()) ids.add(id);
  const exercises = [...ids].sort(compareExerciseIds);
  const required = exercises.filter((id) => EXERCISE_ID.test(id));

  /** Who last reported anything, and when: the class "progressing" that makes a silent trainee stand out. */
  const handles = roster.map((t) => traineeHandle(t).toUpperCase());
  const lastReportOfOthers = (self: string) => latest(...handles.filter((h) => h !== self).map((h) => reports.get(h)?.lastReceived));

  const trainees = roster.map((trainee): TraineeRow => {
    const handle = traineeHandle(trainee);
    const key = handle.toUpperCase();
    const mine = reports.get(key);
    const activity = sources.activity.of(key);
    const lastSeen = lastSeenOf(handle);
    const verdicts: Record<string, Verdict> = {};
    const attempts: Record<string, number> = {};
    for (const id of exercises) {
      const trail = mine?.trail.get(id);
      verdicts[id] = trail?.latest ?? 'unattempted';
      attempts[id] = trail?.attempts ?? 0;
    }
    const row: TraineeRow = {
      name: trainee.name,
      handle,
      connected: lastSeen !== undefined,
      lastSeen: lastSeen ?? null,
      state: 'working',
      exercises: verdicts,
      attempts,
      unexpectedErrors: activity?.unexpectedErrors ?? 0,
      plannedErrors: activity?.plannedErrors ?? 0,
      recentErrors: activity?.recentFailures.map((f) => ({ ...f })) ?? [],
      recentRequests: activity?.recentRequests.map((r) => ({ ...r })) ?? [],
    };
    if (lastSeen === undefined) return { ...row, state: 'not-started' };
    const stuck = (why: string): TraineeRow => ({ ...row, state: 'stuck', stuckBecause: why });

    const struggling = [...(mine?.trail ?? [])].find(
      ([, t]) => t.kind === 'exercise' && t.latest !== 'correct' && t.failuresSinceCorrect >= rules.wrongAttempts,
    );
    if (struggling) return stuck(`${struggling[0]} wrong ${struggling[1].failuresSinceCorrect} times since its last correct answer`);
    const lastSuccess = latest(activity?.lastSuccess, mine?.lastCorrect);
    const errorCameLast =
      activity?.lastUnexpectedError !== undefined &&
      (!lastSuccess ||
        activity.lastUnexpectedError > lastSuccess ||
        // The same millisecond: the log's order decides (a report's time never ties a request's exactly in practice).
        (activity.lastUnexpectedError === lastSuccess && activity.lastOutcome === 'unexpected-error'));
    if (errorCameLast) {
      return stuck('an unexpected error, and nothing has succeeded since');
    }
    if (required.length > 0 && required.every((id) => verdicts[id] === 'correct')) return { ...row, state: 'done' };
    const idleFor = sources.now - Date.parse(lastSeen);
    const othersReported = lastReportOfOthers(key);
    if (idleFor > rules.idleMs && othersReported !== undefined && othersReported > lastSeen) {
      const idle = idleFor < 120_000 ? `${Math.floor(idleFor / 1000)} s` : `${Math.floor(idleFor / 60_000)} min`;
      return stuck(`idle for ${idle} while others progressed`);
    }
    return row;
  });
  trainees.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  return { at: new Date(sources.now).toISOString(), trainees, exercises, rules };
}
