// Requests that are meant to fail, labelled on the wire. A teaching demonstration that shows a 403 or a
// 409 on purpose sends its requests with a `Pid-Handson-Planned: <label>` header, so a server watching a
// class (the mock's instructor board) can tell the lesson's planned failures from a trainee's real ones.
// The label follows the work through awaits (AsyncLocalStorage), so the code inside reads as it always
// does; a child process (the `pid` command run from a notebook) gets it through the environment.
import { AsyncLocalStorage } from 'node:async_hooks';
// The type from its own declaration file, not undici's index: the notebooks' kernel then loads 10 of undici's
// declaration files instead of 44 (the same class, so the type is the same).
import type Dispatcher from 'undici/types/dispatcher';

/** The request header that carries the label (HTTP header names are case-insensitive). */
export const PLANNED_FAILURE_HEADER = 'pid-handson-planned';
/** The environment variable that labels every request of a process, e.g. a `pid` run inside a demonstration. */
export const PLANNED_FAILURE_ENVIRONMENT = 'PID_HANDSON_PLANNED';

const LABEL = /^[A-Za-z0-9._-]{1,40}$/;
/** The label being run now; null inside outsidePlannedFailure (which also hides the environment's). */
const current = new AsyncLocalStorage<string | null>();

/** True for a label the header may carry: 1 to 40 of letters, digits, `.`, `_` and `-`, e.g. `3.duplicate`. */
export function isPlannedFailureLabel(label: unknown): label is string {
  return typeof label === 'string' && LABEL.test(label);
}

/**
 * Runs `work` with every request it sends (through a dispatcher from createDispatcher, so also
 * through a HandleClient) labelled as a planned failure; returns what `work` returns, throws what it
 * throws.
 * @example await asPlannedFailure('3.duplicate', () => client.registerHandle(pid, url));
 */
export function asPlannedFailure<T>(label: string, work: () => T): T {
  if (!isPlannedFailureLabel(label)) {
    throw new TypeError(`a planned failure's label is 1 to 40 letters, digits, ".", "_" or "-", e.g. "3.duplicate", not ${JSON.stringify(label)}`);
  }
  return current.run(label, work);
}

/** The label of the planned failure being run now, if any: set by asPlannedFailure, else by the environment. */
export function plannedFailureLabel(): string | undefined {
  const label = current.getStore();
  if (label !== undefined) return label ?? undefined;
  const inherited = process.env[PLANNED_FAILURE_ENVIRONMENT];
  return isPlannedFailureLabel(inherited) ? inherited : undefined;
}

/** Runs `work` outside any planned failure: requests that are not part of the demonstration (a progress report). */
export function outsidePlannedFailure<T>(work: () => T): T {
  return current.run(null, work);
}

type Headers = Dispatcher.DispatchOptions['headers'];

function withHeader(headers: Headers, label: string): Headers {
  if (headers === null || headers === undefined) return { [PLANNED_FAILURE_HEADER]: label };
  if (Array.isArray(headers)) return [...headers, PLANNED_FAILURE_HEADER, label];
  if (Symbol.iterator in headers) {
    return [...(headers as Iterable<[string, string | string[] | undefined]>), [PLANNED_FAILURE_HEADER, label]] as Iterable<
      [string, string | string[] | undefined]
    >;
  }
  return { ...headers, [PLANNED_FAILURE_HEADER]: label };
}

/** The dispatch options of one request, with the planned-failure header when one is being run. */
export function markPlannedFailure(options: Dispatcher.DispatchOptions): Dispatcher.DispatchOptions {
  const label = plannedFailureLabel();
  return label === undefined ? options : { ...options, headers: withHeader(options.headers, label) };
}
