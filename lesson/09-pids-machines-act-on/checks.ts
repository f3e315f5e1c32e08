// Self-checks of chapter 9 (PIDs that machines act on): the mandatory attributes of a Kernel Information
// Profile, read from the Data Type Registry, and a refused typed record fixed and registered.
import { HandleError } from '../../src/errors.js';
import type { TypedRecord } from '../../src/typed-records.js';
import { lessonExercise } from '../kit/exercise.js';
import { withLessonReader } from '../kit/lesson.js';
import { lessonQuestion } from '../kit/question.js';

/** The profiles and attribute types the chapter uses, under their PIDs in the ePIC test DTR (the mock serves them). */
export const KIP = {
  helmholtz: '21.T11148/b9b76f887845e32d29f7',
  rda: '21.T11148/0c5636e4d82b88f86132',
} as const;

export const TYPES = {
  kernelInformationProfile: '21.T11148/076759916209e5d62bd5',
  digitalObjectType: '21.T11148/1c699a5d1b4ad3ba4956',
  digitalObjectLocation: '21.T11148/b8457812905b83046284',
  dateCreated: '21.T11148/aafd5fb4c7222e2d950a',
  license: '21.T11148/2f314c8fe5fb6a0063a8',
  checksum: '21.T11148/82e2503c49209e987740',
  version: '21.T11148/c692273deb2772da307f',
} as const;

/** The version the refused record of exercise 9.2 carries: it tells its fix from the record registered before it. */
export const BROKEN_VERSION = '2.0.0';

const PID_LIKE = /^[^\s/]+\/\S+$/;

export const rdaRequired = lessonExercise<string[]>({
  id: '9.1',
  name: 'rdaRequired',
  answer: {
    type: 'string[]',
    what: 'a list of attribute names, e.g. `["kernelInformationProfile", …]`',
    fromObject: 'take its `.attributes`, keep the mandatory ones with `.filter(…)` and their names with `.map(…)`',
    ifMissing: 'a type definition has `.attributes` only when it is a profile: resolve the RDA profile, `exercises.KIP.rda`.',
  },
  title: 'The mandatory attributes of the RDA Kernel Information Profile',
  needs: ['typed-services'],
  check: async (names) => {
    if (names.some((name) => PID_LIKE.test(name))) return 'that list holds PIDs: give the names of the attributes (their `.name`), not their PIDs';
    const profile = await withLessonReader((client) => client.resolveType(KIP.rda));
    const attributes = profile.attributes ?? [];
    const required = attributes.filter((a) => a.mandatory).map((a) => a.name);
    const optional = new Set(attributes.filter((a) => !a.mandatory).map((a) => a.name));
    const notInProfile = names.filter((name) => !required.includes(name) && !optional.has(name));
    if (notInProfile.length > 0) {
      return `${notInProfile.join(', ')}: not an attribute of the RDA profile (${KIP.rda}). Did you read the Helmholtz profile, or mistype a name?`;
    }
    const notMandatory = names.filter((name) => optional.has(name));
    if (notMandatory.length > 0) return `${notMandatory.join(', ')}: in the profile, but optional. Keep only the attributes whose \`mandatory\` is true`;
    const missing = required.filter((name) => !names.includes(name));
    if (missing.length > 0) return `${missing.length} mandatory attribute${missing.length === 1 ? ' is' : 's are'} missing from your list`;
    if (new Set(names).size !== names.length) return 'a name appears twice in your list: each attribute once';
    return true;
  },
  hint: [
    '`await client.resolveType(exercises.KIP.rda)` gives the profile; its `.attributes` is a list, each with `name` and `mandatory`.',
    '`kip.attributes.filter((a) => a.mandatory).map((a) => a.name)`: as for the Helmholtz profile above.',
  ],
  solution:
    'const rda = await client.resolveType(exercises.KIP.rda);\nconst rdaRequired = (rda.attributes ?? []).filter((a) => a.mandatory).map((a) => a.name);',
});

export const fixedRecord = lessonExercise<string>({
  id: '9.2',
  name: 'fixedRecord',
  answer: {
    type: 'string',
    what: 'the PID of the registered record, as a string',
    fromObject: 'registerTypedRecord gives the record: take its `.pid`',
    ifMissing: 'registerTypedRecord gives a record `{ pid, entries }`: put its `.pid` in the variable.',
  },
  title: 'Fix a refused record and register it',
  needs: ['typed-services'],
  check: async (pid) => {
    if (!PID_LIKE.test(pid.trim())) return `"${pid}" is not a PID (prefix/suffix): take the \`.pid\` of what registerTypedRecord gives`;
    return withLessonReader(async (client) => {
      let record: TypedRecord | null;
      try {
        record = await client.getTypedRecord(pid.trim());
      } catch (error) {
        // A prefix this server does not hold is refused with 400: for the trainee, a PID that is not there.
        if (error instanceof HandleError && error.httpStatus === 400) return `${pid} is not a PID on this server: take the .pid of your registered record`;
        throw error;
      }
      if (record === null) return `${pid} does not exist: register the fixed record for real (without dryRun: true) and take its .pid`;
      const value = (type: string) => record.entries[type]?.[0]?.value;
      if (value(TYPES.kernelInformationProfile) !== KIP.helmholtz)
        return `${pid} is not a typed record of the Helmholtz profile: register the entries of brokenEntries, fixed`;
      if (value(TYPES.version) !== BROKEN_VERSION) {
        return `${pid} has no version ${BROKEN_VERSION}: it is not the record built from brokenEntries (is it the one registered earlier in the chapter?)`;
      }
      if (value(TYPES.license) === undefined || value(TYPES.dateCreated) === undefined) return `${pid} lacks a licence or a creation date`;
      return true;
    });
  },
  hint: [
    'Two faults: the licence is not written as the type wants it (`resolveType(TYPES.license).schema`), and a mandatory attribute is missing.',
    "`{ ...brokenEntries, [TYPES.license]: 'https://spdx.org/licenses/CC-BY-4.0.html', [TYPES.dateCreated]: new Date().toISOString() }`, registered with `{ profile: KIP.helmholtz }`; keep the `.pid`.",
  ],
  solution:
    "const fixed = await client.registerTypedRecord(\n  { ...brokenEntries, [TYPES.license]: 'https://spdx.org/licenses/CC-BY-4.0.html', [TYPES.dateCreated]: new Date().toISOString() },\n  { profile: KIP.helmholtz },\n);\nconst fixedPid = fixed.pid;",
});

export const licencePrediction = lessonQuestion({
  id: 'Q9',
  name: 'licencePrediction',
  title: 'A licence written as a short name',
  options: {
    a: {
      text: 'It is registered: a value is free text',
      why: 'Free text is what a plain Handle value type such as `TYPE` takes. A type that is a PID has a schema, and the service checks every value against it.',
    },
    b: {
      text: "It is refused: the value does not match the licence type's pattern",
      why: "The licence type's schema wants the URL of an SPDX page, `https://spdx.org/licenses/<id>.html`; `CC-BY-4.0` does not match its pattern.",
    },
    c: {
      text: 'It is registered without the licence, which is dropped',
      why: 'A validating service never changes a record quietly: it takes it as it is, or refuses it and says why.',
    },
    d: {
      text: 'It is registered, with the licence corrected to the SPDX URL',
      why: 'A validating service never changes a record quietly: it takes it as it is, or refuses it and says why.',
    },
  },
  answer: 'b',
});
