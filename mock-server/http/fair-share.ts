// Fair share for heavy requests (reverse look-ups that return records, large writes): one runs at a time
// (DEFAULT_FAIR_SHARE), callers take turns, a pause after each leaves the server to everyone else, and a
// caller with a full queue is told the server is busy. Simple requests never wait here, so one trainee's
// heavy load cannot stall another's GET (test/reliability/fair-share.test.ts measures it).
import type { FastifyInstance } from 'fastify';
import { Rc } from '../handle/envelope.js';
import { replyHandleError } from './handle-replies.js';

export interface FairShareLimits {
  /** Heavy requests running at once, all callers together. */
  running: number;
  /** Heavy requests one caller may have waiting; one more is answered 503. */
  waitingPerCaller: number;
}

export const DEFAULT_FAIR_SHARE: FairShareLimits = { running: 1, waitingPerCaller: 8 };

/** Longest pause between heavy requests. */
const MAX_PAUSE_MS = 200;

/** A body this large makes a write heavy: parsing, storing and journalling it blocks for milliseconds. */
export const HEAVY_BODY_BYTES = 64 * 1024;

export class FairShare {
  private readonly queues = new Map<string, Array<() => void>>();
  /** Callers with a running request; each runs one at a time. */
  private readonly busy = new Set<string>();
  private running = 0;
  /** No heavy request starts before this time (performance.now()): the pause after the last one. */
  private resumeAt = 0;
  private resumeTimer: NodeJS.Timeout | undefined;

  constructor(readonly limits: FairShareLimits = DEFAULT_FAIR_SHARE) {}

  /**
   * Waits for the caller's turn; resolves to a release function, or undefined when the caller already has
   * as many heavy requests waiting as allowed.
   */
  async enter(caller: string): Promise<(() => void) | undefined> {
    const queue = this.queues.get(caller) ?? [];
    if (queue.length >= this.limits.waitingPerCaller) return undefined;
    await new Promise<void>((start) => {
      queue.push(start);
      this.queues.set(caller, queue);
      this.next();
    });
    const started = performance.now();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.running--;
      this.busy.delete(caller);
      // The next heavy request, of any caller, waits twice as long as this one ran (up to a limit): heavy
      // work then has at most about a third of the server's time, and the simple requests the rest.
      const ran = performance.now() - started;
      this.resumeAt = performance.now() + Math.min(2 * ran, MAX_PAUSE_MS);
      this.next();
    };
  }

  /** Starts waiting requests, taking callers in turn (the longest-waiting caller's queue is the map's first). */
  private next(): void {
    const pause = this.resumeAt - performance.now();
    if (pause > 0) {
      this.resumeTimer ??= setTimeout(() => {
        this.resumeTimer = undefined;
        this.next();
      }, Math.ceil(pause)).unref();
      return;
    }
    for (const [caller, queue] of this.queues) {
      if (this.running >= this.limits.running) return;
      if (this.busy.has(caller)) continue;
      const start = queue.shift()!;
      // Moved to the back: the other callers with waiting requests go first next time.
      this.queues.delete(caller);
      if (queue.length) this.queues.set(caller, queue);
      this.busy.add(caller);
      this.running++;
      start();
    }
  }
}

/**
 * Gives the event loop back for a few milliseconds between slices of heavy work, so that requests that
 * arrived meanwhile are answered first and heavy work keeps to a share of the server's time.
 */
export function yieldToOthers(ms = 4): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Who a request comes from, before its body is read: the user name it claims, or its certificate, and its address. */
function callerOf(headers: Record<string, string | string[] | undefined>, address: string | undefined): string {
  const authorization = String(headers.authorization ?? '');
  let claimed = '';
  if (/^basic\s/i.test(authorization)) {
    const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
    claimed = decoded.slice(0, Math.max(0, decoded.indexOf(':')));
  }
  return `${claimed} ${address ?? ''}`;
}

export function heavyCaller(request: { headers: Record<string, string | string[] | undefined>; socket: { remoteAddress?: string | undefined } }): string {
  return callerOf(request.headers, request.socket.remoteAddress);
}

/**
 * Large writes to the Handle API wait for their turn before their body is read, and hold it until their
 * answer is sent; a caller with too many waiting gets 503 with RC_SERVER_TOO_BUSY, which clients retry.
 */
export function shareHeavyWrites(app: FastifyInstance, share: FairShare): void {
  app.addHook('onRequest', async (request, reply) => {
    if (request.method !== 'PUT' && request.method !== 'POST') return;
    if (!(request.raw.url ?? '').startsWith('/api/')) return;
    const length = Number(request.headers['content-length'] ?? Number.NaN);
    if (Number.isFinite(length) && length < HEAVY_BODY_BYTES) return;
    const release = await share.enter(heavyCaller({ headers: request.headers, socket: request.raw.socket }));
    if (!release) {
      reply.header('retry-after', '1');
      return replyHandleError(
        reply,
        503,
        Rc.serverTooBusy,
        `Server too busy: this caller already has ${share.limits.waitingPerCaller} large writes waiting; other trainees' requests go first. Try again shortly`,
      );
    }
    reply.raw.once('close', release);
  });
}
