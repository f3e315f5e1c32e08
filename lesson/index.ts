// `pid-handson/lesson`, the one import of every lesson notebook: the client library, the notebook
// helpers (record views, exercise boxes), the lesson's set-up (credentials, URLs, `pid` runs), planned()
// for the demonstrations that fail on purpose, and each chapter's self-checks as a namespace `chNN`.
// Notebooks reach it by the package's name from any folder (see linkPackage in
// deploy/local/workspace.cjs), never through dist/ paths.
export * from '../src/index.js';
export * from './kit/notebook.js';
export * from './kit/lesson.js';
export { planned } from './kit/planned.js';
export * as ch00 from './00-typescript/checks.js';
export * as ch01 from './01-warming-up/checks.js';
export * as ch02 from './02-connecting/checks.js';
export * as ch03 from './03-registering-a-file/checks.js';
export * as ch04 from './04-storing-and-updating/checks.js';
export * as ch05 from './05-linking/checks.js';
export * as ch06 from './06-reverse-lookups/checks.js';
export * as ch07 from './07-under-the-hood/checks.js';
export * as ch08 from './08-the-command-line/checks.js';
export * as ch09 from './09-pids-machines-act-on/checks.js';
