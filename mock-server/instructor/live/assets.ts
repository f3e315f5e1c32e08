// The live view's stylesheet and script, served by this server itself (the class may be offline,
// and the page's CSP allows scripts from 'self' only). Sized for a projector at the back of a room.

export const LIVE_CSS = `
:root { --ok: #1b7f3b; --no: #b9bec7; --bad: #b3261e; --fg: #111; --bg: #fff; --line: #d9dde3; }
* { box-sizing: border-box; }
body { margin: 0; font: 24px/1.35 system-ui, "DejaVu Sans", sans-serif; color: var(--fg); background: var(--bg); }
body.login main { max-width: 34em; margin: 3em auto; padding: 0 1em; }
body.login input { display: block; width: 100%; font: inherit; padding: .4em; margin: .3em 0 1em; }
.problem { color: var(--bad); font-weight: bold; }
header { display: flex; align-items: center; gap: 1em; padding: .4em 1em; background: #0b3d62; color: #fff; }
header h1 { margin: 0; font-size: 1.4em; }
header nav { margin-left: auto; display: flex; gap: .5em; }
button, a.button { font: inherit; font-size: .8em; padding: .3em .8em; border-radius: .3em; border: 1px solid #888; background: #f4f4f4; cursor: pointer; color: inherit; text-decoration: none; }
header button, header a.button { background: #fff; color: #0b3d62; border: 2px solid #fff; font-weight: bold; }
header button.danger { color: var(--bad); border-color: var(--bad); margin-left: 1.5em; }
button:focus, a.button:focus { outline: 3px solid #ffbf47; outline-offset: 2px; }
.connection { font-size: .7em; opacity: .85; }
.connection.down { color: #ffb4a9; font-weight: bold; }
.write-health { margin: 0; padding: .5em 1em; background: #fff; color: var(--bad); border: 4px solid var(--bad); font-weight: bold; font-size: 1.1em; }
.faults { margin: 0; padding: .5em 1em; background: #ffd54f; font-weight: bold; font-size: 1.1em; }
.totals { display: flex; gap: 2em; padding: .4em 1em; font-size: .9em; }
.totals span { font-weight: bold; font-size: 1.3em; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid var(--line); padding: .25em .5em; text-align: center; }
th { font-size: .75em; text-transform: uppercase; letter-spacing: .03em; color: #444; }
td.name { text-align: left; font-weight: bold; }
td.done { color: var(--ok); font-size: 1.2em; }
td.todo { color: var(--no); }
td.errors { text-align: left; font-size: .75em; color: var(--bad); }
td.errors div { overflow-wrap: anywhere; }
td.errors div.planned { color: var(--fg); font-style: italic; }
th:last-child, td.errors { width: 30%; }
.empty { padding: 0 1em; color: #666; }
.recent { padding: 0 1em; font-size: .8em; }
.recent h2 { font-size: 1em; margin: .6em 0 .2em; }
.recent ol { margin: 0; padding-left: 1.2em; }
.notice { padding: 0 1em; font-weight: bold; }
body.history { font-size: 18px; padding: 0 1em 2em; }
body.history h1 { font-size: 1.4em; overflow-wrap: anywhere; }
body.history td { text-align: left; vertical-align: top; }
body.history td.when { white-space: nowrap; font-size: .85em; }
body.history td.what { white-space: nowrap; }
body.history td.before, body.history td.after { width: 35%; }
body.history ul { list-style: none; margin: 0; padding: 0; }
body.history li { margin: .1em 0; }
body.history code { overflow-wrap: anywhere; white-space: pre-wrap; }
body.history .index { color: #666; }
body.history .hidden-count { color: #666; font-size: .85em; }
`;

