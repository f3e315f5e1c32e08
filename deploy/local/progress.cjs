// What `npm start` tells the person at the terminal: numbered steps ("▸ [3/7] …", so a long one is seen
// as one step of a known list), a heartbeat while a step that prints nothing for minutes runs, and a
// failure as one "✗ what is wrong / → what to do" pair with no stack trace. Plain Node, no dependencies.
'use strict';
const { spawn } = require('node:child_process');

let total = 0;
let done = 0;

/** How many steps this run will show; each `step` after this one is numbered k of `count`. */
function planSteps(count) {
  total = count;
  done = 0;
}

function step(message) {
  done += 1;
  const counter = total ? `[${Math.min(done, total)}/${total}] ` : '';
  process.stdout.write(`\n▸ ${counter}${message}\n`);
}

/** A line under the current step (what it changed, what it found). */
function detail(message) {
  process.stdout.write(`  ${message}\n`);
}

function fail(message, fix) {
  process.stderr.write(`\n✗ ${message}\n${fix ? `  → ${fix}\n` : ''}`);
  process.exit(1);
}

function elapsed(ms) {
  const seconds = Math.round(ms / 1000);
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/**
 * Says "… still <doing> (N min so far)" every `everyMs` until the returned function is called, which
 * then says how long the step took. npm compiling SQLite or pip downloading Jupyter can print nothing for
 * minutes; a silent terminal reads as a hang.
 */
function heartbeat(doing, everyMs = 30_000) {
  const started = Date.now();
  const timer = setInterval(() => detail(`… still ${doing} (${elapsed(Date.now() - started)} so far)`), everyMs);
  return () => {
    clearInterval(timer);
    detail(`took ${elapsed(Date.now() - started)}`);
  };
}

/** Runs a long command with the terminal attached and a heartbeat; resolves whether it exited 0. */
function runLong(doing, command, args, options = {}) {
  const stop = heartbeat(doing);
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit', windowsHide: true, ...options });
    child.once('error', (error) => {
      stop();
      detail(`cannot run ${command}: ${error.message}`);
      resolve(false);
    });
    child.once('exit', (code) => {
      stop();
      resolve(code === 0);
    });
  });
}

module.exports = { planSteps, step, detail, fail, heartbeat, runLong, elapsed };
