// Self-checks of chapter 0 (just enough TypeScript): a template string, and reading a type error.
import { lessonExercise } from '../kit/exercise.js';
import { lessonUrls, loadLessonCredentials } from '../kit/lesson.js';
import { lessonQuestion } from '../kit/question.js';

/** The Handle the chapter reads, as its cells name it `handle`. */
const WARM_UP_HANDLE = '11304/cf8956a2-39d3-11e5-8a18-f31aa6f4d448';

export const recordPage = lessonExercise<string>({
  id: '0.1',
  name: 'recordPage',
  answer: {
    type: 'string',
    what: 'the address of the record page, as a string',
    fromObject: 'build the address as text, with a template string: backticks around it, `${…}` around each value',
  },
  title: 'The record page, with a template string',
  check: (answer) => {
    const { resolver } = lessonUrls(loadLessonCredentials());
    const expected = `${resolver}/${WARM_UP_HANDLE}?noredirect`;
    if (answer.trim() === expected) return true;
    // The commonest slip of a Python reader: an f-string's braces in ordinary quotes are not filled in.
    if (answer.includes('${')) return 'your text still contains `${`: quotes do not fill values in. Put backticks ` around the text instead of quotes.';
    if (answer.trim() === `${resolver}/${WARM_UP_HANDLE}`) return 'this is the address that redirects: add `?noredirect` at the end.';
    if (answer.trim() === `${resolver}${WARM_UP_HANDLE}?noredirect`) return 'a `/` is missing between the resolver and the PID.';
    return `"${answer}" is not the record page: it is the resolver's address (urls.resolver), "/", the PID (handle), then "?noredirect"`;
  },
  hint: [
    'A template string is text in backticks, with `${name}` where a value goes.',
    'Three parts: `${urls.resolver}`, a slash and `${handle}`, then `?noredirect`.',
  ],
  solution: 'const recordPage = `${urls.resolver}/${handle}?noredirect`;',
});

export const typeErrorReading = lessonQuestion({
  id: 'Q0',
  name: 'typeErrorReading',
  title: 'Reading a type error',
  options: {
    a: {
      text: 'Line 1 ran and the server answered with a record without values',
      why: 'A type error is found before the cell runs: nothing ran, so no request was sent and the server said nothing.',
    },
    b: {
      text: 'Nothing ran: on line 2, `pending` is a Promise, because line 1 has no `await`',
      why: 'The message names the type `Promise<HandleRecordJson>`: a receipt for a record still on its way. `await` in front of the call gives the record.',
    },
    c: {
      text: 'The PID does not exist, so the record has no `values`',
      why: 'Whether a PID exists is found out only when the cell runs and asks the server; this message comes before anything runs, from the types alone.',
    },
    d: {
      text: 'The error is on line 21 of the cell',
      why: '`2:21` is line 2, column 21: the line first, then the position in the line, both counted in the cell.',
    },
  },
  answer: 'b',
});
