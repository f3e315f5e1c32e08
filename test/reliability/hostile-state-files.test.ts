// Issue 21, finding 7: hostile or inconsistent state files. Each is made from a real export of a running
// `pid-mock serve` with one field spoiled, then sent through both doors: `PUT /_admin/state` must answer
// 400 in a Handle envelope naming the field, `pid-mock state import` must exit 2 with the same words on
// stderr and no stack trace, and neither may change anything: the export before and after is the same,
// the key files in credentials/ are the same, and no file appears next to the data folder (the
// `../../victim` trainee once wrote its key files there).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { runCliOutcome, spawnServer, type ServerProcess } from '../support/mock-process.js';
import { PREFIX } from '../support/mock-server.js';
import { removeTemporaryFolder, temporaryFolder } from '../support/temporary-folders.js';

// biome-ignore lint/suspicious/noExplicitAny: the tests walk parsed state files field by field, as JSON
type Json = Record<string, any>;

let parent: string;
let dataDir: string;
/** The files handed to `pid-mock state import`, kept away from the data folder's neighbours. */
let files: string;
let server: ServerProcess;
let exported: Json;
/** Where a trainee named `../../victim` would have its key written: beside the data folder. */
let victimKey: string;

const cli = (...args: string[]) => runCliOutcome(args);

