// Replays a folder of real-server transcripts against the in-process mock servers, in recorded order and on
// one evolving state per server, and reports every mismatch and every documented difference it accepted.
import { Agent, type Dispatcher } from 'undici';
import { DIFFERENCES, type DifferenceId } from './differences.js';
import { compareCase, ReplayMemory, type AcceptedDifference, type ActualResponse, type Mismatch } from './compare.js';
import { loadTranscripts, type TranscriptCase } from './transcript.js';
import { startScenario, type Scenario } from './scenario.js';

export interface CaseResult {
  number: number;
  name: string;
  server: 'main' | 'variant';
  mismatches: Mismatch[];
  accepted: AcceptedDifference[];
}

export interface ReplayReport {
  results: CaseResult[];
  passed: number;
  failed: number;
}

const REQUEST_TIMEOUT_MS = 15_000;

interface Dispatchers {
  http: Agent;
  https: Agent;
  httpsWithCertificate: Agent;
}

function dispatchers(scenario: Scenario): Dispatchers {
  const timeouts = { headersTimeout: REQUEST_TIMEOUT_MS, bodyTimeout: REQUEST_TIMEOUT_MS };
  return {
    http: new Agent(timeouts),
    https: new Agent({ ...timeouts, connect: { ca: scenario.ca.certPem } }),
    // A separate pool, so a connection that presented the certificate never carries an anonymous case.
    httpsWithCertificate: new Agent({
      ...timeouts,
      connect: { ca: scenario.ca.certPem, cert: scenario.clientCertificate.certPem, key: scenario.clientCertificate.keyPem },
    }),
  };
}

/**
 * The recorder used curl, where `-H 'Name:'` (recorded as an empty value) removes a header curl would
 * otherwise add: case 48 sends no Content-Type at all, and the real server reports "null".
 */
function requestHeaders(recorded: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(recorded).filter(([, value]) => value !== ''));
}

function requestBody(body: unknown): string | undefined {
  if (body === null || body === undefined) return undefined;
  // Strings are sent as they are: that is how the broken-JSON case (45) was recorded.
  return typeof body === 'string' ? body : JSON.stringify(body);
}

async function send(entry: TranscriptCase, scenario: Scenario, agents: Dispatchers): Promise<ActualResponse> {
  const { request, meta } = entry.transcript;
  const server = entry.server === 'variant' ? scenario.variant : scenario.main;
  const https = meta.scheme === 'https';
  const agent = !https ? agents.http : meta.clientCertificate ? agents.httpsWithCertificate : agents.https;
  // Dispatcher.request takes `path` verbatim; undici's top-level request() would run it through new URL() first.
  const options: Dispatcher.RequestOptions = {
    origin: https ? server.httpsOrigin : server.httpOrigin,
    path: request.path,
    method: request.method as Dispatcher.HttpMethod,
    headers: requestHeaders(request.headers),
    body: requestBody(request.body) ?? null,
  };
  const response = await agent.request(options);
  const body = await response.body.text();
  return { status: response.statusCode, headers: response.headers, body, receivedAt: Date.now() };
}

/** Plays every `NN-*.json` of `folder`; starts (and stops) the scenario servers unless given running ones. */
export async function replayFolder(folder: string, options: { scenario?: Scenario } = {}): Promise<ReplayReport> {
  const cases = loadTranscripts(folder);
  const scenario = options.scenario ?? (await startScenario());
  const agents = dispatchers(scenario);
  const memory = new ReplayMemory();
  const results: CaseResult[] = [];
  try {
    for (const entry of cases) {
      const result: CaseResult = { number: entry.number, name: entry.name, server: entry.server, mismatches: [], accepted: [] };
      try {
        const comparison = compareCase(entry.transcript, await send(entry, scenario, agents), memory);
        result.mismatches.push(...comparison.mismatches);
        result.accepted.push(...comparison.accepted);
      } catch (error) {
        result.mismatches.push({ field: 'request', expected: `a ${entry.transcript.response.status} response`, actual: `failed: ${(error as Error).message}` });
      }
      results.push(result);
    }
  } finally {
    await Promise.allSettled([agents.http.close(), agents.https.close(), agents.httpsWithCertificate.close()]);
    if (!options.scenario) await scenario.close();
  }
  const failed = results.filter((r) => r.mismatches.length > 0).length;
  return { results, passed: results.length - failed, failed };
}

function caseLabel(result: CaseResult): string {
  return `${String(result.number).padStart(2, '0')} ${result.name}`;
}

/** Mismatch lines, the summary line, then the documented differences with the cases they were applied to. */
export function formatReport(report: ReplayReport): string {
  const lines: string[] = [];
  for (const result of report.results) {
    for (const m of result.mismatches) {
      lines.push(`MISMATCH ${caseLabel(result)} [${result.server}] ${m.field}: expected ${m.expected} | actual ${m.actual}`);
    }
  }
  lines.push(`conformance: ${report.passed} passed, ${report.failed} failed`);
  const applied = new Map<DifferenceId, Array<{ result: CaseResult; accepted: AcceptedDifference }>>();
  for (const result of report.results) {
    for (const accepted of result.accepted) {
      const list = applied.get(accepted.id) ?? [];
      list.push({ result, accepted });
      applied.set(accepted.id, list);
    }
  }
  lines.push('', 'documented differences (accepted; table in test/conformance/harness/differences.ts):');
  for (const [id, difference] of Object.entries(DIFFERENCES) as Array<[DifferenceId, (typeof DIFFERENCES)[DifferenceId]]>) {
    const uses = applied.get(id) ?? [];
    const cases = [...new Set(uses.map((u) => String(u.result.number).padStart(2, '0')))];
    lines.push(`- ${id}: ${difference.what}`);
    lines.push(`    why: ${difference.reason}`);
    lines.push(`    applied in ${cases.length ? `cases ${cases.join(', ')}` : 'no case'}`);
    // Where only the Java class chain was compared the replay says so case by case, with both texts.
    if (id === 'java-parser-wording' || id === 'explained-java-message') {
      for (const use of uses) lines.push(`    ${caseLabel(use.result)} ${use.accepted.field}: ${use.accepted.detail}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export function exitCodeOf(report: ReplayReport): 0 | 1 {
  return report.failed > 0 ? 1 : 0;
}
