// Notebook helpers (`pid-handson/notebook`): show a handle record as an HTML table (or a text table
// outside Jupyter) and run Kaggle-Learn-style exercise checks. The entry point only; each job has its
// own module.
export { escapeHtml, linkTo } from '../../src/record-view/escape.js';
export { hsAdminPermissions } from '../../src/permissions.js';
export type { RecordViewOptions } from '../../src/record-view/record.js';
export { recordTable } from '../../src/record-view/html.js';
export { recordText } from '../../src/record-view/text.js';
export { setDisplay, showRecord, type DisplaySink, type TslabLikeDisplay } from './output.js';
export { exercise, type CheckOutcome, type Exercise, type ExerciseSpec } from './exercise.js';
export { question, type Question, type QuestionOption, type QuestionSpec } from './question.js';
export { YOUR_ANSWER, describeAnswer, isPlaceholder, shapeProblem, type AnswerShape } from './answer-shape.js';
export { offers, serverOffer, serverOffers, warmUpOr, whenOffered, type Offer, type ServerPart } from './offers.js';
