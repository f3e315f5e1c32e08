// The live view's in-process request log: one record per answered request with its area, status,
// authenticated identity and user agent, kept in a small ring and pushed to listeners at once.
// It never holds credentials: no Authorization header, no request body, and search values only as flags.
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';

export type Area = 'api' | 'resolver' | 'hrls' | 'files' | 'admin' | 'lesson';

export interface RequestRecord {
  at: string;
  method: string;
  area: Area;
  /** Path without the query (a query may hold search values, never needed on the projector). */
  path: string;
  status: number;
  /** `index:handle` the request authenticated as; for a reverse look-up, whose connection it came on. */
  identity?: string | undefined;
  /** The Handle responseCode of a failed API answer, so the page can say why someone is stuck. */
  responseCode?: number | undefined;
  userAgent?: string | undefined;
  /** Made by the `pid` command line (User-Agent pid-handson-cli/<version>). */
  cli: boolean;
  /** Reverse look-ups: whether some searched value held a wildcard. */
  search?: { wildcard: boolean } | undefined;
  /**
   * The label a lesson demonstration cell sent in `Pid-Handson-Planned` (its request is meant to fail,
   * e.g. chapter 3's 409): a failure then is part of the lesson, not a trainee in trouble.
   */
  planned?: string | undefined;
}

/** The header a lesson demonstration cell sends on a request it expects to fail. */
export const PLANNED_HEADER = 'pid-handson-planned';
const PLANNED_LABEL = /^[A-Za-z0-9._-]{1,40}$/;

/** The planned-failure label of a request, when it carries a well-formed one (anything else is ignored). */
export function plannedLabel(request: FastifyRequest): string | undefined {
  const value = request.headers[PLANNED_HEADER];
  return typeof value === 'string' && PLANNED_LABEL.test(value) ? value : undefined;
}

const CLI_AGENT = /^pid-handson-cli\//i;
const SPECIAL_SEARCH_PARAMS = new Set(['limit', 'page', 'retrieverecords', 'enforcesql']);

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

export function areaOf(url: string): Area {
  const path = pathOf(url);
  if (path === '/api' || path.startsWith('/api/')) return 'api';
  if (path === '/hrls' || path.startsWith('/hrls/')) return 'hrls';
  if (path === '/files' || path.startsWith('/files/')) return 'files';
  if (path === '/_admin' || path.startsWith('/_admin/')) return 'admin';
  if (path === '/_lesson' || path.startsWith('/_lesson/')) return 'lesson';
  return 'resolver';
}

function searchOf(url: string): { wildcard: boolean } | undefined {
  const q = url.indexOf('?');
  if (q < 0) return undefined;
  const values = [...new URLSearchParams(url.slice(q + 1))].filter(([key]) => !SPECIAL_SEARCH_PARAMS.has(key.toLowerCase())).map(([, v]) => v);
  if (!values.length) return undefined;
  return { wildcard: values.some((v) => /[*%_]/.test(v)) };
}

/**
 * Reverse look-ups authenticate with the shared search account, not the trainee's identity; the
 * client sends them on the same keep-alive connections as its API calls, so the connection's last
 * identity says who searched.
 */
const identityOfSocket = new WeakMap<Socket, string>();
/**
 * A new connection (a fresh client that only searches) falls back to the identity recently seen from
 * the same address and user agent, but only when it is the only one: a class behind one NAT stays unattributed.
 */
const ATTRIBUTION_WINDOW_MS = 10 * 60 * 1000;
const responseCodeOfReply = new WeakMap<FastifyReply, number>();

export class RequestLog {
  private readonly ring: RequestRecord[] = [];
  private readonly listeners = new Set<(record: RequestRecord) => void>();
  private readonly identitiesOfPeer = new Map<string, Map<string, number>>();

  constructor(private readonly capacity = 2000) {}

  /** The onSend hook body: keeps the responseCode of a failed API answer (the payload itself is not kept). */
  noteAnswer(request: FastifyRequest, reply: FastifyReply, payload: unknown): void {
    if (reply.statusCode < 400 || typeof payload !== 'string' || areaOf(request.url) !== 'api') return;
    const code = /^\{"responseCode":(\d+)/.exec(payload)?.[1];
    if (code !== undefined) responseCodeOfReply.set(reply, Number(code));
  }

  /** The onResponse hook body. */
  record(request: FastifyRequest, reply: FastifyReply): void {
    const area = areaOf(request.url);
    // The instructor's own page and its event stream would drown the class's traffic; progress reports
    // reach the class model directly and are no Handle traffic.
    if (area === 'admin' || area === 'lesson') return;
    const socket = request.raw.socket;
    const userAgent = request.headers['user-agent'];
    const peer = () => `${socket.remoteAddress ?? ''}|${typeof userAgent === 'string' ? userAgent : ''}`;
    let identity = request.identity;
    if (identity) {
      identityOfSocket.set(socket, identity);
      this.seenFrom(peer(), identity);
    } else if (area === 'hrls') {
      identity = identityOfSocket.get(socket) ?? this.onlyIdentityFrom(peer());
    }
    const entry: RequestRecord = {
      at: this.now(),
      method: request.method,
      area,
      path: pathOf(request.url).slice(0, 300),
      status: reply.statusCode,
      identity,
      responseCode: reply.statusCode >= 400 ? responseCodeOfReply.get(reply) : undefined,
      userAgent: typeof userAgent === 'string' ? userAgent.slice(0, 120) : undefined,
      cli: typeof userAgent === 'string' && CLI_AGENT.test(userAgent),
      search: area === 'hrls' && reply.statusCode === 200 ? searchOf(request.url) : undefined,
      planned: plannedLabel(request),
    };
    this.ring.push(entry);
    // Trimmed in batches: a splice per request would shift the whole ring on every answer.
    if (this.ring.length >= 2 * this.capacity) this.ring.splice(0, this.ring.length - this.capacity);
    for (const listener of this.listeners) listener(entry);
  }

  private clock = { ms: 0, iso: '' };

  /** The time as ISO text, made once per millisecond: a busy class answers many requests in each. */
  private now(): string {
    const ms = Date.now();
    if (ms !== this.clock.ms) this.clock = { ms, iso: new Date(ms).toISOString() };
    return this.clock.iso;
  }

  private seenFrom(peer: string, identity: string): void {
    const seen = this.identitiesOfPeer.get(peer) ?? new Map<string, number>();
    seen.set(identity, Date.now());
    this.identitiesOfPeer.set(peer, seen);
    if (this.identitiesOfPeer.size > 5000) this.identitiesOfPeer.delete(this.identitiesOfPeer.keys().next().value!);
  }

  private onlyIdentityFrom(peer: string): string | undefined {
    const seen = this.identitiesOfPeer.get(peer);
    if (!seen) return undefined;
    const since = Date.now() - ATTRIBUTION_WINDOW_MS;
    const recent = [...seen].filter(([, at]) => at >= since).map(([identity]) => identity.replace(/^\d+:/, '').toUpperCase());
    const distinct = new Set(recent);
    return distinct.size === 1 ? [...seen].filter(([, at]) => at >= since)[0]![0] : undefined;
  }

  recent(): RequestRecord[] {
    return this.ring.slice(-this.capacity);
  }

  clear(): void {
    this.ring.length = 0;
  }

  subscribe(listener: (record: RequestRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
