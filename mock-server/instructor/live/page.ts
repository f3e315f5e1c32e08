// The HTML of the live view: the login form, and the projector page the script fills in from the
// event stream. All data arrives later as JSON and is put in with textContent, never as markup.
import { escapeHtml } from '../html.js';

const HEAD = (title: string, extra = '') => `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><link rel="stylesheet" href="/_admin/live/live.css">${extra}</head>`;

/** Pages the login form may lead back to (anything else goes to the live page). */
export const LOGIN_TARGETS = ['/_admin/live', '/_admin/board'];

/**
 * @param tokenSource the file (or variable) that holds this server's admin token.
 * @param next the instructor page to open after logging in.
 */
export function renderLoginPage(tokenSource: string, problem?: string, next = '/_admin/live'): string {
  return `${HEAD('pid-mock · instructor login')}
<body class="login">
<main>
<h1>Instructor login</h1>
<p>Paste the admin token from <code id="token-source">${escapeHtml(tokenSource)}</code>. It is sent once in this form and never appears in a URL; the browser keeps only a session cookie.</p>
${problem ? `<p class="problem" role="alert">${escapeHtml(problem)}</p>` : ''}
<form method="post" action="/_admin/login" autocomplete="off">
<input type="hidden" name="next" value="${escapeHtml(LOGIN_TARGETS.includes(next) ? next : '/_admin/live')}">
<label for="token">Admin token</label>
<input id="token" name="token" type="password" required autofocus>
<button type="submit">Log in</button>
</form>
</main>
</body></html>
`;
}

export function renderLivePage(csrf: string): string {
  return `${HEAD('pid-mock · live class', `<meta name="pid-mock-csrf" content="${escapeHtml(csrf)}">`)}
<body class="live">
<header>
<h1>Live class</h1>
<span id="connection" class="connection">connecting…</span>
<nav>
<a class="button" href="/_admin/board">Class board</a>
<a id="export" class="button" href="/_admin/state" download="pid-handson-state.json">Export</a>
<button type="button" id="reseed">Reseed</button>
<button type="button" id="reset" class="danger">Reset</button>
<button type="button" id="logout">Log out</button>
</nav>
</header>
<section id="write-health" class="write-health" role="alert" hidden></section>
<section id="faults" class="faults" hidden></section>
<section class="totals">
<div><span id="total-trainees">0</span> trainees</div>
<div><span id="total-changes">0</span> changes</div>
<div><span id="total-requests">0</span> requests</div>
<div><span id="total-errors">0</span> errors</div>
</section>
<table id="class">
<thead><tr>
<th>Trainee</th><th>Registered</th><th>TYPE + CHECKSUM</th><th>Moved URL</th><th>REPLICA</th><th>Search value</th><th>Search *</th><th>CLI</th><th>Requests</th><th>Last errors</th>
</tr></thead>
<tbody></tbody>
</table>
<p id="empty" class="empty">Nobody has done anything yet.</p>
<section class="recent"><h2>Just now</h2><ol id="recent"></ol></section>
<p id="notice" class="notice" role="status"></p>
<script src="/_admin/live/live.js"></script>
</body></html>
`;
}
