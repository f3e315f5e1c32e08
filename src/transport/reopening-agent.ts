// A connection pool that can be closed and used again. Notebook trainees run cells in any order, and
// Cell → Run All also runs a chapter's last cell, `await client.close()`: with a plain undici Agent every
// later request then fails ("The client is destroyed"). This agent closes its pool for real (the sockets
// end, the kernel may exit), and its next request opens a fresh pool with the same settings, so "close
// what you open" stays right and a closed client or dispatcher never leaves a chapter unusable.
// destroy() stays final, as undici documents it. Every request it sends carries the planned-failure
// label of the demonstration that sends it (planned-failure.ts): the one place all of the client's and
// the lesson's dispatchers share.
import { type Agent, Dispatcher as UndiciDispatcher } from 'undici';
// The type from its own declaration file, not undici's index: the notebooks' kernel then loads 10 of undici's
// declaration files instead of 44 (the same class, so the type is the same).
import type Dispatcher from 'undici/types/dispatcher';
import { markPlannedFailure } from './planned-failure.js';

export class ReopeningAgent extends UndiciDispatcher {
  private pool: Agent;
  private destroyedForGood = false;

  constructor(private readonly openPool: () => Agent) {
    super();
    this.pool = openPool();
  }

  /** True while the current pool is closed (or closing): the next request opens a new one. */
  get closed(): boolean {
    return (this.pool as { closed?: boolean }).closed === true;
  }

  /** True after destroy(): requests then fail with undici's ClientDestroyedError. */
  get destroyed(): boolean {
    return this.destroyedForGood;
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    if (this.closed && !this.destroyedForGood) this.pool = this.openPool();
    return this.pool.dispatch(markPlannedFailure(options), handler);
  }

  override close(callback: () => void): void;
  override close(): Promise<void>;
  override close(callback?: () => void): Promise<void> | void {
    // Closing twice (a last cell run again) is done, not an error: undici's second close() rejects with
    // ClientDestroyedError once the first has finished.
    if (this.closed) {
      if (callback) queueMicrotask(callback);
      else return Promise.resolve();
      return;
    }
    if (callback) return this.pool.close(callback);
    return this.pool.close();
  }

  override destroy(err: Error | null, callback: () => void): void;
  override destroy(callback: () => void): void;
  override destroy(err: Error | null): Promise<void>;
  override destroy(): Promise<void>;
  override destroy(errOrCallback?: Error | null | (() => void), callback?: () => void): Promise<void> | void {
    this.destroyedForGood = true;
    if (typeof errOrCallback === 'function') return this.pool.destroy(errOrCallback);
    if (callback) return this.pool.destroy(errOrCallback ?? null, callback);
    return this.pool.destroy(errOrCallback ?? null);
  }
}
