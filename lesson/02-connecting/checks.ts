// Self-checks of chapter 2 (connecting): identities in the credentials and a client that only reads.
import { lessonQuestion } from '../kit/question.js';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { lessonExercise } from '../kit/exercise.js';
import { loadLessonCredentials, withLessonReader } from '../kit/lesson.js';

const WARMUP_HANDLE = '11304/cf8956a2-39d3-11e5-8a18-f31aa6f4d448';

/** The identity in the subject of the lesson's client certificate, e.g. 301:21.T12995/USER01. */
function certificateIdentity(): string | undefined {
  const path = loadLessonCredentials().config.certificate_only;
  if (path === undefined) return undefined;
  return /CN=(.+)/.exec(new X509Certificate(readFileSync(path)).subject)?.[1];
}

export const passwordIdentity = lessonExercise<string>({
  id: '2.1',
  name: 'passwordIdentity',
  answer: {
    type: 'string',
    what: 'the identity (index:handle) as a string',
    fromObject: 'take its `.username`',
    ifMissing:
      'the credentials you read have no username. `cred` holds the certificate credentials, which have none: ' +
      "load the password ones with `loadLessonCredentials('password')` and take their `.username`.",
  },
  title: 'The identity of the password credentials',
  check: (answer) => {
    const expected = loadLessonCredentials('password').username;
    if (answer.trim() === expected) return true;
    if (answer.trim() === certificateIdentity())
      return `"${answer}" is the certificate's identity (its HS_PUBKEY); the password file names another index of the same handle`;
    if (!/^\d+:[^/]+\/.+$/.test(answer.trim()))
      return `"${answer}" is not an identity: an identity is index:handle, the index of a value, a colon, then the handle that holds it`;
    return `"${answer}" is not the username in cred_basic.json: load the password credentials and read their username`;
  },
  hint: ["Load the password variant with `loadLessonCredentials('password')`.", "The identity is the credentials' `username` property."],
  solution: "const passwordIdentity = loadLessonCredentials('password').username;",
});

export const warmUpUrl = lessonExercise<string>({
  id: '2.2',
  name: 'warmUpUrl',
  answer: {
    type: 'string',
    what: 'the URL value as a string',
    fromObject: "ask only for the URL value: `getValueFromHandle(warmUpHandle, 'URL')`, wrapped in `String(…)`",
    ifMissing: "getValueFromHandle gives null when the record has no value of the type you named: the type is `'URL'`, in capitals.",
  },
  title: 'Read a URL with a read-only client',
  needs: ['warm-up-records'],
  check: async (answer) => {
    return withLessonReader(async (reader) => {
      const expected = await reader.getValueFromHandle(WARMUP_HANDLE, 'URL');
      return answer === expected ? true : `the URL value of ${WARMUP_HANDLE} is not "${answer}": ask the client for the value of type URL`;
    });
  },
  hint: [
    'A client without credentials: `HandleClient.forReadAccess(urls.server, { httpsVerify: cred.config.HTTPS_verify })`.',
    "`await myReader.getValueFromHandle(warmUpHandle, 'URL')` gives the value; wrap it in `String(...)`, then `await myReader.close()`.",
  ],
  solution:
    "const myReader = HandleClient.forReadAccess(urls.server, { httpsVerify: cred.config.HTTPS_verify });\nconst warmUpUrl = String(await myReader.getValueFromHandle(warmUpHandle, 'URL'));\nawait myReader.close();",
});

export const refusalReason = lessonQuestion({
  id: 'Q2',
  name: 'refusalReason',
  title: 'Why the change was refused',
  options: {
    a: {
      text: 'Nobody may ever change the warm-up Handle',
      why: 'The record can be changed, by an identity that `HS_ADMIN` allows: the refusal came before any permission was looked at.',
    },
    b: {
      text: 'The client has no identity, so it cannot prove it may change the record',
      why: 'Reading is public, but every change needs an identity: the client without credentials refuses to send it (the server would answer 401).',
    },
    c: {
      text: 'Reading records also needs credentials, so the client could not even find it',
      why: 'Reading needs no identity: PID records are public, and this client reads them perfectly well.',
    },
    d: {
      text: 'The server was unreachable',
      why: 'An unreachable server gives a connection error with its own hint; this was a `HandleAuthenticationError`, about who you are.',
    },
  },
  answer: 'b',
});