/** No inline handlers and no innerHTML: every value is set with textContent, so stored markup stays text. */
export const LIVE_JS = `
(function () {
  'use strict';
  var csrf = document.querySelector('meta[name="pid-mock-csrf"]').getAttribute('content');
  var STEPS = ['registered', 'typeAndChecksum', 'movedUrl', 'linkedReplica', 'searchedByValue', 'searchedByWildcard', 'usedCli'];
  var faults = null;

  function cell(tr, text, cls) {
    var td = document.createElement('td');
    td.textContent = text;
    if (cls) td.className = cls;
    tr.appendChild(td);
    return td;
  }

  function clock(iso) {
    var d = new Date(iso);
    return isNaN(d.getTime()) ? '' : d.toLocaleTimeString();
  }

  function historyLink(handle) {
    var a = document.createElement('a');
    a.href = '/_admin/history/' + handle.split('/').map(encodeURIComponent).join('/');
    a.textContent = handle;
    return a;
  }

  function renderFaults() {
    var box = document.getElementById('faults');
    if (!faults) { box.hidden = true; box.textContent = ''; return; }
    var left = Math.max(0, Math.round((Date.parse(faults.until) - Date.now()) / 1000));
    var parts = [];
    if (faults.latencyMs) parts.push('+' + faults.latencyMs + ' ms');
    if (faults.failRate) parts.push(Math.round(faults.failRate * 100) + ' % answered 503');
    box.textContent = 'Teaching faults ON: ' + parts.join(', ') + ' on ' + faults.areas.join(', ') +
      ' (off in ' + Math.floor(left / 60) + ':' + String(left % 60).padStart(2, '0') + ')';
    box.hidden = false;
  }

  /** Writes failing (a full disk): said in words, so the banner does not rely on its colour. */
  function renderHealth(health) {
    var box = document.getElementById('write-health');
    if (!health || health.status !== 'degraded') { box.hidden = true; box.textContent = ''; return; }
    box.textContent = '\u26a0 Server degraded, changes are not being saved: ' + health.reason + '. Reads still work; free disk space on the server.';
    box.hidden = false;
  }

  function render(s) {
    document.getElementById('total-trainees').textContent = String(s.totals.trainees);
    document.getElementById('total-changes').textContent = String(s.totals.changes);
    document.getElementById('total-requests').textContent = String(s.totals.requests);
    document.getElementById('total-errors').textContent = String(s.totals.errors);
    var tbody = document.querySelector('#class tbody');
    var rows = document.createDocumentFragment();
    s.trainees.forEach(function (t) {
      var tr = document.createElement('tr');
      tr.dataset.trainee = t.name;
      cell(tr, t.name, 'name').title = t.identity;
      STEPS.forEach(function (step) {
        var done = t.steps[step];
        var td = cell(tr, done ? '\\u2714' : '\\u00b7', done ? 'done' : 'todo');
        td.dataset.step = step;
      });
      cell(tr, String(t.requests), 'count');
      var errors = cell(tr, '', 'errors');
      t.lastErrors.forEach(function (e) {
        var line = document.createElement('div');
        line.textContent = e.status + (e.responseCode ? ' (rc ' + e.responseCode + ')' : '') + ' ' + e.method + ' ' + e.path + ' · ' + clock(e.at);
        errors.appendChild(line);
      });
      if (t.plannedErrors) {
        var planned = document.createElement('div');
        planned.className = 'planned';
        planned.textContent = t.plannedErrors + ' planned (lesson demonstration)';
        errors.appendChild(planned);
      }
      rows.appendChild(tr);
    });
    tbody.replaceChildren(rows);
    document.getElementById('empty').hidden = s.trainees.length > 0;
    var recent = document.getElementById('recent');
    var items = document.createDocumentFragment();
    s.recent.forEach(function (r) {
      var li = document.createElement('li');
      var m = /^(create|replace|add-values|remove-values|delete) (.+)$/.exec(r.what);
      li.appendChild(document.createTextNode(clock(r.at) + ' ' + r.who + ': ' + (m ? m[1] + ' ' : r.what)));
      if (m) li.appendChild(historyLink(m[2]));
      if (r.status) li.appendChild(document.createTextNode(' \\u2192 ' + r.status));
      items.appendChild(li);
    });
    recent.replaceChildren(items);
    faults = s.faults;
    renderFaults();
    renderHealth(s.health);
  }

  var connection = document.getElementById('connection');
  var source = new EventSource('/_admin/live/stream');
  source.addEventListener('snapshot', function (e) { render(JSON.parse(e.data)); });
  source.addEventListener('open', function () { connection.textContent = 'live'; connection.className = 'connection'; });
  source.addEventListener('error', function () { connection.textContent = 'reconnecting…'; connection.className = 'connection down'; });
  setInterval(renderFaults, 1000);

  function post(path) {
    return fetch(path, { method: 'POST', credentials: 'same-origin', headers: { 'x-pid-mock-csrf': csrf } }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        if (!r.ok) throw new Error(body.message || ('HTTP ' + r.status));
        return body;
      });
    });
  }
  function notice(text) { document.getElementById('notice').textContent = text; }

  document.getElementById('reset').addEventListener('click', function () {
    if (!window.confirm('Reset the server? Every handle the class made is deleted.')) return;
    post('/_admin/live/reset').then(function (b) { notice('Reset: ' + b.handles + ' handles left.'); }, function (e) { notice('Reset failed: ' + e.message); });
  });
  document.getElementById('reseed').addEventListener('click', function () {
    post('/_admin/live/reseed').then(function (b) { notice('Reseeded: ' + b.handles + ' handles.'); }, function (e) { notice('Reseed failed: ' + e.message); });
  });
  document.getElementById('logout').addEventListener('click', function () {
    source.close();
    post('/_admin/logout').finally(function () { window.location.assign('/_admin/live'); });
  });
})();
`;
