// Self-checks of chapter 5 (linking two files): a REPLICA link both ways, a mirror in 10320/LOC, and
import { lessonQuestion } from '../kit/question.js';
// following B2SAFE's EUDAT/REPLICA to a replica's location.
import { parseLocations } from '../../src/loc10320.js';
import { lessonExercise } from '../kit/exercise.js';
import { withLessonReader } from '../kit/lesson.js';
import type { HandleRecordJson } from '../../src/types.js';
import { serverOffers } from '../kit/offers.js';

/** The made-up mirror of exercise 5.2 (the class is offline: the resolver only names it, nobody downloads from it). */
export const INSTITUTE_MIRROR = 'https://data.my-institute.example/portal/surveys.csv';

function valueOfType(record: HandleRecordJson, type: string): string | undefined {
  const value = record.values.find((v) => v.type === type)?.data.value;
  return typeof value === 'string' ? value : undefined;
}

const samePid = (a: string, b: string) => a.trim().toUpperCase() === b.trim().toUpperCase();

export const linkBack = lessonExercise<string>({
  id: '5.1',
  name: 'linkBack',
  answer: {
    type: 'string',
    what: 'one PID (pidB), as a string',
    fromObject: 'take its `.handle`, or use the variable `pidB` itself',
    ifMissing: 'modifyHandleValue returns nothing: put the PID you changed in the variable, e.g. `const linkedBothWays = pidB;`.',
  },
  title: 'Link the two copies both ways',
  check: async (pid) => {
    return withLessonReader(async (client) => {
      const record = await client.retrieveHandleRecordJson(pid);
      if (record === null) return `${pid} does not exist on the server: put the PID of the public copy (pidB) in the variable`;
      const replica = valueOfType(record, 'REPLICA');
      if (replica === undefined) return `${pid} has no REPLICA value yet: store REPLICA = pidA in it with modifyHandleValue`;
      if (samePid(replica, pid)) return `the REPLICA of ${pid} points at itself: it should name the other copy (pidA)`;
      const other = await client.retrieveHandleRecordJson(replica);
      if (other === null) return `REPLICA of ${pid} is "${replica}", which is not a PID on this server`;
      const back = valueOfType(other, 'REPLICA');
      if (back === undefined || !samePid(back, pid)) {
        return `${pid} names ${replica} as its replica, but ${replica} does not name ${pid} back: did you put pidA in the variable instead of pidB?`;
      }
      return true;
    });
  },
  hint: [
    'The link from A to B already exists. Now B needs a REPLICA value that names A.',
    '`await client.modifyHandleValue(pidB, { REPLICA: pidA })`, then `const linkedBothWays = pidB;`',
  ],
  solution: 'await client.modifyHandleValue(pidB, { REPLICA: pidA });\nconst linkedBothWays = pidB;',
});

export const instituteMirror = lessonExercise<string>({
  id: '5.2',
  name: 'instituteMirror',
  answer: {
    type: 'string',
    what: 'one PID (pidB), as a string',
    fromObject: 'take its `.handle`, or use the variable `pidB` itself',
    ifMissing: 'addAdditionalUrl returns nothing: put the PID you changed in the variable, e.g. `const mirroredPid = pidB;`.',
  },
  title: 'Add a mirror to the 10320/LOC of the public copy',
  check: async (pid) => {
    return withLessonReader(async (client, urls) => {
      const record = await client.retrieveHandleRecordJson(pid);
      if (record === null) return `${pid} does not exist on the server: put the PID of the public copy (pidB) in the variable`;
      // The mirror copies the public file: it belongs in B, the PID of the public copy that A's REPLICA names.
      const url = valueOfType(record, 'URL');
      if (url !== urls.surveysCsv) {
        return `${pid} points to ${url ?? 'nothing'}, not to the public copy ${urls.surveysCsv}: the mirror belongs in B's record (pidB), not in A's`;
      }
      // Without a reverse look-up (a plain Handle server) the check cannot ask which record names it.
      if ((await serverOffers('reverse-lookup')) && (await client.searchHandle({ REPLICA: pid })).length === 0) {
        return `${pid} is a PID of the public copy, but not B: no record names it as its REPLICA. Use pidB, the PID that A's REPLICA names`;
      }
      if (!(await client.isUrlContainedIn10320Loc(pid, INSTITUTE_MIRROR, record))) {
        return `the 10320/LOC of ${pid} does not list ${INSTITUTE_MIRROR} (spelled exactly like that): add it with addAdditionalUrl`;
      }
      const loc = record.values.find((v) => v.type.toUpperCase() === '10320/LOC');
      const location = parseLocations(String(loc?.data.value ?? '')).find((l) => l.href === INSTITUTE_MIRROR);
      if (location?.attributes.weight === undefined || Number(location.attributes.weight) !== 0.5) {
        return `the mirror is listed, but its weight is ${location?.attributes.weight ?? 'not set'}: pass { weight: '0.5' } as the third argument`;
      }
      return true;
    });
  },
  hint: [
    'addAdditionalUrl takes the PID, the URL(s), and optional attributes such as the weight.',
    "`await client.addAdditionalUrl(pidB, exercises.INSTITUTE_MIRROR, { weight: '0.5' })`, then `const mirroredPid = pidB;`",
  ],
  solution: "await client.addAdditionalUrl(pidB, exercises.INSTITUTE_MIRROR, { weight: '0.5' });\nconst mirroredPid = pidB;",
});

