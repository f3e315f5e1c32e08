// A process of simulated trainees for section 4: reads its share of the class (JSON on stdin), runs
// the lesson's sequence for each trainee over HTTPS with think time, and writes every operation's
// latency and every error as JSON on stdout. Run as its own process so the class's client work
// (TLS handshakes, undici, JSON) neither shares the server's cores' event loop with the orchestration
// nor adds the orchestrating process's own pauses to the measured latencies.
import { Agent, request } from 'undici';
import { basicHeader } from '../../test/support/http.js';

export const OPERATIONS = ['register', 'modify 1', 'modify 2', 'resolve', 'download', 'search', 'update URL', 'link'] as const;
export type Operation = (typeof OPERATIONS)[number];

export interface TraineeShare {
  httpUrl: string;
  httpsUrl: string;
  ca: string;
  prefix: string;
  /** The reverse look-up realm's Authorization header. */
  searchAuthorization: string;
  thinkMs: [number, number];
  trainees: Array<{ identity: string; password: string; n: number }>;
}

export interface ShareResult {
  samples: Record<Operation, number[]>;
  errors: string[];
}

async function runShare(share: TraineeShare): Promise<ShareResult> {
  const samples = Object.fromEntries(OPERATIONS.map((o) => [o, [] as number[]])) as Record<Operation, number[]>;
  const errors: string[] = [];
  const { prefix } = share;
  const think = () => new Promise((r) => setTimeout(r, share.thinkMs[0] + Math.random() * (share.thinkMs[1] - share.thinkMs[0])));

  const lesson = async (trainee: TraineeShare['trainees'][number]) => {
    // Each trainee's kernel has its own connection, as in a real class.
    const agent = new Agent({ connect: { ca: share.ca }, connections: 1 });
    const auth = basicHeader(trainee.identity, trainee.password);
    const api = (handle: string, query = '') => `${share.httpsUrl}/api/handles/${handle}${query}`;
    const step = async (
      operation: Operation,
      url: string,
      init: { method?: 'GET' | 'PUT'; headers?: Record<string, string>; body?: unknown },
      expected: number[],
    ) => {
      await think();
      const started = performance.now();
      try {
        const response = await request(url, {
          method: init.method ?? 'GET',
          headers: { ...(init.headers ?? {}), ...(init.body ? { 'content-type': 'application/json' } : {}) },
          ...(init.body ? { body: JSON.stringify(init.body) } : {}),
          dispatcher: agent,
        });
        const text = await response.body.text();
        samples[operation].push(performance.now() - started);
        if (!expected.includes(response.statusCode)) errors.push(`${trainee.identity} ${operation}: ${response.statusCode} ${text.slice(0, 120)}`);
      } catch (error) {
        errors.push(`${trainee.identity} ${operation}: ${(error as Error).message}`);
      }
    };
    const n = trainee.n;
    const handle = `${prefix}/CLASS-${n}-${Date.now().toString(36)}`;
    const writer = { authorization: auth };
    const checksum = `md5:${n.toString(16).padStart(32, '0')}`;
    const admin = {
      index: 100,
      type: 'HS_ADMIN',
      data: { format: 'admin', value: { handle: trainee.identity.split(':')[1], index: 300, permissions: '011111110011' } },
    };
    try {
      await step(
        'register',
        api(handle, '?overwrite=false'),
        { method: 'PUT', headers: writer, body: { values: [admin, { index: 1, type: 'URL', data: `${share.httpUrl}/files/surveys.csv` }] } },
        [201],
      );
      await step(
        'modify 1',
        api(handle, '?index=2'),
        { method: 'PUT', headers: writer, body: { values: [{ index: 2, type: 'CHECKSUM', data: checksum }] } },
        [201],
      );
      await step(
        'modify 2',
        api(handle, '?index=3'),
        { method: 'PUT', headers: writer, body: { values: [{ index: 3, type: 'TITLE', data: `Survey results of trainee ${n}` }] } },
        [201],
      );
      await step('resolve', api(handle), {}, [200]);
      await step('download', `${share.httpUrl}/files/surveys.csv`, {}, [200]);
      await step(
        'search',
        `${share.httpsUrl}/hrls/handles?CHECKSUM=${encodeURIComponent(checksum)}`,
        { headers: { authorization: share.searchAuthorization } },
        [200],
      );
      await step(
        'update URL',
        api(handle, '?index=1'),
        { method: 'PUT', headers: writer, body: { values: [{ index: 1, type: 'URL', data: `file:///home/trainee${n}/surveys.csv` }] } },
        [200],
      );
      await step(
        'link',
        api(handle, '?index=4'),
        { method: 'PUT', headers: writer, body: { values: [{ index: 4, type: 'IsPartOf', data: `${prefix}/CLASS-COLLECTION` }] } },
        [201],
      );
    } finally {
      await agent.close();
    }
  };

  await Promise.all(share.trainees.map(lesson));
  return { samples, errors };
}

if (require.main === module) {
  let input = '';
  process.stdin.setEncoding('utf8').on('data', (chunk: string) => (input += chunk));
  process.stdin.on('end', () => {
    runShare(JSON.parse(input) as TraineeShare).then(
      (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
      (error: Error) => {
        process.stderr.write(`trainees: ${error.stack ?? error.message}\n`);
        process.exit(1);
      },
    );
  });
}
