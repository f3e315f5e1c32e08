// A lesson demonstration that fails on purpose (chapter 2's 403, chapter 3's 409, …) says so on the wire,
// so that the instructor's board shows it as part of the lesson and not as a trainee in trouble. The cell
// reads as before with `planned('<chapter>.<what>', () => …)` around the call that is meant to fail.
import { asPlannedFailure } from '../../src/transport/planned-failure.js';

/**
 * Runs a demonstration that is meant to fail: every request it sends carries the header
 * `Pid-Handson-Planned: <label>`, and a `pid` command it runs does too. Nothing else changes: it returns
 * what the demonstration returns and throws what it throws, and prints nothing.
 *
 * @example
 * try {
 *   await planned('3.duplicate', () => client.registerHandle(pid, urls.surveysCsv));
 * } catch (error) {
 *   console.log(error.name); // HandleAlreadyExistsError, as without planned()
 * }
 */
export function planned<T>(label: string, demonstration: () => T): T {
  return asPlannedFailure(label, demonstration);
}