export const climateReplica = lessonExercise<string>({
  id: '5.3',
  name: 'climateReplica',
  answer: {
    type: 'string',
    what: 'the URL of the replica, as a string',
    fromObject: "ask only for the URL value: `await client.getValueFromHandle(replicaPid, 'URL')`",
    ifMissing:
      'getValueFromHandle gives null when the record has no value of the type you named: ' +
      "the link is `'EUDAT/REPLICA'` in climateOriginal's record, the address is `'URL'` in the replica's.",
  },
  title: 'Follow EUDAT/REPLICA to the replica of a climate file',
  needs: ['reverse-lookup'],
  check: async (url) => {
    if (!/^irods:\/\//.test(url)) return `"${url}" is not an iRODS location: B2SAFE's URLs start with irods://`;
    return withLessonReader(async (client) => {
      const hits = await client.searchHandle({ URL: url });
      if (hits.length === 0) return `no PID on the server has URL = ${url}: copy the URL value of the replica's record exactly`;
      const record = await client.retrieveHandleRecordJson(hits[0]!);
      const parent = record ? valueOfType(record, 'EUDAT/PARENT') : undefined;
      if (parent === undefined) return 'that is the URL of an original (its record has no EUDAT/PARENT): follow its EUDAT/REPLICA to the copy';
      const original = await client.retrieveHandleRecordJson(parent);
      const originalUrl = original ? (valueOfType(original, 'URL') ?? '') : '';
      if (!originalUrl.includes('/climate/cmip5_subset/')) {
        return 'that is a replica, but of another collection: start from climateOriginal, the climate file chosen above';
      }
      return true;
    });
  },
  hint: [
    'Two steps: read EUDAT/REPLICA of climateOriginal (a PID), then read the URL of that PID.',
    "`const replicaPid = await client.getValueFromHandle(climateOriginal, 'EUDAT/REPLICA') as string;` then `getValueFromHandle(replicaPid, 'URL')`",
  ],
  solution:
    "const replicaPid = (await client.getValueFromHandle(climateOriginal, 'EUDAT/REPLICA')) as string;\nconst climateReplicaUrl = (await client.getValueFromHandle(replicaPid, 'URL')) as string;",
});

export const mirrorPrediction = lessonQuestion({
  id: 'Q5',
  name: 'mirrorPrediction',
  title: 'Where the resolver sends you',
  options: {
    a: {
      text: 'Always to the public copy, the `URL` value',
      why: 'Once a record has a `10320/LOC`, the resolver chooses among its `<location>`s and gives the plain `URL` a weight of 0.',
    },
    b: {
      text: 'Always to the mirror',
      why: 'The resolver chooses among the `<location>`s of `10320/LOC`, and the mirror is the only one; the `URL` value gets weight 0.',
    },
    c: {
      text: 'To the mirror about one time in five, else the public copy',
      why: 'The weight is relative to the other `<location>`s, and the `URL` value is not one of them: 0.2 of 0.2 is always.',
    },
    d: {
      text: 'An error, because the record has two places',
      why: 'Several locations are what `10320/LOC` is for: the resolver picks one and redirects.',
    },
  },
  answer: 'b',
});
