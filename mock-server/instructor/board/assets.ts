// The class board's stylesheet and script, served by this server (the class may be offline, and the
// page's CSP allows scripts from 'self' only). Sized for a 1920×1080 projector: large type, dark text on
// white, and every state and verdict told by a symbol and a word, never by colour alone.

export const BOARD_CSS = `
:root { --ok: #1b6b34; --bad: #a4161a; --warn: #7a4b00; --fg: #111; --muted: #4a4f57; --bg: #fff; --line: #c9ced6; --stuck-bg: #fff1c2; }
* { box-sizing: border-box; }
body { margin: 0; font: 22px/1.35 system-ui, "DejaVu Sans", sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; align-items: center; gap: 1em; padding: .4em 1em; background: #0b3d62; color: #fff; }
header h1 { margin: 0; font-size: 1.4em; }
header p { margin: 0; }
.summary { font-weight: bold; }
.connection { font-size: .8em; }
.connection.down { background: #fff; color: var(--bad); padding: 0 .4em; font-weight: bold; }
header nav { margin-left: auto; }
a.button, button { font: inherit; font-size: .85em; padding: .3em .8em; border-radius: .3em; border: 2px solid #0b3d62; background: #fff; color: #0b3d62; cursor: pointer; text-decoration: none; font-weight: bold; }
header a.button { border-color: #fff; }
a.button:focus, button:focus { outline: 3px solid #ffbf47; outline-offset: 2px; }
main { padding: 0 1em 1em; }
.legend { color: var(--muted); font-size: .8em; margin: .4em 0; }
.legend span { white-space: nowrap; margin-right: .6em; }
.legend strong { margin-left: .4em; }
table { border-collapse: collapse; width: 100%; }
caption { text-align: left; font-size: .8em; color: var(--muted); padding: .2em 0; }
th, td { border-bottom: 1px solid var(--line); padding: .2em .4em; text-align: center; }
thead th { font-size: .85em; color: var(--muted); }
tbody th { text-align: left; }
tbody th button { border: none; padding: 0; background: none; color: inherit; font-size: 1em; text-decoration: underline; }
td.state { text-align: left; white-space: nowrap; font-weight: bold; }
tr.stuck { background: var(--stuck-bg); }
tr.stuck td.state { color: var(--warn); }
tr.not-started td.state { color: var(--muted); }
tr.done td.state { color: var(--ok); }
td.v-correct { color: var(--ok); font-weight: bold; }
td.v-wrong, td.v-error { color: var(--bad); font-weight: bold; }
td.v-unattempted { color: var(--muted); }
td .tries { font-size: .65em; vertical-align: super; }
td.errors, td.seen { font-size: .85em; white-space: nowrap; }
tfoot th, tfoot td { font-weight: bold; border-top: 2px solid var(--fg); }
.why { display: block; font-size: .7em; font-weight: normal; }
.detail { margin-top: 1em; padding: .6em 1em; border: 2px solid #0b3d62; max-width: 60em; }
.detail h2 { margin: 0 0 .3em; }
.detail h3 { font-size: 1em; margin: .6em 0 .2em; }
.detail .hint { margin-left: 1.5em; font-style: italic; }
.empty { color: var(--muted); }
.write-health { margin: 0; padding: .5em 1em; background: #fff; color: var(--bad); border: 4px solid var(--bad); font-weight: bold; }
`;

