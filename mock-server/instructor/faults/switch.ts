// The faults switch of one server process: on for a while, then off by itself; it tells listeners
// (the live page) when it changes so the projector shows while the class is being slowed down.
import type { ActiveFaults, FaultArea, FaultSettings } from './settings.js';

export class FaultSwitch {
  private active: ActiveFaults | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<(faults: ActiveFaults | undefined) => void>();

  constructor(private readonly random: () => number = Math.random) {}

  on(settings: FaultSettings): ActiveFaults {
    const now = Date.now();
    this.active = { ...settings, startedAt: new Date(now).toISOString(), until: new Date(now + settings.durationMs).toISOString() };
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.off(), settings.durationMs);
    // A forgotten fault must not keep a test run or `pid-mock serve` from exiting.
    this.timer.unref();
    this.notify();
    return this.active;
  }

  off(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const was = this.active;
    this.active = undefined;
    if (was) this.notify();
  }

  /** Cheap enough for every request: whether a fault may be on (its expiry is checked by current()). */
  maybeOn(): boolean {
    return this.active !== undefined;
  }

  current(): ActiveFaults | undefined {
    if (this.active && Date.parse(this.active.until) <= Date.now()) this.off();
    return this.active;
  }

  /** What to do with one request of `area`: how long to wait first, and whether to answer 503. */
  decide(area: FaultArea): { delayMs: number; fail: boolean } | undefined {
    const faults = this.current();
    if (!faults?.areas.includes(area)) return undefined;
    return { delayMs: faults.latencyMs, fail: faults.failRate > 0 && this.random() < faults.failRate };
  }

  subscribe(listener: (faults: ActiveFaults | undefined) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private notify(): void {
    for (const listener of this.listeners) listener(this.active);
  }
}
