// One trainee's heavy load, as its own process for fair-share.test.ts: reverse look-ups that return every
// record, and large writes, kept in flight until told to stop (SIGTERM); prints what it did as one JSON line.
// Settings come from the environment: HEAVY_URL, HEAVY_CA, HEAVY_AUTH (Basic, Handle identity),
// HEAVY_SEARCH_AUTH (Basic, search realm), HEAVY_PATTERN, HEAVY_HANDLES (comma-separated, the trainee's own).
import { Agent, request } from 'undici';

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

const base = env('HEAVY_URL');
const agent = new Agent({ connect: { ca: env('HEAVY_CA') }, connections: 16 });
const lookUp = `${base}/hrls/handles?URL=${encodeURIComponent(env('HEAVY_PATTERN')).replace(/%2A/g, '*')}&retrieverecords=true`;
const handles = env('HEAVY_HANDLES').split(',');
const LOOKUPS_IN_FLIGHT = 6;
const WRITES_IN_FLIGHT = 2;
const WRITE_BYTES = 500_000;

const done = { lookUps: 0, lookUpBytes: 0, writes: 0, busy: 0, other: 0 };
let stopping = false;
let announced = false;
/** The first heavy answer tells the test that the load is on. */
function started(): void {
  if (announced) return;
  announced = true;
  process.stdout.write('loaded\n');
}
process.once('SIGTERM', () => {
  stopping = true;
});

async function lookUps(): Promise<void> {
  while (!stopping) {
    const answer = await request(lookUp, { headers: { authorization: env('HEAVY_SEARCH_AUTH') }, dispatcher: agent });
    const body = Buffer.from(await answer.body.arrayBuffer());
    if (answer.statusCode === 200) {
      done.lookUps++;
      done.lookUpBytes += body.length;
      started();
    } else if (answer.statusCode === 503) {
      done.busy++;
    } else {
      done.other++;
    }
  }
}

async function writes(handle: string): Promise<void> {
  for (let n = 0; !stopping; n++) {
    const values = [
      { index: 1, type: 'URL', data: `https://example.org/heavy/${n}` },
      { index: 2, type: 'NOTE', data: String(n % 10).repeat(WRITE_BYTES) },
      {
        index: 100,
        type: 'HS_ADMIN',
        data: { format: 'admin', value: { handle: process.env.HEAVY_IDENTITY_HANDLE, index: 300, permissions: '011111110011' } },
      },
    ];
    const answer = await request(`${base}/api/handles/${handle}`, {
      method: 'PUT',
      headers: { authorization: env('HEAVY_AUTH'), 'content-type': 'application/json' },
      body: JSON.stringify({ values }),
      dispatcher: agent,
    });
    await answer.body.arrayBuffer();
    if (answer.statusCode === 200 || answer.statusCode === 201) {
      done.writes++;
      started();
    } else if (answer.statusCode === 503) done.busy++;
    else done.other++;
  }
}

async function main(): Promise<void> {
  await Promise.all([
    ...Array.from({ length: LOOKUPS_IN_FLIGHT }, () => lookUps()),
    ...Array.from({ length: WRITES_IN_FLIGHT }, (_, i) => writes(handles[i % handles.length]!)),
  ]);
  await agent.close();
  process.stdout.write(`${JSON.stringify(done)}\n`);
}

void main();
