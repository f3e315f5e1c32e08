// Self-checks of chapter 7 (under the hood): the status of a refused overwrite, and reading an HS_ADMIN
import { lessonQuestion } from '../kit/question.js';
// permission string.
import { lessonExercise } from '../kit/exercise.js';
import { hsAdminPermissions } from '../../src/permissions.js';

export const overwriteFalseStatus = lessonExercise<number>({
  id: '7.1',
  name: 'overwriteFalseStatus',
  answer: {
    type: 'number',
    what: 'the HTTP status, as a number',
    fromObject: 'take its `.status`',
    fromList: 'the status is one number: the `.status` of the one answer of `send(…)`',
    ifMissing: 'without `await`, `send(…)` is a Promise, which has no `.status`: write `(await send(…)).status`.',
  },
  title: 'The status of a second PUT with ?overwrite=false',
  check: (status) => {
    if (status === 409) return true;
    if (status === 200) return '200 means the record was replaced: did the URL really end in `?overwrite=false`?';
    if (status === 201) return '201 means a new handle was created: send the PUT to the PID that already exists (`pid`)';
    if (status === 401 || status === 403)
      return `${status} is an authentication or permission answer: send the request with \`certificateWrite\` headers over HTTPS`;
    return `${status} is not what the server answers to a second PUT with ?overwrite=false: run the request and keep its status`;
  },
  hint: [
    'Send exactly the first PUT again, with `?overwrite=false` appended to the URL, and keep the `status` of the answer.',
    "`const secondPutStatus = (await send('PUT', `${api}/${pid}?overwrite=false`, { headers: certificateWrite, body: recordBody })).status;`",
  ],
  solution: "const secondPutStatus = (await send('PUT', `${api}/${pid}?overwrite=false`, { headers: certificateWrite, body: recordBody })).status;",
});

const DEFAULT_PERMISSIONS = '011111110011';
const ALL_PERMISSIONS = hsAdminPermissions('111111111111');

export const lackingPermissions = lessonExercise<string[]>({
  id: '7.2',
  name: 'lackingPermissions',
  answer: { type: 'string[]', what: 'a list of permission names, e.g. `["add handle"]`' },
  title: 'What the default HS_ADMIN permissions leave out',
  check: (answer) => {
    const given = answer.map((name) => String(name).trim().toLowerCase());
    const unknown = given.filter((name) => !ALL_PERMISSIONS.includes(name));
    if (unknown.length) return `not a permission name: ${unknown.join(', ')}. Use the names printed by decodePermissions`;
    const granted = hsAdminPermissions(DEFAULT_PERMISSIONS);
    const wronglyListed = given.filter((name) => granted.includes(name));
    if (wronglyListed.length) return `${DEFAULT_PERMISSIONS} does grant ${wronglyListed.join(', ')}: a 1 means granted`;
    const lacking = ALL_PERMISSIONS.filter((name) => !granted.includes(name));
    const missing = lacking.filter((name) => !given.includes(name));
    if (missing.length) return `${missing.length} more bit(s) are 0; look again at every position that holds a 0`;
    return true;
  },
  hint: [
    "Run `decodePermissions('011111110011')` and collect the names of the bits that are 0.",
    "`PERMISSION_NAMES.filter((_, position) => '011111110011'[position] === '0')`",
  ],
  solution: "const lacking = PERMISSION_NAMES.filter((_, position) => '011111110011'[position] === '0');",
});

export const secondPutPrediction = lessonQuestion({
  id: 'Q7',
  name: 'secondPutPrediction',
  title: 'The same PUT twice',
  options: {
    a: {
      text: '201 Created: a second record',
      why: 'A Handle names one record: a second PUT to the same name cannot add another one.',
    },
    b: {
      text: '409 Conflict: the handle exists',
      why: 'That is what `?overwrite=false` asks for; without it the REST API does not refuse.',
    },
    c: {
      text: '200 OK: the record is replaced',
      why: 'Overwriting is the default of the REST API: the record existed and is replaced.',
    },
    d: {
      text: '401: only the first PUT is authorised',
      why: 'The same certificate authorises every request; nothing limits it to one write.',
    },
  },
  answer: 'c',
});
