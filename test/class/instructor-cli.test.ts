// The instructor's commands on the data folder of a running `pid-mock serve` process: class
// provision/list/revoke/add with their bundles, bad input (a clear message, exit code ≠ 0, nothing
// changed), and state export → reset → import giving back the same records, identities and history,
// by the CLI and by the admin API. Also the printable sheet's escaping and PID_MOCK_ADMIN_TOKEN.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'undici';
import { unzipSync, strFromU8 } from 'fflate';
import { launchBrowser } from '../support/browser.js';
import { basicHeader } from '../support/http.js';
import { startMockProcess, type MockProcess } from '../support/mock-process.js';
import { PID_MOCK_BIN, ROOT } from '../support/paths.js';
import { traineeSheet } from '../../mock-server/instructor/class/sheet.js';
import { adminTokenFromEnvironment } from '../../mock-server/instructor/admin-token.js';
import { startMockServer } from '../../mock-server/server.js';
import { parseValueInput } from '../../mock-server/handle/value-codec.js';
import { temporaryFolder } from '../support/temporary-folders.js';

const PREFIX = '21.T12995';
let server: MockProcess;
let work: string;
let agent: Agent;
let instructorAuth: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Promise<Run> {
  return new Promise((resolveRun) => {
    execFile(process.execPath, [PID_MOCK_BIN, ...args], { cwd: ROOT, timeout: 60_000 }, (error, stdout, stderr) => {
      resolveRun({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

async function http(method: string, path: string, options: { auth?: string; token?: string; body?: string } = {}) {
  const headers: Record<string, string> = {};
  if (options.auth) headers.authorization = options.auth;
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await request(`${server.httpsUrl}${path}`, {
    method: method as 'GET',
    headers,
    dispatcher: agent,
    ...(options.body !== undefined ? { body: options.body } : {}),
  });
  const text = await response.body.text();
  return { status: response.statusCode, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

async function authenticates(identity: string, password: string): Promise<boolean> {
  const result = await http('GET', '/api/sessions/this', { auth: basicHeader(identity, password) });
  return result.status === 200;
}

/** What "nothing changed" compares: the roster and the journal's length. */
async function snapshot(): Promise<string> {
  const list = await cli('class', 'list', '--json', '--data', server.dataDir);
  const events = (await http('GET', '/_admin/events?limit=10000', { token: server.adminToken })).json().events as unknown[];
  return `${list.stdout}\n${events.length}`;
}

before(async () => {
  server = await startMockProcess();
  work = temporaryFolder('pid-class-cli-');
  agent = new Agent({ connect: { ca: readFileSync(server.caFile, 'utf8') } });
  const instructor = JSON.parse(readFileSync(server.instructorCredentialsFile, 'utf8')) as { username: string; password: string };
  instructorAuth = basicHeader(instructor.username, instructor.password);
});

after(async () => {
  await agent?.close();
  await server?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('pid-mock class', () => {
  test('provision writes one bundle per trainee (folder with absolute paths, zip, sheet) while the server runs', async () => {
    const names = join(work, 'names.txt');
    writeFileSync(names, '# the Tuesday workshop\nalice\n\nbruno\n');
    const out = join(work, 'handouts');
    const run = await cli('class', 'provision', '--trainees', '2', '--names', names, '--data', server.dataDir, '--out', out);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /2 new, 0 already there/);
    for (const name of ['alice', 'bruno']) {
      const folder = join(out, `pid-handson-${name}`);
      const cred = JSON.parse(readFileSync(join(folder, 'cred_file.json'), 'utf8')) as Record<string, string>;
      assert.ok(isAbsolute(cred.private_key!) && existsSync(cred.private_key!), 'the key path is absolute and exists');
      assert.equal(cred.certificate_only, join(folder, `${name}_certificate_only.pem`));
      assert.equal(cred.handleowner, `0:${PREFIX}/${name}`);
      assert.equal(statSync(join(folder, `${name}_privkey.pem`)).mode & 0o077, 0, 'the private key is readable by its owner only');
      const basic = JSON.parse(readFileSync(join(folder, 'cred_basic.json'), 'utf8')) as Record<string, string>;
      assert.ok(await authenticates(basic.username!, basic.password!), `${name} authenticates on the running server`);
      const zip = unzipSync(new Uint8Array(readFileSync(`${folder}.zip`)));
      assert.ok(zip[`pid-handson-${name}/sheet.html`], 'the zip holds the sheet');
      assert.equal((JSON.parse(strFromU8(zip[`pid-handson-${name}/cred_file.json`]!)) as Record<string, string>).private_key, `./${name}_privkey.pem`);
      assert.match(readFileSync(join(folder, 'sheet.html'), 'utf8'), new RegExp(`301:${PREFIX.replace('.', '\\.')}/${name}`));
    }
    const again = await cli('class', 'provision', '--trainees', '2', '--names', names, '--data', server.dataDir, '--out', out);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /0 new, 2 already there/, 'provisioning again keeps the trainees and their secrets');
    const list = await cli('class', 'list', '--data', server.dataDir);
    assert.match(list.stdout, /alice\s+300:21\.T12995\/alice\s+301:21\.T12995\/alice\s+active/);
  });

  test('default names, revoke and add (restored with new secrets)', async () => {
    const out = join(work, 'default');
    const run = await cli('class', 'provision', '--trainees', '1', '--data', server.dataDir, '--out', out);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /TRAINEE01/);
    const old = JSON.parse(readFileSync(join(out, 'pid-handson-TRAINEE01', 'cred_basic.json'), 'utf8')) as Record<string, string>;
    assert.ok(await authenticates(old.username!, old.password!));
    const revoke = await cli('class', 'revoke', 'trainee01', '--data', server.dataDir);
    assert.equal(revoke.code, 0, revoke.stderr);
    assert.match(revoke.stdout, /revoked TRAINEE01/);
    assert.equal(await authenticates(old.username!, old.password!), false, 'a revoked password no longer authenticates');
    const add = await cli('class', 'add', 'TRAINEE01', '--data', server.dataDir, '--out', out);
    assert.equal(add.code, 0, add.stderr);
    const renewed = JSON.parse(readFileSync(join(out, 'pid-handson-TRAINEE01', 'cred_basic.json'), 'utf8')) as Record<string, string>;
    assert.notEqual(renewed.password, old.password);
    assert.ok(await authenticates(renewed.username!, renewed.password!), 'the restored trainee authenticates with the new password');
    assert.equal(await authenticates(old.username!, old.password!), false, 'the old bundle stays dead');
  });

  test('bad input: a clear message, exit code ≠ 0, nothing changed', async () => {
    const dup = join(work, 'dup.txt');
    writeFileSync(dup, 'zoe\nZOE\n');
    const badName = join(work, 'bad.txt');
    writeFileSync(badName, 'ok1\n<script>\n');
    const two = join(work, 'two.txt');
    writeFileSync(two, 'p1\np2\n');
    const before = await snapshot();
    const cases: Array<[string[], RegExp]> = [
      [['class', 'provision', '--trainees', '0'], /at least 1/],
      [['class', 'provision', '--trainees', '-4'], /at least 1/],
      [['class', 'provision', '--trainees', '501'], /at most 500/],
      [['class', 'provision', '--trainees', 'thirty'], /whole number/],
      [['class', 'provision', '--trainees', '2', '--names', dup], /"ZOE" is given twice/],
      [['class', 'provision', '--trainees', '2', '--names', badName], /trainee name "<script>" is not allowed/],
      [['class', 'provision', '--trainees', '3', '--names', two], /--trainees 3 but .* holds 2 names/],
      [['class', 'provision', '--trainees', '1', '--names', join(work, 'missing.txt')], /cannot read the names file/],
      [['class', 'provision', '--trainees', '1', '--prefix', '99.NOPE'], /prefix "99.NOPE" is not homed/],
      [['class', 'revoke', 'nobody'], /no trainee named "nobody"/],
      [['class', 'add', 'alice'], /"alice" already exists/],
      [['class', 'add', 'bad/name'], /trainee name "bad\/name" is not allowed/],
      [['state', 'import', join(work, 'missing.json')], /cannot read/],
    ];
    for (const [args, message] of cases) {
      const run = await cli(...args, '--data', server.dataDir);
      assert.notEqual(run.code, 0, `${args.join(' ')} fails`);
      assert.match(run.stderr, message, args.join(' '));
      assert.ok(!/\n\s+at /.test(run.stderr), `${args.join(' ')}: no stack trace`);
    }
    const noFolder = await cli('class', 'list', '--data', join(work, 'not-a-data-folder'));
    assert.notEqual(noFolder.code, 0);
    assert.match(noFolder.stderr, /is not a pid-mock data folder yet/);
    assert.equal(await snapshot(), before, 'nothing changed');
  });
});

describe('pid-mock state', () => {
  test('export → reset → import gives back the same records, identities and history', async () => {
    const trainee = JSON.parse(readFileSync(join(work, 'handouts', 'pid-handson-alice', 'cred_basic.json'), 'utf8')) as Record<string, string>;
    const handle = `${PREFIX}/alice-${randomUUID()}`;
    const made = await http('PUT', `/api/handles/${handle}`, {
      auth: basicHeader(trainee.username!, trainee.password!),
      body: JSON.stringify({ values: [{ index: 1, type: 'URL', data: 'https://example.org/a' }] }),
    });
    assert.equal(made.status, 201, made.text);
    const file = join(work, 'state.json');
    const exported = await cli('state', 'export', file, '--data', server.dataDir);
    assert.equal(exported.code, 0, exported.stderr);
    const first = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    assert.equal(first.format, 'pid-handson-state');
    assert.equal(first.version, 1);
    assert.ok(!readFileSync(file, 'utf8').includes(server.adminToken), 'the admin token is not exported');
    const created = (first.events as Array<{ handle: string; after?: Array<{ type: string }> }>).find((e) => e.handle.toLowerCase() === handle.toLowerCase());
    assert.deepEqual(
      created?.after?.map((v) => v.type),
      ['URL'],
      'the journal keeps the values the history page shows',
    );

    const reset = await cli('state', 'reset', '--data', server.dataDir);
    assert.equal(reset.code, 0, reset.stderr);
    assert.equal((await http('GET', `/api/handles/${handle}`)).status, 404, 'the reset removed the handle');
    assert.ok(await authenticates(trainee.username!, trainee.password!), 'identities survive a reset');

    // Broken files change nothing.
    const afterReset = await cli('state', 'export', join(work, 'after-reset.json'), '--data', server.dataDir);
    assert.equal(afterReset.code, 0);
    const broken: Array<[string, RegExp]> = [
      ['{"format": "pid-handson-state", "version": 1, "handles": [', /not valid JSON/],
      [JSON.stringify({ ...first, version: 2 }), /version 2 is not supported/],
      [JSON.stringify({ ...first, format: 'something-else' }), /not a pid-handson state file/],
      [JSON.stringify({ ...first, handles: [{ handle: 'x/y', values: [{ index: 'one' }] }] }), /handles\[0\]\.values\[0\]\.index/],
      [JSON.stringify({ ...first, provisioning: { ...(first.provisioning as object), trainees: 'all' } }), /provisioning\.trainees/],
    ];
    for (const [text, message] of broken) {
      const path = join(work, `broken-${randomUUID()}.json`);
      writeFileSync(path, text);
      const run = await cli('state', 'import', path, '--data', server.dataDir);
      assert.notEqual(run.code, 0);
      assert.match(run.stderr, message);
    }
    const unchanged = await cli('state', 'export', join(work, 'unchanged.json'), '--data', server.dataDir);
    assert.equal(unchanged.code, 0);
    const strip = (path: string) => ({ ...(JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>), exportedAt: '' });
    assert.deepEqual(strip(join(work, 'unchanged.json')), strip(join(work, 'after-reset.json')), 'broken files changed nothing');

    const imported = await cli('state', 'import', file, '--data', server.dataDir);
    assert.equal(imported.code, 0, imported.stderr);
    const back = await cli('state', 'export', join(work, 'back.json'), '--data', server.dataDir);
    assert.equal(back.code, 0);
    assert.deepEqual(strip(join(work, 'back.json')), strip(file), 'the same records, identities and journal');
    const record = await http('GET', `/api/handles/${handle}`);
    assert.equal(record.status, 200, 'the handle is back');
    assert.ok(await authenticates(trainee.username!, trainee.password!));
    const history = (await http('GET', `/_admin/events?handle=${encodeURIComponent(handle)}`, { token: server.adminToken })).json().events as Array<{
      actor: string;
      action: string;
    }>;
    assert.deepEqual(
      history.map((e) => [e.actor, e.action]),
      [[trainee.username, 'create']],
      'the history is back',
    );
  });

  test('GET and PUT /_admin/state: the same round trip through the admin API, broken uploads refused Handle-style', async () => {
    const got = await http('GET', '/_admin/state', { token: server.adminToken });
    assert.equal(got.status, 200);
    const state = got.json();
    assert.equal(state.format, 'pid-handson-state');
    const refused = await http('PUT', '/_admin/state', { token: server.adminToken, body: JSON.stringify({ ...state, version: 99 }) });
    assert.equal(refused.status, 400);
    assert.equal(refused.json().responseCode, 202);
    assert.match(String(refused.json().message), /version 99/);
    const unreadable = await http('PUT', '/_admin/state', { token: server.adminToken, body: '{"format":' });
    assert.equal(unreadable.status, 400);
    assert.equal(typeof unreadable.json().responseCode, 'number');
    const wrongToken = await http('PUT', '/_admin/state', { token: 'x'.repeat(20), body: JSON.stringify(state) });
    assert.equal(wrongToken.status, 403);
    const extra = `${PREFIX}/api-${randomUUID()}`;
    assert.equal(
      (
        await http('PUT', `/api/handles/${extra}`, {
          auth: instructorAuth,
          body: JSON.stringify({ values: [{ index: 1, type: 'URL', data: 'https://example.org/x' }] }),
        })
      ).status,
      201,
    );
    const put = await http('PUT', '/_admin/state', { token: server.adminToken, body: JSON.stringify(state) });
    assert.equal(put.status, 200, put.text);
    assert.equal((await http('GET', `/api/handles/${extra}`)).status, 404, 'the import replaced the state');
    const again = (await http('GET', '/_admin/state', { token: server.adminToken })).json();
    assert.deepEqual({ ...again, exportedAt: '' }, { ...state, exportedAt: '' });
  });
});

describe('migration, admin token and sheet', () => {
  test('a data folder from before isolation gets instructor-only identity handles at its next start', async () => {
    const dataDir = temporaryFolder('pid-class-migrate-');
    const identityHandle = `${PREFIX}/USER01`;
    const adminOf = async (running: Awaited<ReturnType<typeof startMockServer>>) => {
      const result = await running.app.inject({ method: 'GET', url: `/api/handles/${identityHandle}` });
      const values = (result.json() as { values: Array<{ type: string; data: { value: { handle: string; index: number } } }> }).values;
      const admin = values.find((v) => v.type === 'HS_ADMIN')!.data.value;
      return `${admin.index}:${admin.handle}`;
    };
    try {
      const first = await startMockServer({ host: '127.0.0.1', port: 0, dataDir, prefixes: [PREFIX], logger: false });
      // USER01's identity handle as older versions wrote it: administered by the prefix's admin group.
      const groupAdmin = parseValueInput(
        { index: 100, type: 'HS_ADMIN', data: { format: 'admin', value: { handle: `0.NA/${PREFIX}`, index: 200, permissions: '011111110011' } } },
        'old HS_ADMIN',
      );
      first.store.putValues(identityHandle, [{ ...groupAdmin, timestamp: 1 }], { actor: 'old pid-mock', action: 'add-values' });
      assert.equal(await adminOf(first), `200:0.NA/${PREFIX}`);
      await first.close();
      const second = await startMockServer({ host: '127.0.0.1', port: 0, dataDir, prefixes: [PREFIX], logger: false });
      const migrated = second.store.events({ handle: identityHandle }).length;
      try {
        assert.equal(await adminOf(second), `300:0.NA/${PREFIX}`, 'now the instructor alone');
        assert.equal(second.store.events({ handle: identityHandle }).at(-1)!.actor, 'pid-mock migration');
      } finally {
        await second.close();
      }
      const third = await startMockServer({ host: '127.0.0.1', port: 0, dataDir, prefixes: [PREFIX], logger: false });
      try {
        assert.equal(third.store.events({ handle: identityHandle }).length, migrated, 'a folder that is already current is left alone');
      } finally {
        await third.close();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  test('PID_MOCK_ADMIN_TOKEN is checked, and a server started with it answers only to it', async () => {
    assert.equal(adminTokenFromEnvironment({}), undefined);
    assert.throws(() => adminTokenFromEnvironment({ PID_MOCK_ADMIN_TOKEN: 'short' }), /at least 16 characters/);
    assert.throws(() => adminTokenFromEnvironment({ PID_MOCK_ADMIN_TOKEN: 'with a space in it ok' }), /spaces/);
    const token = 'k8s-secret-token-0123456789';
    assert.equal(adminTokenFromEnvironment({ PID_MOCK_ADMIN_TOKEN: token }), token);
    const running = await startMockServer({ host: '127.0.0.1', port: 0, memory: true, prefixes: [PREFIX], logger: false, adminToken: token });
    try {
      const own = readFileSync(join(running.instructorDir, 'admin-token'), 'utf8').trim();
      assert.equal(own, token, 'the token file says which token is in force');
      const ok = await running.app.inject({ method: 'GET', url: '/_admin/class/trainees', headers: { authorization: `Bearer ${token}` } });
      assert.equal(ok.statusCode, 200);
      const stored = await running.app.inject({
        method: 'GET',
        url: '/_admin/class/trainees',
        headers: { authorization: `Bearer ${running.state.adminToken}` },
      });
      assert.equal(stored.statusCode, 403, "the data folder's own token is not accepted then");
      const login = await running.app.inject({ method: 'GET', url: '/_admin/live' });
      assert.match(login.body, new RegExp(`<code id="token-source">${join(running.instructorDir, 'admin-token')}</code>`), 'the login page names the file');
    } finally {
      await running.close();
    }
    // Under npm run class the token lives in the class folder's class.json (PID_MOCK_ADMIN_TOKEN_SOURCE).
    const hub = await startMockServer({
      host: '127.0.0.1',
      port: 0,
      memory: true,
      prefixes: [PREFIX],
      logger: false,
      adminToken: token,
      adminTokenSource: '/srv/class/class.json ("adminToken") <&>',
    });
    try {
      const login = await hub.app.inject({ method: 'GET', url: '/_admin/board' });
      assert.match(login.body, /<code id="token-source">\/srv\/class\/class\.json \(&quot;adminToken&quot;\) &lt;&amp;&gt;<\/code>/);
      assert.match(login.body, /<input type="hidden" name="next" value="\/_admin\/board">/);
    } finally {
      await hub.close();
    }
  });

  test('the sheet of a real bundle prints on one A4 page in headless Chromium, with no script running', async () => {
    const browser = await launchBrowser();
    try {
      const page = await browser.context.newPage();
      await page.goto(`file://${join(work, 'handouts', 'pid-handson-alice', 'sheet.html')}`);
      assert.equal(await page.locator('h1').textContent(), 'pid-handson — alice');
      assert.equal(await page.locator('script').count(), 0);
      const pdf = (await page.pdf({ format: 'A4', preferCSSPageSize: true })).toString('latin1');
      const pages = pdf.match(/\/Type\s*\/Page[^s]/g) ?? [];
      assert.equal(pages.length, 1, 'one A4 page');
    } finally {
      await browser.close();
    }
  });

  test('the sheet escapes every value it shows', () => {
    const evil = '<img src=x onerror="alert(1)">\'"&';
    const html = traineeSheet(
      { name: evil, passwordIdentity: `300:${PREFIX}/${evil}`, certificateIdentity: `301:${PREFIX}/${evil}`, password: 'p', publicKeyJwk: { n: 'n', e: 'e' } },
      { httpsUrl: `https://h"><script>x</script>`, httpUrl: 'http://h' },
      { folder: `/tmp/${evil}`, keyFile: `${evil}_privkey.pem` },
    );
    assert.ok(!html.includes('<img') && !html.includes('<script>x'), 'no markup from values');
    assert.ok(html.includes('&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#39;&quot;&amp;') || html.includes('&lt;img'), 'values appear escaped');
    assert.ok(!html.includes('p</code>'), 'the password is not printed');
  });
});
