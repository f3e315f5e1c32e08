// Self-checks of chapter 8 (the command line): a PID created with `pid create --json`, the exit code of a
import { lessonQuestion } from '../kit/question.js';
// not-found read, and one bulk line that the check runs through `pid bulk` itself.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checksumOfUrl } from '../../src/checksum.js';
import { lessonExercise } from '../kit/exercise.js';
import { loadLessonCredentials, runPid, withLessonReader } from '../kit/lesson.js';

const WARM_UP_HANDLE = '11304/cf8956a2-39d3-11e5-8a18-f31aa6f4d448';

/** The data of the first value of `type` in a record, as text, or undefined. */
function valueOfType(record: { values: { type: string; data: { value: unknown } }[] }, type: string): string | undefined {
  const value = record.values.find((v) => v.type === type);
  return value === undefined ? undefined : String(value.data.value);
}

export const cliCreate = lessonExercise<string>({
  id: '8.1',
  name: 'cliCreate',
  answer: {
    type: 'string',
    what: 'the new handle, as a string',
    fromObject: 'parse its `.stdout` with `JSON.parse(…)` and take `.handle`',
    ifMissing: 'the parsed JSON has no field of that name: the new handle is in `.handle`. Print `JSON.parse(result.stdout)` to see its fields.',
  },
  title: 'Create a PID with checksum and TYPE in one pid command',
  needs: ['repository'],
  check: async (pid) => {
    if (pid.trim().startsWith('{')) return 'that is the whole JSON output: parse it with JSON.parse(…) and take its .handle';
    if (!pid.includes('/')) return `"${pid}" is not a handle (prefix/suffix): take the .handle field of the --json output`;
    const httpsVerify = loadLessonCredentials().httpsVerify;
    return withLessonReader(async (client, { surveysCsv }) => {
      const record = await client.retrieveHandleRecordJson(pid.trim());
      if (record === null) return `${pid} does not exist on the server: did the pid create command end with exit code 0?`;
      const url = valueOfType(record, 'URL');
      if (url !== surveysCsv) return `${pid} exists, but its URL is ${url ?? 'missing'}, not the survey file ${surveysCsv}`;
      const md5 = await checksumOfUrl(surveysCsv, 'md5', { httpsVerify });
      const checksum = valueOfType(record, 'CHECKSUM');
      if (checksum === undefined) return `${pid} has no CHECKSUM: add --checksum with the md5 of the file (the variable md5) to the same pid create command`;
      if (checksum !== md5) return `the CHECKSUM of ${pid} is ${checksum}, but the md5 of the file's bytes is ${md5}`;
      const type = valueOfType(record, 'TYPE');
      if (type !== 'file') return `${pid} has ${type === undefined ? 'no TYPE' : `TYPE = ${type}`}: add --extratype TYPE=file to the same command`;
      return true;
    });
  },
  hint: [
    '`pid create --help` lists `--checksum` next to `--extratype`; both can be given in one command. Pass each option and its value as separate strings in the array.',
    "`runPid(['create', urls.surveysCsv, '--checksum', md5, '--extratype', 'TYPE=file', '--json'])` returns { status, stdout, stderr }; the handle is `JSON.parse(result.stdout).handle`.",
  ],
  solution:
    "const createdInOneGo = runPid(['create', urls.surveysCsv, '--checksum', md5, '--extratype', 'TYPE=file', '--json']);\nconst cliPid = JSON.parse(createdInOneGo.stdout).handle;",
});