async function admin(method: 'GET' | 'PUT', body?: string): Promise<{ status: number; json: Json }> {
  const response = await request(`${server.httpsUrl}/_admin/state`, {
    method,
    headers: { authorization: `Bearer ${server.adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body }),
    dispatcher: server.agent,
  });
  return { status: response.statusCode, json: (await response.body.json()) as Json };
}

/** Everything an import could change: the export (time aside), the key files, the folder's neighbours. */
async function snapshot(): Promise<string> {
  const state = (await admin('GET')).json;
  const credentials = join(dataDir, 'credentials');
  const files = readdirSync(credentials)
    .sort()
    .map((name) => `${name}:${readFileSync(join(credentials, name), 'utf8')}`);
  return canonical({ state: { ...state, exportedAt: '' }, files, beside: readdirSync(parent).sort(), victim: readFileSync(victimKey, 'utf8') });
}

/** JSON with every object's keys sorted, so two equal states give one text whatever order fields were stored in. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Json).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}

/** Equal snapshots, or a failure that names the first difference instead of printing two whole states. */
function assertUnchanged(after: string, before: string, what: string): void {
  if (after === before) return;
  let at = 0;
  while (after[at] === before[at]) at++;
  assert.fail(`${what}: the state differs at …${before.slice(Math.max(0, at - 80), at + 80)}… (now …${after.slice(Math.max(0, at - 80), at + 80)}…)`);
}

function copy(): Json {
  return structuredClone(exported);
}

function withFirst(list: Json[], change: (item: Json) => void): Json[] {
  change(list[0]!);
  return list;
}

/** The export with one thing spoiled, as JSON text; `field` is the path the refusal must name. */
interface HostileFile {
  kind: string;
  text: () => string;
  field: RegExp;
}

const url = (file: Json) => file.handles.findIndex((h: Json) => h.values.some((v: Json) => v.type === 'URL'));

const HOSTILE: HostileFile[] = [
  {
    kind: 'an empty handle name',
    text: () => JSON.stringify({ ...copy(), handles: withFirst(copy().handles, (h) => (h.handle = '')) }),
    field: /handles\[0\]\.handle: a handle name must not be empty/,
  },
  {
    kind: 'a handle name without a slash',
    text: () => JSON.stringify({ ...copy(), handles: withFirst(copy().handles, (h) => (h.handle = 'NOSLASH')) }),
    field: /handles\[0\]\.handle: handle name "NOSLASH" must be prefix\/suffix/,
  },
  {
    kind: 'a NUL in a handle name',
    text: () => JSON.stringify({ ...copy(), handles: withFirst(copy().handles, (h) => (h.handle = `${PREFIX}/a\u0000b`)) }),
    field: /handles\[0\]\.handle: .*control character/,
  },
  {
    kind: 'data that is not base64',
    text: () => {
      const file = copy();
      file.handles[url(file)].values[0].data = '%% not base64 %%';
      return JSON.stringify(file);
    },
    field: /handles\[\d+\]\.values\[0\]\.data: must be the value bytes in base64/,
  },
  {
    kind: 'index 2^40',
    text: () => {
      const file = copy();
      file.handles[url(file)].values[0].index = 2 ** 40;
      return JSON.stringify(file);
    },
    field: /handles\[\d+\]\.values\[0\]\.index: a value index is a whole number from 1 to 2147483647/,
  },
  {
    kind: 'a garbage identity',
    text: () => {
      const file = copy();
      file.provisioning.trainees[0].passwordIdentity = 'garbage';
      return JSON.stringify(file);
    },
    field: /provisioning\.trainees\[0\]\.passwordIdentity: identity "garbage" must be index:handle/,
  },
  {
    kind: 'a garbage server admin identity',
    text: () => {
      const file = copy();
      file.provisioning.serverAdmins = ['300:'];
      return JSON.stringify(file);
    },
    field: /provisioning\.serverAdmins\[0\]: identity "300:"/,
  },
  {
    kind: 'a garbage public key',
    text: () => {
      const file = copy();
      file.provisioning.trainees[0].publicKeyJwk = { n: 'garbage', e: 'AQAB' };
      return JSON.stringify(file);
    },
    field: /provisioning\.trainees\[0\]\.publicKeyJwk(\.n)?: is not an RSA public key/,
  },
  {
    kind: 'a garbage private key',
    text: () => {
      const file = copy();
      file.provisioning.trainees[1].privateKeyPem = '-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----\n';
      return JSON.stringify(file);
    },
    field: /provisioning\.trainees\[1\]\.privateKeyPem: is not a private key in PEM form/,
  },
  {
    kind: "another trainee's certificate",
    text: () => {
      const file = copy();
      file.provisioning.trainees[1].certificatePem = file.provisioning.trainees[0].certificatePem;
      return JSON.stringify(file);
    },
    field: /provisioning\.trainees\[1\]\.certificatePem: certifies another key than publicKeyJwk/,
  },
  {
    kind: 'a trainee twice',
    text: () => {
      const file = copy();
      file.provisioning.trainees.push({ ...file.provisioning.trainees[1], name: file.provisioning.trainees[1].name.toUpperCase() });
      return JSON.stringify(file);
    },
    field: /provisioning\.trainees\[2\]\.name: trainee ALICE is given twice \(also \[1\]\)/,
  },
  {
    kind: 'a __proto__ key',
    text: () => JSON.stringify(copy()).replace('"hrlsUsers":{', '"hrlsUsers":{"__proto__":{"polluted":"yes"},'),
    field: /provisioning\.hrlsUsers\.__proto__: the key "__proto__" is not allowed/,
  },
  {
    kind: 'a constructor key',
    text: () => JSON.stringify(copy()).replace('"instructor":{', '"instructor":{"constructor":{"prototype":{"polluted":"yes"}},'),
    field: /provisioning\.instructor\.constructor: the key "constructor" is not allowed/,
  },
  {
    kind: 'prefixes: []',
    text: () => JSON.stringify({ ...copy(), prefixes: [] }),
    field: /prefixes: at least one homed prefix/,
  },
  {
    kind: 'provisioning.prefixes: []',
    text: () => JSON.stringify({ ...copy(), provisioning: { ...copy().provisioning, prefixes: [] } }),
    field: /provisioning\.prefixes: at least one prefix/,
  },
  {
    kind: 'a journal entry id twice',
    text: () => {
      const file = copy();
      file.events[1].id = file.events[0].id;
      return JSON.stringify(file);
    },
    field: /events\[1\]\.id: journal entry id \d+ is given twice \(also \[0\]\)/,
  },
  {
    kind: 'a trainee on a prefix the file does not home',
    text: () => {
      const file = copy();
      const t = file.provisioning.trainees[1];
      t.passwordIdentity = `300:99.NOPE/${t.name}`;
      return JSON.stringify(file);
    },
    field: /provisioning\.trainees\[1\]\.passwordIdentity: 300:99\.NOPE\/alice is not an identity of trainee alice/,
  },
  {
    kind: 'a trainee named ../../victim (path traversal)',
    text: () => {
      const file = copy();
      const t = file.provisioning.trainees[0];
      // USER01's key files exist, so an unchecked import would write over the victim's beside the folder.
      Object.assign(t, {
        name: '../../victim',
        passwordIdentity: `300:${PREFIX}/../../victim`,
        certificateIdentity: `301:${PREFIX}/../../victim`,
        privateKeyPem: file.provisioning.trainees[1].privateKeyPem,
        certificatePem: file.provisioning.trainees[1].certificatePem,
        publicKeyJwk: file.provisioning.trainees[1].publicKeyJwk,
      });
      return JSON.stringify(file);
    },
    field: /provisioning\.trainees\[0\]\.name: is not a trainee name/,
  },
];

describe('hostile state files (issue 21, finding 7)', () => {
  before(async () => {
    parent = temporaryFolder('pid-mock-hostile-state-');
    files = temporaryFolder('pid-mock-hostile-files-');
    dataDir = join(parent, 'data');
    server = await spawnServer(dataDir);
    const added = await cli('class', 'add', 'alice', '--data', dataDir);
    assert.equal(added.code, 0, added.stderr);
    victimKey = join(parent, 'victim_privkey.pem');
    // A file that an unchecked import would overwrite: it must stay as it is.
    writeFileSync(victimKey, 'not yours\n');
    exported = (await admin('GET')).json;
    assert.equal(exported.provisioning.trainees.length, 2, 'USER01 and alice');
  });
  after(async () => {
    await server?.kill('SIGTERM');
    if (parent) removeTemporaryFolder(parent);
    if (files) removeTemporaryFolder(files);
  });

  test('the unspoiled export imports through both doors (the checks accept what the server writes)', async () => {
    const before = await snapshot();
    const put = await admin('PUT', JSON.stringify(exported));
    assert.equal(put.status, 200, JSON.stringify(put.json));
    const path = join(files, 'clean.json');
    writeFileSync(path, JSON.stringify(exported));
    const run = await cli('state', 'import', path, '--data', dataDir);
    assert.equal(run.code, 0, run.stderr);
    assertUnchanged(await snapshot(), before, 'importing the same file gives the same state');
  });

  for (const hostile of HOSTILE) {
    test(`${hostile.kind}: 400 naming the field, CLI exit 2, nothing changes`, async () => {
      const before = await snapshot();
      const text = hostile.text();
      const put = await admin('PUT', text);
      assert.equal(put.status, 400, `PUT /_admin/state: ${JSON.stringify(put.json)}`);
      assert.equal(put.json.responseCode, 202, 'a Handle envelope: invalid value');
      assert.match(String(put.json.message), hostile.field);
      assertUnchanged(await snapshot(), before, 'PUT changed nothing');

      const path = join(files, 'hostile.json');
      writeFileSync(path, text);
      const run = await cli('state', 'import', path, '--data', dataDir);
      assert.equal(run.code, 2, `pid-mock state import exits 2: ${run.stderr}`);
      assert.match(run.stderr, hostile.field);
      assert.match(run.stderr, /^pid-mock: /);
      assert.ok(!/\n\s+at /.test(run.stderr), 'no stack trace');
      assertUnchanged(await snapshot(), before, 'the CLI changed nothing');
      assert.equal(({} as Json).polluted, undefined, 'no prototype was touched in the test process either');
    });
  }

  test('a server answering after all of them still serves the trainees it had', async () => {
    const response = await request(`${server.httpsUrl}/api/handles/${PREFIX}/hostile-after?overwrite=false`, {
      method: 'PUT',
      headers: { authorization: server.traineeAuthorization, 'content-type': 'application/json' },
      body: JSON.stringify({ values: [{ index: 1, type: 'URL', data: 'https://example.org/' }] }),
      dispatcher: server.agent,
    });
    await response.body.text();
    assert.equal(response.statusCode, 201);
  });
});
