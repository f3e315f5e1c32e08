// Self-checks of chapter 1 (warming up): prefixes and where a PID leads.
import { lessonQuestion } from '../kit/question.js';
import { lessonExercise } from '../kit/exercise.js';
import { lessonUrls, loadLessonCredentials } from '../kit/lesson.js';

export const doiPrefix = lessonExercise<string>({
  id: '1.1',
  name: 'doiPrefix',
  answer: { type: 'string', what: 'the prefix of the DOI, as a string', fromObject: 'the prefix is text: write it in quotes' },
  title: 'The prefix of a DOI',
  check: (answer) =>
    answer.trim() === '10.3389' ? true : `"${answer}" is not it: the prefix is everything before the first slash of 10.3389/fgene.2013.00289`,
  hint: ['A PID is prefix + "/" + suffix.', 'Split the DOI at its first slash and keep the left part.'],
  solution: "const prefixOfTheDoi = '10.3389';",
});

export const handleTarget = lessonExercise<string>({
  id: '1.2',
  name: 'handleTarget',
  answer: {
    type: 'string',
    what: 'the URL the resolver redirects to, as a string',
    fromObject: "read the Location header of the response: `response.headers.get('location')`",
    ifMissing:
      'the response has no Location header, usually because fetch followed the redirect: ' +
      "pass `{ redirect: 'manual' }` as fetch's second argument so that you get the 302 itself.",
  },
  title: 'Where the Handle leads',
  needs: ['warm-up-records'],
  check: async (answer) => {
    const urls = lessonUrls(loadLessonCredentials());
    const response = await fetch(`${urls.resolver}/11304/cf8956a2-39d3-11e5-8a18-f31aa6f4d448`, { redirect: 'manual' });
    const target = response.headers.get('location');
    return answer === target ? true : `the resolver sends you somewhere else than "${answer}": look at the Location header of its answer`;
  },
  hint: [
    'Ask the resolver with `fetch(url, { redirect: "manual" })`, so that fetch does not follow the redirect.',
    'The target is in `response.headers.get("location")`.',
  ],
  solution:
    "const handleTarget = (await fetch(`${urls.resolver}/11304/cf8956a2-39d3-11e5-8a18-f31aa6f4d448`, { redirect: 'manual' })).headers.get('location') ?? undefined;",
});

export const resolverReply = lessonQuestion({
  id: 'Q1',
  name: 'resolverReply',
  title: 'What the resolver answers',
  options: {
    a: {
      text: 'the file itself',
      why: 'A resolver does not hold or send the data: it only knows where the data is. The file comes from the repository, after the redirect.',
    },
    b: {
      text: 'an HTTP redirect (302) to the URL in the record',
      why: 'A resolver turns the name into the current location and sends the browser there with a 302 and a `Location` header.',
    },
    c: {
      text: 'the record as JSON',
      why: 'The record is shown only when you ask for it (`?noredirect`, or the Handle REST API); a plain resolution follows the `URL` value.',
    },
    d: {
      text: '404 Not Found, because the file is not on the resolver',
      why: "The resolver never needs the file: it finds the record by the PID's name and redirects to the `URL` value.",
    },
  },
  answer: 'b',
});