export const notFoundExitCode = lessonExercise<number>({
  id: '8.2',
  name: 'notFoundExitCode',
  answer: {
    type: 'number',
    what: 'the exit code, as a number',
    fromObject: 'take its `.status`',
    fromList: 'the exit code is one number: the `.status` of the result of one runPid call',
    ifMissing: 'the result of runPid has `status`, `stdout` and `stderr`: the exit code is `.status`.',
  },
  title: 'The exit code of a PID that does not exist',
  check: (code) => {
    if (code === 1) return true;
    if (code === 0)
      return 'exit code 0 means the read worked: the PID you read exists. Make up a suffix nobody used, e.g. `${cred.prefix}/this-pid-does-not-exist`';
    if (code === 2)
      return 'exit code 2 means the command itself is wrong (usage), e.g. a handle without prefix/suffix: read a well-formed name under your prefix';
    if (code === 3) return 'exit code 3 means the credentials were refused or not found: is PID_CREDENTIALS set (first cell)?';
    return `exit code ${code} is not what pid read gives for a missing PID: run it with runPid and take .status`;
  },
  hint: [
    "Build a name that cannot exist under your prefix, e.g. `${cred.prefix}/this-pid-does-not-exist`, and read it with `runPid(['read', name])`.",
    "`const notFoundExitCode = runPid(['read', cred.prefix + '/this-pid-does-not-exist']).status;`",
  ],
  solution: "const notFoundExitCode = runPid(['read', `${cred.prefix}/this-pid-does-not-exist`]).status;",
});

export const bulkReadLine = lessonExercise<string>({
  id: '8.3',
  name: 'bulkReadLine',
  answer: { type: 'string', what: 'one line of text (a string)', fromList: 'write one line: a string such as `READ ${warmUpHandle} URL`' },
  title: 'A bulk line that reads the URL of the warm-up Handle',
  needs: ['warm-up-records'],
  check: async (line) => {
    if (line.trim().includes('\n')) return 'write exactly one line: no line breaks';
    const [operation] = line.trim().split(/\s+/);
    if (operation?.toUpperCase() !== 'READ') return `a line that reads starts with READ, not "${operation}"`;
    const folder = mkdtempSync(join(tmpdir(), 'pid-check-'));
    try {
      const input = join(folder, 'operations.txt');
      const result = join(folder, 'results.txt');
      writeFileSync(input, `${line.trim()}\n`);
      const run = runPid(['bulk', '--input', input, '--result', result], { quiet: true });
      let answer = '';
      try {
        answer = readFileSync(result, 'utf8').trim();
      } catch {
        return `pid bulk could not run (exit code ${run.status}): ${run.stderr.trim()}`;
      }
      if (answer.startsWith('ERROR')) return `pid bulk reported: ${answer}`;
      const fields = answer.split(' ');
      const [, , handle, key, ...rest] = fields;
      if (handle?.toUpperCase() !== WARM_UP_HANDLE.toUpperCase())
        return `that line reads ${handle}, not the warm-up Handle ${WARM_UP_HANDLE} (use warmUpHandle)`;
      if (key === undefined || key.startsWith('[')) return 'that line reads the whole record: name the type you want after the handle';
      if (key !== 'URL') return `that line reads the ${key} value, not the URL`;
      const expected = String(await withLessonReader((client) => client.getValueFromHandle(WARM_UP_HANDLE, 'URL')));
      return rest.join(' ') === expected ? true : `the result line says ${rest.join(' ')}, but the URL is ${expected}`;
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  },
  hint: [
    'A bulk line is an operation name and its fields, separated by spaces: `READ HANDLE [KEY]`.',
    'Build the line with a template string: `READ ${warmUpHandle} URL`.',
  ],
  solution: 'const bulkLine = `READ ${warmUpHandle} URL`;',
});

export const deleteKeyPrediction = lessonQuestion({
  id: 'Q8',
  name: 'deleteKeyPrediction',
  title: 'Deleting one type',
  options: {
    a: {
      text: 'Nothing: the handle is gone',
      why: 'Only `pid delete <handle>` without `--key` deletes the whole handle; `--key` limits it to one type.',
    },
    b: {
      text: 'The handle with its other values, without `TYPE`',
      why: '`--key TYPE` deletes the values of that type and keeps the handle and everything else.',
    },
    c: {
      text: 'The handle with an empty `TYPE` value',
      why: 'A deleted value is removed from the record, not emptied.',
    },
    d: {
      text: 'An error: `pid` asks for a confirmation first',
      why: '`pid` is made for scripts and asks nothing: that is why deleting a whole handle has no undo.',
    },
  },
  answer: 'b',
});
