// Chapter checks (lesson/NN-name/checks.ts) called as a notebook cell calls them, against a real
// `pid-mock serve` process, for answers the notebook runs do not try: a plausible but wrong PID must be
// judged wrong, with a message that names the mistake; a public record must not name a home folder.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as ch04 from '../../lesson/04-storing-and-updating/checks.js';
import * as ch05 from '../../lesson/05-linking/checks.js';
import { lessonUrls } from '../../lesson/kit/lesson.js';
import { setDisplay } from '../../lesson/kit/output.js';
import { checksumOfUrl } from '../../src/checksum.js';
import { HandleClient } from '../../src/client.js';
import { PIDClientCredentials } from '../../src/credentials.js';
import { startMockProcess, type MockProcess } from '../support/mock-process.js';

let server: MockProcess;
let client: HandleClient;
let cred: PIDClientCredentials;
const previousCredentials = process.env.PID_CREDENTIALS;

before(async () => {
  server = await startMockProcess();
  // The checks find the lesson's server as a notebook does: through PID_CREDENTIALS.
  process.env.PID_CREDENTIALS = server.credentialsFile;
  cred = PIDClientCredentials.loadFromJSON(server.credentialsFile);
  client = await HandleClient.withCredentials(cred);
});

after(async () => {
  await client?.close();
  await server?.stop();
  if (previousCredentials === undefined) delete process.env.PID_CREDENTIALS;
  else process.env.PID_CREDENTIALS = previousCredentials;
});

afterEach(() => {
  setDisplay(null);
});

/** The verdict box a check shows, as text (its first line says which box). */
async function verdictOf(check: () => Promise<void>): Promise<string> {
  const shown: string[] = [];
  setDisplay(({ text }) => shown.push(text));
  await check();
  setDisplay(null);
  assert.equal(shown.length, 1, `one verdict box: ${shown.join('\n---\n')}`);
  return shown[0]!;
}

describe('Exercise 5.2: the mirror belongs in B, the PID of the public copy', () => {
  test('the mirror added to A (the local copy) is judged wrong; to another PID of the public copy, wrong; to B, correct', async () => {
    const urls = lessonUrls(cred);
    const pidA = await client.generateAndRegisterHandle(cred.prefix!, 'file:///data/surveys.csv', { extraValues: { TYPE: 'file' } });
    const pidB = await client.generateAndRegisterHandle(cred.prefix!, urls.surveysCsv, { extraValues: { TYPE: 'file' } });
    const other = await client.generateAndRegisterHandle(cred.prefix!, urls.surveysCsv);
    await client.modifyHandleValue(pidA, { REPLICA: pidB });
    for (const pid of [pidA, other]) await client.addAdditionalUrl(pid, ch05.INSTITUTE_MIRROR, { weight: '0.5' });

    const onA = await verdictOf(() => ch05.instituteMirror.check(pidA));
    assert.match(onA, /^✗ Not quite — 5\.2/);
    assert.match(onA, /not to the public copy .*the mirror belongs in B's record \(pidB\), not in A's/);

    const onOther = await verdictOf(() => ch05.instituteMirror.check(other));
    assert.match(onOther, /^✗ Not quite — 5\.2/);
    assert.match(onOther, /is a PID of the public copy, but not B/);

    const onBWithout = await verdictOf(() => ch05.instituteMirror.check(pidB));
    assert.match(onBWithout, /^✗ Not quite — 5\.2/);
    assert.match(onBWithout, /does not list https:\/\/data\.my-institute\.example/);

    await client.addAdditionalUrl(pidB, ch05.INSTITUTE_MIRROR, { weight: '0.5' });
    assert.match(await verdictOf(() => ch05.instituteMirror.check(pidB)), /^✓ Correct — 5\.2/);
  });
});

describe('Exercise 4.2: a file: URL that names no home folder (the record is public)', () => {
  test("this machine's home folder, another /home/<name> or /Users/<name> is wrong; a neutral folder is correct", async () => {
    const urls = lessonUrls(cred);
    const md5 = await checksumOfUrl(urls.surveysCsv, 'md5', { httpsVerify: cred.httpsVerify });
    const movedPid = await client.generateAndRegisterHandle(cred.prefix!, urls.surveysCsv, { checksum: md5 });
    for (const revealing of [pathToFileURL(join(homedir(), 'surveys.csv')).href, 'file:///home/ada/surveys.csv', 'file:///Users/ada%20l/surveys.csv']) {
      await client.modifyHandleValue(movedPid, { URL: revealing });
      const verdict = await verdictOf(() => ch04.moveToFileUrl.check(movedPid));
      assert.match(verdict, /^✗ Not quite — 4\.2/, revealing);
      assert.match(verdict, /names a home folder, and with it a user name, in a public record: use a neutral folder, e\.g\. file:\/\/\/archive\/surveys\.csv/);
    }
    await client.modifyHandleValue(movedPid, { URL: 'file:///archive/surveys.csv' });
    assert.match(await verdictOf(() => ch04.moveToFileUrl.check(movedPid)), /^✓ Correct — 4\.2/);
  });
});
