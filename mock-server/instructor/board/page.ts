// The HTML of the class board: a frame the script fills in from GET /_admin/class/progress. Every
// value arrives later as JSON and goes in with textContent, never as markup. No destructive control
// lives here: reset and reseed stay on the live page, behind its confirmation.
import { escapeHtml } from '../html.js';

export function renderBoardPage(): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml('pid-mock · class board')}</title><link rel="stylesheet" href="/_admin/board/board.css"></head>
<body class="board">
<header>
<h1>Class board</h1>
<p id="summary" class="summary" aria-live="polite">loading…</p>
<p id="connection" class="connection">connecting…</p>
<nav aria-label="Instructor pages"><a class="button" href="/_admin/live">Live requests</a></nav>
</header>
<p id="write-health" class="write-health" role="alert" hidden></p>
<main>
<p class="legend"><strong>Verdicts:</strong> <span>✓ correct</span> <span>✗ wrong</span> <span>! error</span> <span>· not tried</span>
<span class="tries">(small number: tries)</span> <strong>States:</strong> <span>⚠ stuck</span> <span>▶ working</span> <span>★ done</span> <span>○ not started</span></p>
<table id="class">
<caption>Every trainee of the class, stuck ones first, and their latest verdict per exercise</caption>
<thead><tr id="head"><th scope="col">Trainee</th><th scope="col">State</th></tr></thead>
<tbody></tbody>
<tfoot><tr id="solved"><th scope="row" colspan="2">Solved</th></tr></tfoot>
</table>
<p id="empty" class="empty" hidden>No trainees yet: provision a class with <code>pid-mock class provision</code>.</p>
<section id="detail" class="detail" aria-live="polite" hidden>
<h2 id="detail-title">Trainee</h2>
<p id="detail-state"></p>
<h3>Failed requests since the server started, with the hint the trainee read</h3>
<ol id="detail-errors"></ol>
<p id="detail-none" hidden>None.</p>
<h3>Latest requests</h3>
<ol id="detail-requests"></ol>
<p id="detail-no-requests" hidden>None yet.</p>
<button type="button" id="detail-close">Close</button>
</section>
</main>
<script src="/_admin/board/board.js"></script>
</body></html>
`;
}
