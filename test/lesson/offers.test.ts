// The lesson kit's question "what does this server offer?" (lesson/kit/offers.ts), asked of real servers: the
// full mock offers every part, `pid-mock serve --plain` none, each refusal with its reason; a credentials file
// without a search account is told apart from a server without the search service; and an exercise that needs
// a missing part shows "Skipped on this server" with the reason, without calling its check.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lessonExercise } from '../../lesson/kit/exercise.js';
import { MISSING, NO_SEARCH_ACCOUNT, serverOffer, type ServerPart, warmUpOr, whenOffered } from '../../lesson/kit/offers.js';
import { setDisplay } from '../../lesson/kit/output.js';
import { type MockProcess, startMockProcess } from '../support/mock-process.js';
import { temporaryFolder } from '../support/temporary-folders.js';

const PARTS = Object.keys(MISSING) as ServerPart[];
let full: MockProcess;
let plain: MockProcess;
const savedCredentials = process.env.PID_CREDENTIALS;

before(async () => {
  [full, plain] = await Promise.all([startMockProcess(), startMockProcess({ plain: true })]);
});
after(async () => {
  setDisplay(null);
  if (savedCredentials === undefined) delete process.env.PID_CREDENTIALS;
  else process.env.PID_CREDENTIALS = savedCredentials;
  await Promise.all([full?.stop(), plain?.stop()]);
});

/** What console.log printed while `work` ran. */
async function printed(work: () => Promise<unknown>): Promise<string> {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => lines.push(args.join(' '));
  try {
    await work();
  } finally {
    console.log = original;
  }
  return lines.join('\n');
}

describe('serverOffer', () => {
  test('the full mock offers every part', async () => {
    process.env.PID_CREDENTIALS = full.credentialsFile;
    for (const part of PARTS) assert.deepEqual(await serverOffer(part), { offered: true }, part);
  });

  test('a plain server offers none, and says which part is missing and where the mock has it', async () => {
    process.env.PID_CREDENTIALS = plain.credentialsFile;
    for (const part of PARTS) assert.deepEqual(await serverOffer(part), { offered: false, reason: MISSING[part] }, part);
  });

  test('credentials without a search account are the reason, not the server', async () => {
    const config = JSON.parse(readFileSync(full.credentialsFile, 'utf8')) as Record<string, unknown>;
    delete config.reverselookup_username;
    delete config.reverselookup_password;
    // The mock writes absolute paths for the key, certificate and CA, so a copy elsewhere still finds them.
    const file = join(temporaryFolder('offers-credentials-'), 'cred_file.json');
    writeFileSync(file, JSON.stringify(config));
    process.env.PID_CREDENTIALS = file;
    assert.deepEqual(await serverOffer('reverse-lookup'), { offered: false, reason: NO_SEARCH_ACCOUNT });
  });

  test('whenOffered runs the work where the part is there, and prints the reason and what it skips where it is not', async () => {
    process.env.PID_CREDENTIALS = full.credentialsFile;
    let value: string | undefined;
    assert.equal(await printed(async () => (value = await whenOffered('repository', 'the download', () => 'ran'))), '');
    assert.equal(value, 'ran');
    process.env.PID_CREDENTIALS = plain.credentialsFile;
    let ran = false;
    const shown = await printed(async () => {
      value = await whenOffered(['warm-up-records', 'repository'], 'the download', () => {
        ran = true;
        return 'ran';
      });
    });
    assert.equal(ran, false);
    assert.equal(value, undefined);
    assert.equal(shown, `${MISSING['warm-up-records']}\nSkipping the download.`);
  });

  test('warmUpOr reads the warm-up PID on the mock and the given handle elsewhere, saying so', async () => {
    process.env.PID_CREDENTIALS = full.credentialsFile;
    assert.equal(await warmUpOr('11304/cf8956a2-39d3-11e5-8a18-f31aa6f4d448', '0.NA/21.T12995'), '11304/cf8956a2-39d3-11e5-8a18-f31aa6f4d448');
    process.env.PID_CREDENTIALS = plain.credentialsFile;
    let chosen = '';
    const shown = await printed(async () => (chosen = await warmUpOr('11304/cf8956a2-39d3-11e5-8a18-f31aa6f4d448', '0.NA/21.T12995')));
    assert.equal(chosen, '0.NA/21.T12995');
    assert.match(shown, /Reading 0\.NA\/21\.T12995 instead\.$/);
  });
});

describe('an exercise that needs a part', () => {
  const checked: string[] = [];
  const needsRepository = lessonExercise<string>({
    id: '9.9',
    name: 'needsRepository',
    title: 'Needs the stand-in repository',
    answer: { type: 'string', what: 'a string' },
    needs: ['repository'],
    check: (answer) => {
      checked.push(answer);
      return answer === 'right' || 'not right';
    },
    hint: 'none',
    solution: "const x = 'right';",
  });

  test('is checked as usual on the mock, and skipped with the reason on a plain server, its check not called', async () => {
    const shown: string[] = [];
    setDisplay(({ text }) => shown.push(text));
    process.env.PID_CREDENTIALS = full.credentialsFile;
    await needsRepository.check('right');
    assert.match(shown.at(-1) ?? '', /^✓ Correct/);
    assert.deepEqual(checked, ['right']);
    process.env.PID_CREDENTIALS = plain.credentialsFile;
    await needsRepository.check('right');
    const box = shown.at(-1) ?? '';
    assert.match(box, /^⤼ Skipped on this server — 9\.9 Needs the stand-in repository/);
    assert.ok(box.includes('This server has no stand-in data repository'), box);
    assert.match(box, /This exercise needs it, so it is not checked here/);
    assert.deepEqual(checked, ['right'], 'the check itself did not run');
  });
});
