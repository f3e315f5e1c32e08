// What the projector shows, kept up to date: follows the change journal (also other processes'
// commits to the same data folder) and the request log, and hands listeners a fresh snapshot soon
// after anything happens.
import type { HandleStore } from '../../storage/store.js';
import type { WriteHealthReport } from '../../storage/write-health.js';
import type { ActiveFaults } from '../faults/settings.js';
import type { FaultSwitch } from '../faults/switch.js';
import { ClassProgress, isPlannedFailure, type TraineeProgress } from './progress.js';
import type { RequestLog } from './request-log.js';

export interface FeedItem {
  at: string;
  who: string;
  what: string;
  status?: number | undefined;
  /** A lesson demonstration's failure: the page shows it as part of the lesson, not as an error. */
  planned?: boolean | undefined;
}

export interface ClassSnapshot {
  at: string;
  trainees: TraineeProgress[];
  totals: { trainees: number; requests: number; changes: number; errors: number };
  recent: FeedItem[];
  faults: ActiveFaults | null;
  /** What GET /_admin/health answers: the page shows a banner while writes fail. */
  health: WriteHealthReport;
}

const JOURNAL_POLL_MS = 200;
const SNAPSHOT_DELAY_MS = 50;
const RECENT = 12;

export class ClassFeed {
  private readonly progress = new ClassProgress();
  private readonly recent: FeedItem[] = [];
  private lastEventId = 0;
  private changes = 0;
  private requests = 0;
  private readonly listeners = new Set<(snapshot: ClassSnapshot) => void>();
  private poller: NodeJS.Timeout | undefined;
  private pending: NodeJS.Timeout | undefined;
  private readonly unsubscribe: Array<() => void> = [];

  constructor(
    private readonly store: HandleStore,
    requests: RequestLog,
    private readonly faults: FaultSwitch,
  ) {
    for (const record of requests.recent()) this.progress.addRequest(record);
    this.unsubscribe.push(
      requests.subscribe((record) => {
        this.requests += 1;
        this.progress.addRequest(record);
        if (record.identity && isPlannedFailure(record)) {
          this.remember({
            at: record.at,
            who: record.identity,
            what: `planned (lesson demonstration): ${record.method} ${record.path}`,
            status: record.status,
            planned: true,
          });
        } else if (record.identity && record.status >= 400) {
          this.remember({ at: record.at, who: record.identity, what: `${record.method} ${record.path}`, status: record.status });
        } else if (record.search && record.identity) {
          this.remember({
            at: record.at,
            who: record.identity,
            what: `searched ${record.search.wildcard ? 'with a wildcard' : 'by value'}`,
            status: record.status,
          });
        }
        this.changed();
      }),
      faults.subscribe(() => this.changed()),
      store.writeHealth.subscribe(() => this.changed()),
    );
  }

  /** The journal is read only while someone watches (and from where it was left): an unwatched server does no extra work. */
  subscribe(listener: (snapshot: ClassSnapshot) => void): () => void {
    this.listeners.add(listener);
    if (!this.poller) {
      this.poller = setInterval(() => {
        if (this.readJournal()) this.changed();
      }, JOURNAL_POLL_MS);
      this.poller.unref();
    }
    return () => {
      this.listeners.delete(listener);
      if (!this.listeners.size) {
        clearInterval(this.poller);
        this.poller = undefined;
      }
    };
  }

  snapshot(): ClassSnapshot {
    this.readJournal();
    const trainees = this.progress.rows();
    return {
      at: new Date().toISOString(),
      trainees,
      totals: {
        trainees: trainees.filter((t) => t.name !== 'instructor').length,
        requests: this.requests,
        changes: this.changes,
        errors: trainees.reduce((n, t) => n + t.errors, 0),
      },
      // Journal entries arrive by polling, requests at once: the list is put in time order, newest first.
      recent: [...this.recent].sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0)),
      faults: this.faults.current() ?? null,
      health: this.store.writeHealth.report(),
    };
  }

  /** After a reset the journal starts afresh, and so does the table. */
  restart(): void {
    this.progress.clear();
    this.recent.length = 0;
    this.changes = 0;
    this.requests = 0;
    this.lastEventId = 0;
    this.readJournal();
    this.changed();
  }

  close(): void {
    clearInterval(this.poller);
    clearTimeout(this.pending);
    for (const stop of this.unsubscribe) stop();
    this.listeners.clear();
  }

  private readJournal(): boolean {
    let any = false;
    // Reset or state import by any route or process (the CLI too): the table starts afresh with the journal.
    if (this.lastEventId > 0 && !this.store.hasEvent(this.lastEventId)) {
      this.progress.clear();
      this.recent.length = 0;
      this.changes = 0;
      this.lastEventId = 0;
      any = true;
    }
    for (;;) {
      const batch = this.store.identityEventsWithValues(this.lastEventId, 500);
      if (!batch.length) return any;
      any = true;
      for (const entry of batch) {
        this.lastEventId = entry.id;
        this.changes += 1;
        this.progress.addChange(entry);
        this.remember({ at: entry.at, who: entry.actor, what: `${entry.action} ${entry.handle}` });
      }
    }
  }

  private remember(item: FeedItem): void {
    this.recent.unshift(item);
    this.recent.length = Math.min(this.recent.length, RECENT);
  }

  /** Many requests in a burst become one snapshot. */
  private changed(): void {
    if (this.pending || !this.listeners.size) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      const snapshot = this.snapshot();
      for (const listener of this.listeners) listener(snapshot);
    }, SNAPSHOT_DELAY_MS);
  }
}
