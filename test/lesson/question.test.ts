// Tests the formative questions of the lesson kit: a multiple-choice question is checked like an exercise
// (the same boxes, the YOUR_ANSWER placeholder, the shape diagnosis, the help line), a wrong option shows
// the misconception it catches, and every chapter exports at least one question, reached as `exercises.<name>`.
import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as lesson from '../../lesson/index.js';
import { YOUR_ANSWER, question, setDisplay } from '../../lesson/kit/notebook.js';
import { type LessonQuestion, lessonQuestion } from '../../lesson/kit/question.js';

function capture(): Array<{ html: string; text: string }> {
  const outputs: Array<{ html: string; text: string }> = [];
  setDisplay((output) => outputs.push(output));
  return outputs;
}

afterEach(() => {
  setDisplay(null);
});

const OPTIONS = {
  a: { text: 'the file itself', why: 'A resolver does not hold the data: it only knows where it is.' },
  b: { text: 'a 302 redirect to the URL', why: 'A resolver turns the name into the current location.' },
  c: { text: 'the record as JSON', why: 'The record is shown only when you ask for it with ?noredirect.' },
  d: { text: '404 Not Found', why: 'The resolver never needs the file: it redirects to the URL value.' },
};

const outcomeOf = (html: string | undefined) => /data-outcome="(\w+)"/.exec(html ?? '')?.[1];

describe('a question', () => {
  const resolverReply = () => lessonQuestion({ id: 'Q1', name: 'resolverReply', title: 'What the resolver answers', options: OPTIONS, answer: 'b' });

  test('the right letter is Correct, in either case and with or without parentheses', async () => {
    const outputs = capture();
    const q = resolverReply();
    for (const answer of ['b', 'B', ' b ', '(b)']) await q.check(answer);
    assert.deepEqual(
      outputs.map((o) => outcomeOf(o.html)),
      ['correct', 'correct', 'correct', 'correct'],
    );
    assert.equal(await question({ id: 'Q', title: 't', options: OPTIONS, answer: 'b' }).check('B'), 'correct');
  });

  test('each wrong option shows its text and the misconception it catches, and how to get help', async () => {
    const outputs = capture();
    const q = resolverReply();
    for (const letter of ['a', 'c', 'D']) await q.check(letter);
    assert.deepEqual(
      outputs.map((o) => outcomeOf(o.html)),
      ['wrong', 'wrong', 'wrong'],
    );
    assert.match(outputs[0]?.text ?? '', /\(a\) the file itself — A resolver does not hold the data: it only knows where it is\./);
    assert.match(outputs[1]?.text ?? '', /\(c\) the record as JSON — The record is shown only when you ask for it with \?noredirect\./);
    assert.match(outputs[2]?.text ?? '', /\(d\) 404 Not Found — The resolver never needs the file/);
    for (const output of outputs) assert.match(output.text, /Stuck\? `exercises\.resolverReply\.hint\(\)` gives a hint/);
    assert.doesNotMatch(outputs.map((o) => o.text).join('\n'), /A resolver turns the name/, 'a wrong answer does not give the right one away');
  });

  test('the placeholder is Not attempted yet', async () => {
    const outputs = capture();
    await resolverReply().check(YOUR_ANSWER);
    assert.equal(outcomeOf(outputs[0]?.html), 'unattempted');
    assert.match(outputs[0]?.text ?? '', /Replace the placeholder `YOUR_ANSWER`/);
  });

  test('a wrong shape or a letter that is not an option gets a verdict naming it, never an exception', async () => {
    const outputs = capture();
    const q = resolverReply();
    for (const answer of [2, ['a', 'b'], undefined, { letter: 'b' }, 'e', 'the file']) await q.check(answer);
    assert.deepEqual(
      outputs.map((o) => outcomeOf(o.html)),
      ['wrong', 'wrong', 'wrong', 'wrong', 'wrong', 'wrong'],
    );
    const texts = outputs.map((o) => o.text);
    assert.match(texts[0] ?? '', /You gave the number 2; this exercise wants one letter in quotes: 'a', 'b', 'c' or 'd' — write it as text, in quotes/);
    assert.match(texts[1] ?? '', /You gave a list of 2 strings; this exercise wants one letter in quotes.*— choose one option and give its letter in quotes/);
    assert.match(texts[2] ?? '', /Your answer is undefined: write the letter of your choice in quotes: 'a', 'b', 'c' or 'd'\./);
    assert.match(texts[3] ?? '', /You gave an object with the field letter; .*answer with the letter of the option you choose/);
    assert.match(texts[4] ?? '', /"e" is not one of the options: answer with one letter in quotes, 'a', 'b', 'c' or 'd'\./);
    assert.match(texts[5] ?? '', /"the file" is not one of the options/);
  });

  test('the solution gives the right letter with its explanation', () => {
    const outputs = capture();
    resolverReply().solution();
    assert.match(outputs[0]?.text ?? '', /'b' — a 302 redirect to the URL\. A resolver turns the name into the current location\./);
  });

  test('a question whose answer is not one of its options, or whose options are not lower-case letters, is refused', () => {
    assert.throws(() => question({ id: 'Q', title: 't', options: OPTIONS, answer: 'e' }), /the answer 'e' is not one of its options/);
    assert.throws(() => question({ id: 'Q', title: 't', options: { A: OPTIONS.a, b: OPTIONS.b }, answer: 'b' }), /lower-case letters/);
  });
});

describe('the questions of the chapters', () => {
  const chapters = Object.entries(lesson).filter(([name]) => /^ch\d\d$/.test(name)) as Array<[string, Record<string, unknown>]>;

  test('every chapter exports at least one question, named as its notebook reaches it, with one right option and explained wrong ones', () => {
    assert.equal(chapters.length, 10);
    for (const [chapter, checks] of chapters) {
      const questions = Object.entries(checks).filter(([, v]) => typeof v === 'object' && v !== null && 'options' in v) as Array<[string, LessonQuestion]>;
      assert.ok(questions.length >= 1, `${chapter} has a question`);
      for (const [name, q] of questions) {
        assert.equal(q.callName, `exercises.${name}`);
        assert.ok(q.letters.length >= 3, `${chapter}.${name} has at least three options`);
        for (const letter of q.letters) assert.ok((q.options[letter]?.why ?? '').length > 20, `${chapter}.${name} (${letter}) is explained`);
      }
    }
  });
});
