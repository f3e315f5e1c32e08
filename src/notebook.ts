// Notebook helpers (`pid-handson/notebook`): show a handle record as an HTML table (or a text table
// outside Jupyter) and run Kaggle-Learn-style exercise checks. The entry point only; each job has its
// own module.
export { escapeHtml, linkTo } from './record-view/escape.js';
export { hsAdminPermissions } from './permissions.js';
export type { RecordViewOptions } from './record-view/record.js';
export { recordTable } from './record-view/html.js';
export { recordText } from './record-view/text.js';
export { setDisplay, showRecord, type DisplaySink, type TslabLikeDisplay } from './notebook/output.js';
export { exercise, type CheckOutcome, type Exercise, type ExerciseSpec } from './notebook/exercise.js';
