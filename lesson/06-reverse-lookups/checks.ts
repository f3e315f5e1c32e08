// Self-checks of chapter 6 (reverse look-ups): find a PID from its checksum, and count B2SAFE's replicas
import { lessonQuestion } from '../kit/question.js';
// with a wildcard search; answers are verified against the server's own search results.
import { lessonExercise } from '../kit/exercise.js';
import { withLessonReader } from '../kit/lesson.js';

// The file behind exercise 6.1: a B2SAFE original that was never replicated, so exactly one PID has its checksum.
const MYSTERY_FILE = 'irods://*/training01/portal_surveys/plot_04_captures.dat';

/**
 * The checksum a colleague sends you in exercise 6.1 (read from the server, so it fits whatever prefix it runs).
 * @example const colleaguesChecksum = await exercises.colleaguesChecksum();
 */
export async function colleaguesChecksum(): Promise<string> {
  return withLessonReader(async (client) => {
    const [pid] = await client.searchHandle({ URL: MYSTERY_FILE });
    if (pid === undefined) throw new Error('the B2SAFE example PIDs are missing on this server: is it the lesson mock server?');
    return String(await client.getValueFromHandle(pid, 'CHECKSUM'));
  });
}

export const pidOfChecksum = lessonExercise<string>({
  id: '6.1',
  name: 'pidOfChecksum',
  answer: {
    type: 'string',
    what: 'one PID, as a string',
    fromList: 'take one element, e.g. `result[0]`',
    fromObject: 'take its `.handle`',
    ifMissing:
      'the search found nothing, so `[0]` of its result is undefined. Search for `{ CHECKSUM: colleaguesChecksum }` ' +
      '(the variable, run the cell that sets it first) and print the result.',
  },
  title: 'Find the PID of a file from its checksum',
  needs: ['reverse-lookup'],
  check: async (pid) => {
    const wanted = await colleaguesChecksum();
    return withLessonReader(async (client) => {
      const record = await client.retrieveHandleRecordJson(pid);
      if (record === null) return `${pid} is not a PID on this server: search with { CHECKSUM: colleaguesChecksum } and take a hit`;
      const checksums = record.values.filter((v) => v.type === 'CHECKSUM' || v.type === 'EUDAT/CHECKSUM').map((v) => String(v.data.value));
      if (!checksums.includes(wanted)) {
        return `${pid} exists, but its checksum is ${checksums[0] ?? 'not set'}, not the colleague's ${wanted}`;
      }
      return true;
    });
  },
  hint: [
    'searchHandle takes the value to look for: `{ CHECKSUM: colleaguesChecksum }`. It returns a list of PIDs.',
    '`const checksumOwner = (await client.searchHandle({ CHECKSUM: colleaguesChecksum }))[0];`',
  ],
  solution: 'const checksumOwner = (await client.searchHandle({ CHECKSUM: colleaguesChecksum }))[0];',
});

export const replicaCount = lessonExercise<number>({
  id: '6.2',
  name: 'replicaCount',
  answer: {
    type: 'number',
    what: 'how many PIDs, as a number',
    fromObject: 'count the PIDs a search returns with `.length`',
    ifMissing: '`.length` belongs to the list a search returns: put `await` in front of searchHandle, in parentheses, then `.length`.',
  },
  title: 'How many B2SAFE PIDs are replicas?',
  needs: ['reverse-lookup'],
  check: async (count) => {
    return withLessonReader(async (client) => {
      const replicas = (await client.searchHandle({ URL: 'irods:*/replicas/*' })).length;
      const allIrods = (await client.searchHandle({ URL: 'irods:*' })).length;
      if (count === replicas) return true;
      if (count === allIrods) return `${count} counts every iRODS PID, originals too: put a wildcard before and after /replicas/`;
      return `the server knows a different number of replicas than ${count}: look for URLs with /replicas/ in the middle`;
    });
  },
  hint: [
    'A `*` may stand anywhere in the value, also in the middle: `irods:*/replicas/*`.',
    "`const numberOfReplicas = (await client.searchHandle({ URL: 'irods:*/replicas/*' })).length;`",
  ],
  solution: "const numberOfReplicas = (await client.searchHandle({ URL: 'irods:*/replicas/*' })).length;",
});

export const searchScope = lessonQuestion({
  id: 'Q6',
  name: 'searchScope',
  title: 'What a reverse look-up finds',
  options: {
    a: {
      text: 'The DOI, because DOIs are Handles',
      why: "DOIs are Handles, but the search reads only this server's database; the DOI is stored on another server.",
    },
    b: {
      text: 'Only PIDs stored on this server: not the DOI',
      why: "The search service reads one Handle server's database; there is no central index of values.",
    },
    c: {
      text: 'Every PID in the global Handle System with that checksum',
      why: 'The Handle System has thousands of servers and no index of values: a resolver can find a record only by its name.',
    },
    d: {
      text: 'An error: a checksum cannot be searched',
      why: '`CHECKSUM` is one of the searchable types, as the first search of this chapter showed.',
    },
  },
  answer: 'b',
});
