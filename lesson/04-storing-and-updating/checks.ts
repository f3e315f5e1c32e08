// Self-checks of chapter 4 (storing and updating): a CHECKSUM over the file's bytes, and a moved file.
import { lessonQuestion } from '../kit/question.js';
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { checksumOfUrl } from '../../src/checksum.js';
import { lessonExercise } from '../kit/exercise.js';
import { loadLessonCredentials, withLessonReader } from '../kit/lesson.js';

interface Facts {
  record: Record<string, string> | null;
  /** md5 of the bytes of the lesson's CSV file. */
  md5: string;
  surveysCsv: string;
}

/** The learner's record, read without credentials, and the md5 the CHECKSUM should hold. */
async function factsFor(pid: string): Promise<Facts> {
  const httpsVerify = loadLessonCredentials().httpsVerify;
  return withLessonReader(async (reader, urls) => {
    const record = await reader.retrieveHandleRecord(pid);
    const md5 = await checksumOfUrl(urls.surveysCsv, 'md5', { httpsVerify });
    return { record, md5, surveysCsv: urls.surveysCsv };
  });
}

/**
 * Whether a file: URL shows a home folder (this machine's, or any /home/…, /Users/…, /root): its path
 * names a person, and everything in a PID record is public.
 */
function revealsAHomeFolder(fileUrl: string): boolean {
  let path: string;
  try {
    path = decodeURIComponent(new URL(fileUrl).pathname);
  } catch {
    path = fileUrl;
  }
  const home = homedir().replace(/\\/g, '/');
  if (home.length > 1 && (path === home || path.startsWith(`${home}/`) || path.toLowerCase().startsWith(`/${home.toLowerCase()}/`))) return true;
  return /^\/(?:home|Users)\/[^/]+|^\/root(?:\/|$)|^\/[A-Za-z]:\/(?:Users|Documents and Settings)\//i.test(path);
}

/** What is wrong with the CHECKSUM of a record, or undefined when it is the md5 of the file's bytes. */
function checksumProblem(pid: string, facts: Facts): string | undefined {
  const stored = facts.record?.CHECKSUM;
  if (stored === undefined) return `${pid} has no CHECKSUM value yet: store it with modifyHandleValue(pid, { CHECKSUM: md5 })`;
  if (stored.toLowerCase() === facts.md5) return undefined;
  const md5OfText = (text: string) => createHash('md5').update(text).digest('hex');
  const url = facts.record?.URL ?? '';
  if ([facts.surveysCsv, url, 'surveys.csv', `${facts.surveysCsv.replace(/^https?:\/\/[^/]+/, '')}`].some((t) => md5OfText(t) === stored.toLowerCase())) {
    return "the CHECKSUM is the md5 of a path or URL string, the original lesson's mistake: hash the downloaded bytes instead";
  }
  if (!/^[0-9a-f]{32}$/i.test(stored)) return `the CHECKSUM "${stored}" is not an md5 (32 hex digits)`;
  return `the CHECKSUM ${stored} is not the md5 of surveys.csv's bytes: download through the PID and hash what you get`;
}

export const storeChecksum = lessonExercise<string>({
  id: '4.1',
  name: 'storeChecksum',
  answer: {
    type: 'string',
    what: 'the PID you stored the CHECKSUM in, as a string',
    fromObject: 'take its `.handle`, or keep the PID in a variable of its own',
    ifMissing: 'modifyHandleValue returns nothing: keep the PID from generateAndRegisterHandle and put that PID in the variable.',
  },
  title: 'Store the md5 of the bytes as CHECKSUM',
  needs: ['repository'],
  check: async (answer) => {
    const facts = await factsFor(answer);
    if (facts.record === null) return `${answer} is not registered: register a new PID for urls.surveysCsv first`;
    return checksumProblem(answer, facts) ?? true;
  },
  hint: [
    'Register: `await client.generateAndRegisterHandle(cred.prefix!, urls.surveysCsv)`.',
    "The md5 of the bytes you get through the PID: `await checksumOfUrl(urls.resolver + '/' + checksummedPid, 'md5', { httpsVerify: cred.config.HTTPS_verify })`.",
    'Store it: `await client.modifyHandleValue(checksummedPid, { CHECKSUM: md5 })`.',
  ],
  solution:
    "const checksummedPid = await client.generateAndRegisterHandle(cred.prefix!, urls.surveysCsv);\nconst md5OfMyDownload = await checksumOfUrl(`${urls.resolver}/${checksummedPid}`, 'md5', { httpsVerify: cred.config.HTTPS_verify });\nawait client.modifyHandleValue(checksummedPid, { CHECKSUM: md5OfMyDownload });",
});

export const moveToFileUrl = lessonExercise<string>({
  id: '4.2',
  name: 'moveToFileUrl',
  answer: {
    type: 'string',
    what: 'the PID whose URL you changed, as a string',
    fromObject: 'take its `.handle`, or use the PID itself (e.g. `checksummedPid`)',
    ifMissing: 'modifyHandleValue returns nothing: put the PID you changed in the variable, e.g. `const movedPid = checksummedPid;`.',
  },
  title: 'The file moved: a file: URL',
  needs: ['repository'],
  check: async (answer) => {
    const facts = await factsFor(answer);
    if (facts.record === null) return `${answer} is not registered`;
    const url = facts.record.URL ?? '';
    if (!url.startsWith('file:')) return `the URL of ${answer} is "${url}", not a file: URL. Change it with modifyHandleValue(pid, { URL: … })`;
    if (revealsAHomeFolder(url)) {
      return `the URL "${url}" names a home folder, and with it a user name, in a public record: use a neutral folder, e.g. file:///archive/surveys.csv`;
    }
    const problem = checksumProblem(answer, facts);
    if (problem !== undefined) {
      return facts.record.CHECKSUM === undefined
        ? `the URL is right, but ${answer} has no CHECKSUM: did you register it again instead of changing only the URL?`
        : `the URL is right, but: ${problem}`;
    }
    return true;
  },
  hint: [
    "A file: URL is `file://` followed by the path, e.g. `'file:///archive/surveys.csv'` (three slashes: the host is empty).",
    'Change only the URL: `await client.modifyHandleValue(movedPid, { URL: thatFileUrl })`; the CHECKSUM stays.',
  ],
  solution: "const movedPid = checksummedPid;\nawait client.modifyHandleValue(movedPid, { URL: 'file:///archive/surveys.csv' });",
});

export const storableValue = lessonQuestion({
  id: 'Q4',
  name: 'storableValue',
  title: 'What may go into a record',
  options: {
    a: {
      text: 'The e-mail address of the person who uploaded the file',
      why: 'Personal data: everything in a record is public and meant to last, so it cannot be taken back.',
    },
    b: {
      text: 'The password of the repository account, so scripts can fetch the file',
      why: 'A secret: any client without credentials reads every value, as the cell above showed.',
    },
    c: {
      text: "The file's MD5 checksum",
      why: 'A checksum says nothing about a person and lets anyone check that the bytes are the ones registered.',
    },
    d: {
      text: 'A `file:` URL in your home folder, e.g. `file:///home/anna/surveys.csv`',
      why: "A home folder's path holds your user name, and the record is public: use a neutral folder such as `/data`.",
    },
  },
  answer: 'c',
});
