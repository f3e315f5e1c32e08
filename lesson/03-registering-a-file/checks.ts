// Self-checks of chapter 3 (registering a file): a new v4 PID for the CSV, and the download's file name.
import { lessonQuestion } from '../kit/question.js';
import { lessonExercise } from '../kit/exercise.js';
import { lessonUrls, loadLessonCredentials, withLessonReader } from '../kit/lesson.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const UUID_ANY = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const registerCsv = lessonExercise<string>({
  id: '3.1',
  name: 'registerCsv',
  answer: {
    type: 'string',
    what: 'one PID, as a string',
    fromObject: 'take its `.handle`, or keep the PID you registered in a variable of its own',
    ifMissing:
      'registerHandle and generateAndRegisterHandle return the PID: keep what they return (with `await` in front), ' +
      'not the result of a call that returns nothing, such as modifyHandleValue.',
  },
  title: 'Register the CSV under a new version-4 PID',
  check: async (answer) => {
    const cred = loadLessonCredentials();
    const urls = lessonUrls(cred);
    const slash = answer.indexOf('/');
    if (slash < 1) return `"${answer}" is not a PID: a PID is prefix/suffix`;
    const prefix = answer.slice(0, slash);
    const suffix = answer.slice(slash + 1);
    if (prefix.toUpperCase() !== String(cred.prefix).toUpperCase()) return `the PID must start with your prefix ${cred.prefix}/, not ${prefix}/`;
    if (!UUID_V4.test(suffix)) {
      return UUID_ANY.test(suffix)
        ? `the suffix is a version-${suffix[14]} UUID; use a version-4 one (generatePidName without options)`
        : `the suffix "${suffix}" is not a UUID: use generatePidName(cred.prefix)`;
    }
    return withLessonReader(async (reader) => {
      const record = await reader.retrieveHandleRecord(answer);
      if (record === null) return `${answer} is not registered yet: call registerHandle (or use generateAndRegisterHandle)`;
      if (record.URL !== urls.surveysCsv) return `${answer} points at ${record.URL ?? 'nothing'}, not at the CSV file (urls.surveysCsv)`;
      return true;
    });
  },
  hint: [
    'A new name: `client.generatePidName(cred.prefix)`; then `await client.registerHandle(name, urls.surveysCsv)`.',
    'Or in one call: `const myPid = await client.generateAndRegisterHandle(cred.prefix!, urls.surveysCsv);`',
  ],
  solution: 'const myPid = await client.generateAndRegisterHandle(cred.prefix!, urls.surveysCsv);',
});

export const downloadName = lessonExercise<string>({
  id: '3.2',
  name: 'downloadName',
  answer: {
    type: 'string',
    what: 'the file name, as a string',
    fromObject: "read one header of the response: `response.headers.get('content-disposition')`, then take out the file name",
    ifMissing:
      'the regular expression found no file name, or there was no Content-Disposition header to search. ' +
      'Fetch the resolver URL of a PID of the CSV (method HEAD) and print the header to see what it holds.',
  },
  title: 'The file name of the download',
  needs: ['repository'],
  check: async (answer) => {
    const urls = lessonUrls(loadLessonCredentials());
    const response = await fetch(urls.surveysCsv, { method: 'HEAD' });
    const expected = /filename="?([^";]+)"?/.exec(response.headers.get('content-disposition') ?? '')?.[1];
    if (answer === expected) return true;
    if (UUID_ANY.test(answer)) return `"${answer}" is the PID's suffix: that is what plain wget or curl -O call it. A browser reads Content-Disposition`;
    if (/attachment|filename/i.test(answer)) return `"${answer}" is (part of) the whole header: take out only the value of filename`;
    return `a browser would not call it "${answer}": read the filename in the Content-Disposition header`;
  },
  hint: [
    "Fetch the resolver URL of your PID and read `response.headers.get('content-disposition')`.",
    'The header looks like `attachment; filename="…"`: take the part between the quotes, e.g. with `/filename="?([^";]+)"?/.exec(header)?.[1]`.',
  ],
  solution:
    "const disposition = (await fetch(`${urls.resolver}/${pid}`, { method: 'HEAD' })).headers.get('content-disposition') ?? '';\nconst downloadName = /filename=\"?([^\";]+)\"?/.exec(disposition)?.[1];",
});

export const secondRegistration = lessonQuestion({
  id: 'Q3',
  name: 'secondRegistration',
  title: 'Registering the same PID again',
  options: {
    a: {
      text: 'A second record with the same PID is created',
      why: 'A PID names exactly one record: the server keeps one record per name, never two.',
    },
    b: {
      text: 'The old record is silently replaced',
      why: 'The client asks with `?overwrite=false`, so the server refuses; replacing needs `overwrite: true`, said on purpose.',
    },
    c: {
      text: 'An error, `HandleAlreadyExistsError`, and nothing changes',
      why: 'The server finds the PID taken and answers 409 (Handle `responseCode 101`) without changing the record.',
    },
    d: {
      text: 'The server gives the PID a new suffix',
      why: "The suffix is chosen by the prefix's owner (you): a Handle server never renames a PID.",
    },
  },
  answer: 'c',
});
