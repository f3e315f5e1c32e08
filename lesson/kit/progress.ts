// Progress from the checks: every exercise check and formative question tells the trainee's server its
// verdict (never the answer), so the instructor's board can show who solved 3.1 and who is stuck on 4.2.
// Only a server that asks for it gets reports: a mock server's credentials name `pid_handson_progress_url`,
// a real Handle server's do not, and then nothing is sent. A report is best-effort: sent after the verdict
// is shown, never awaited by the check, with a short time limit, and a failed one is silent (one line on
// stderr when PID_HANDSON_PROGRESS_DEBUG is set), because a check must never slow down or break a cell.
import type { PIDClientCredentials } from '../../src/credentials.js';
import { writeAuthorization } from '../../src/transport/authorization.js';
import { HandleTransport } from '../../src/transport/handle-transport.js';
import { outsidePlannedFailure } from '../../src/transport/planned-failure.js';
import type { HandleResponse } from '../../src/transport/reply.js';

/** The credentials key that names where reports go, e.g. `https://127.0.0.1:8000/_lesson/progress`. */
export const PROGRESS_URL_KEY = 'pid_handson_progress_url';
/** Set it (to anything) to see one stderr line per report that could not be delivered. */
export const PROGRESS_DEBUG_ENVIRONMENT = 'PID_HANDSON_PROGRESS_DEBUG';
/** Long enough for a loopback or classroom server, short enough that no report outlives a kernel's exit by much. */
const REPORT_TIMEOUT_MS = 3_000;

/** What was checked: a chapter's exercise or one of its formative questions. */
export type ProgressKind = 'exercise' | 'question';
export type ProgressVerdict = 'correct' | 'wrong' | 'error' | 'unattempted';

/** One report as the server receives it. */
export interface ProgressReport {
  exercise: string;
  kind: ProgressKind;
  verdict: ProgressVerdict;
  /** How many times this kernel has checked this exercise, this check included (from 1). */
  attempt: number;
  /** When it was checked, as an ISO time. */
  at: string;
}

interface Reporter {
  url: string;
  authorization: string;
  transport: HandleTransport;
  /**
   * The reports sent so far, one after another: the board takes a trainee's latest verdict to be the last
   * it received, so a "wrong" and the "correct" a second later must not overtake each other on the way.
   */
  sent: Promise<void>;
}

let reporter: Reporter | undefined;
/**
 * One reporter per credentials file and identity: notebooks and checks load the same files again and
 * again (a check may load the password variant), and each load must not open a new connection pool.
 */
const reporters = new Map<string, Reporter>();
const attempts = new Map<string, number>();

function debug(message: string): void {
  if (process.env[PROGRESS_DEBUG_ENVIRONMENT]) process.stderr.write(`pid-handson progress: ${message}\n`);
}

/**
 * The reporter for these credentials, or undefined when they do not ask for reports. The trainee's
 * identity goes only to the server it already writes to: a progress URL elsewhere is ignored.
 */
function reporterFor(credentials: PIDClientCredentials): Reporter | undefined {
  const c = credentials.config;
  const url = c[PROGRESS_URL_KEY];
  if (url === undefined) return undefined;
  let target: URL;
  let server: URL;
  try {
    target = new URL(String(url));
    server = new URL(credentials.serverUrl ?? '');
  } catch {
    debug(`${PROGRESS_URL_KEY} or handle_server_url is not a URL: no reports`);
    return undefined;
  }
  if (target.origin !== server.origin) {
    debug(`${PROGRESS_URL_KEY} is not on the Handle server (${server.origin}): no reports`);
    return undefined;
  }
  const identity = {
    username: c.username,
    password: c.password,
    certificateFile: c.certificate_only,
    privateKeyFile: c.private_key,
    certificateAndKeyFile: c.certificate_and_key,
  };
  const authorization = writeAuthorization(identity);
  if (authorization.kind === 'none') {
    debug('the credentials hold no identity to report as: no reports');
    return undefined;
  }
  const key = JSON.stringify([credentials.file, target.href, authorization.header, identity, credentials.httpsVerify]);
  const known = reporters.get(key);
  if (known) return known;
  try {
    const transport = new HandleTransport({ ...identity, httpsVerify: credentials.httpsVerify, timeoutMs: REPORT_TIMEOUT_MS, retries: 0 });
    const made = { url: target.href, authorization: authorization.header, transport, sent: Promise.resolve() };
    reporters.set(key, made);
    return made;
  } catch (error) {
    debug(`cannot set up reports: ${(error as Error).message}`);
    return undefined;
  }
}

/**
 * Reports from now on as the trainee of these credentials (the lesson credentials a notebook loaded last),
 * or, when they name no progress URL or are undefined, not at all.
 * @example reportProgressAs(PIDClientCredentials.loadFromJSON('cred_file.json'));
 */
export function reportProgressAs(credentials: PIDClientCredentials | undefined): void {
  reporter = credentials === undefined ? undefined : reporterFor(credentials);
}

const delivered = (reply: HandleResponse): boolean => reply.status >= 200 && reply.status < 300;

/**
 * Counts a check of `exercise` and, when the loaded credentials ask for it, reports its verdict in the
 * background. Returns at once and never throws.
 * @example reportVerdict('3.1', 'exercise', 'wrong');
 */
export function reportVerdict(exercise: string, kind: ProgressKind, verdict: ProgressVerdict): void {
  try {
    const attempt = (attempts.get(exercise) ?? 0) + 1;
    attempts.set(exercise, attempt);
    const current = reporter;
    if (current === undefined) return;
    const report: ProgressReport = { exercise, kind, verdict, attempt, at: new Date().toISOString() };
    // A check run inside a planned failure is still a real check: its report is not part of the demonstration.
    const send = () =>
      outsidePlannedFailure(() =>
        current.transport.send({
          method: 'POST',
          url: current.url,
          headers: { authorization: current.authorization, 'content-type': 'application/json' },
          body: JSON.stringify(report),
          action: `report progress on ${exercise}`,
          expect: delivered,
        }),
      ).then(
        () => undefined,
        (error: unknown) => debug(`report on ${exercise} (attempt ${attempt}) not delivered: ${error instanceof Error ? error.message : String(error)}`),
      );
    current.sent = current.sent.then(send);
  } catch (error) {
    debug(`report on ${exercise} not sent: ${error instanceof Error ? error.message : String(error)}`);
  }
}