/** No inline handlers and no innerHTML: every value is set with textContent, so stored markup stays text. */
export const BOARD_JS = `
(function () {
  'use strict';
  var POLL_MS = 2000;
  var SYMBOL = { correct: '\\u2713', wrong: '\\u2717', error: '!', unattempted: '\\u00b7' };
  var WORD = { correct: 'correct', wrong: 'wrong', error: 'error', unattempted: 'not tried' };
  var STATE = { stuck: '\\u26a0 stuck', working: '\\u25b6 working', done: '\\u2605 done', 'not-started': '\\u25cb not started' };
  var ORDER = { stuck: 0, 'not-started': 1, working: 2, done: 3 };
  var view = null;
  var shown = null;

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (cls) node.className = cls;
    return node;
  }

  function clock(iso) {
    if (!iso) return 'never';
    var d = new Date(iso);
    return isNaN(d) ? iso : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  }

  function isExercise(id) { return /^[0-9]+\\.[0-9]+$/.test(id); }

  /** How far a trainee got: the last exercise (in lesson order) they solved; -1 for none. */
  function position(t, exercises) {
    var at = -1;
    exercises.forEach(function (id, i) { if (t.exercises[id] === 'correct') at = i; });
    return at;
  }

  function median(values) {
    if (!values.length) return undefined;
    var sorted = values.slice().sort(function (a, b) { return a - b; });
    return sorted[Math.floor((sorted.length - 1) / 2)];
  }

  function render() {
    var exercises = view.exercises;
    var trainees = view.trainees.slice().sort(function (a, b) {
      return ORDER[a.state] - ORDER[b.state] || a.name.localeCompare(b.name, 'en', { numeric: true });
    });
    var count = function (state) { return view.trainees.filter(function (t) { return t.state === state; }).length; };
    var lessonExercises = exercises.filter(isExercise);
    var positions = view.trainees.filter(function (t) { return t.connected; }).map(function (t) { return position(t, lessonExercises); });
    var mid = median(positions);
    document.getElementById('summary').textContent =
      view.trainees.length + ' trainees \\u00b7 ' + count('stuck') + ' stuck \\u00b7 ' + count('working') + ' working \\u00b7 ' +
      count('done') + ' done \\u00b7 ' + count('not-started') + ' not started \\u00b7 class median: ' +
      (mid === undefined || mid < 0 ? 'no exercise solved yet' : 'solved up to ' + lessonExercises[mid]);

    var head = el('tr');
    head.id = 'head';
    ['Trainee', 'State'].concat(exercises, ['Errors', 'Last seen']).forEach(function (title) {
      var th = el('th', title);
      th.scope = 'col';
      head.appendChild(th);
    });
    document.getElementById('head').replaceWith(head);

    var rows = document.createDocumentFragment();
    trainees.forEach(function (t) {
      var tr = el('tr', null, t.state);
      tr.dataset.trainee = t.name;
      tr.dataset.state = t.state;
      var th = el('th');
      th.scope = 'row';
      var open = el('button', t.name);
      open.type = 'button';
      open.addEventListener('click', function () { shown = t.name; renderDetail(); });
      th.appendChild(open);
      tr.appendChild(th);
      var state = el('td', STATE[t.state] || t.state, 'state');
      if (t.stuckBecause) state.appendChild(el('span', t.stuckBecause, 'why'));
      tr.appendChild(state);
      exercises.forEach(function (id) {
        var verdict = t.exercises[id] || 'unattempted';
        var td = el('td', SYMBOL[verdict] || '?', 'v-' + verdict);
        td.dataset.exercise = id;
        td.dataset.verdict = verdict;
        var tries = (t.attempts && t.attempts[id]) || 0;
        if (tries > 1) td.appendChild(el('span', String(tries), 'tries'));
        td.title = id + ': ' + (WORD[verdict] || verdict) + (tries ? ' (' + tries + ' tr' + (tries === 1 ? 'y' : 'ies') + ')' : '');
        td.setAttribute('aria-label', td.title);
        tr.appendChild(td);
      });
      var errors = el('td', String(t.unexpectedErrors) + (t.plannedErrors ? ' (+' + t.plannedErrors + ' planned)' : ''), 'errors');
      errors.dataset.unexpected = String(t.unexpectedErrors);
      errors.dataset.planned = String(t.plannedErrors);
      tr.appendChild(errors);
      tr.appendChild(el('td', clock(t.lastSeen), 'seen'));
      rows.appendChild(tr);
    });
    document.querySelector('#class tbody').replaceChildren(rows);

    var solved = el('tr');
    solved.id = 'solved';
    var label = el('th', 'Solved');
    label.scope = 'row';
    label.colSpan = 2;
    solved.appendChild(label);
    exercises.forEach(function (id) {
      var n = view.trainees.filter(function (t) { return t.exercises[id] === 'correct'; }).length;
      var td = el('td', n + '/' + view.trainees.length);
      td.dataset.exercise = id;
      td.title = n + ' of ' + view.trainees.length + ' solved ' + id;
      solved.appendChild(td);
    });
    solved.appendChild(el('td'));
    solved.appendChild(el('td'));
    document.getElementById('solved').replaceWith(solved);
    document.getElementById('empty').hidden = view.trainees.length > 0;
    renderDetail();
  }

  function renderDetail() {
    var section = document.getElementById('detail');
    var t = shown && view && view.trainees.filter(function (x) { return x.name === shown; })[0];
    if (!t) { section.hidden = true; return; }
    section.hidden = false;
    document.getElementById('detail-title').textContent = t.name + ' (' + t.handle + ')';
    document.getElementById('detail-state').textContent =
      (STATE[t.state] || t.state) + (t.stuckBecause ? ': ' + t.stuckBecause : '') + ' \\u00b7 last seen ' + clock(t.lastSeen);
    var list = document.createDocumentFragment();
    (t.recentErrors || []).forEach(function (e) {
      var item = el('li', clock(e.at) + ' ' + e.status + (e.responseCode ? ' (responseCode ' + e.responseCode + ')' : '') + ' ' + e.method + ' ' + e.path +
        (e.planned ? ' \\u2014 planned (lesson demonstration: ' + e.planned + ')' : ''));
      if (e.hint) item.appendChild(el('div', 'hint shown: ' + e.hint, 'hint'));
      list.appendChild(item);
    });
    document.getElementById('detail-errors').replaceChildren(list);
    document.getElementById('detail-none').hidden = (t.recentErrors || []).length > 0;
    var requests = document.createDocumentFragment();
    (t.recentRequests || []).forEach(function (r) {
      requests.appendChild(el('li', clock(r.at) + ' ' + r.method + ' ' + r.path + ' \\u2192 ' + r.status + (r.responseCode ? ' (responseCode ' + r.responseCode + ')' : '') +
        (r.planned ? ' \\u2014 planned: ' + r.planned : '')));
    });
    document.getElementById('detail-requests').replaceChildren(requests);
    document.getElementById('detail-no-requests').hidden = (t.recentRequests || []).length > 0;
  }

  document.getElementById('detail-close').addEventListener('click', function () { shown = null; renderDetail(); });

  /** Writes failing (a full disk): said in words, so the banner does not rely on its colour. */
  function pollHealth() {
    fetch('/_admin/health', { cache: 'no-store' }).then(function (r) { return r.json(); }).then(function (health) {
      var box = document.getElementById('write-health');
      if (health.status !== 'degraded') { box.hidden = true; box.textContent = ''; return; }
      box.textContent = '\u26a0 Server degraded, changes are not being saved: ' + health.reason + '. Trainees see errors until disk space is freed.';
      box.hidden = false;
    }).catch(function () { /* the progress poll already says when the server cannot be reached */ });
  }

  var connection = document.getElementById('connection');
  function poll() {
    pollHealth();
    fetch('/_admin/class/progress', { credentials: 'same-origin', cache: 'no-store' }).then(function (r) {
      if (r.status === 401) { connection.textContent = 'logged out: reload the page to log in'; connection.className = 'connection down'; return; }
      if (!r.ok) throw new Error('HTTP ' + r.status);
      return r.json().then(function (json) {
        view = json;
        render();
        connection.textContent = 'updated ' + clock(json.at);
        connection.className = 'connection';
        setTimeout(poll, POLL_MS);
      });
    }).catch(function () {
      connection.textContent = 'cannot reach the server: retrying';
      connection.className = 'connection down';
      setTimeout(poll, POLL_MS * 2);
    });
  }
  poll();
})();
`;
