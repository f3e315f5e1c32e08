// The page a hub login ends on when it does not lead to the board: a trainee who followed the
// Services link, or a stale or broken login. Plain words, no stack trace, every value escaped.
import { escapeHtml } from './html.js';

/**
 * @param title what went wrong, as the page's heading.
 * @param advice what to do next.
 * @param tryAgain whether a link back to the board helps (not for a trainee, whom it would refuse again).
 */
export function renderHubLoginProblem(title: string, advice: string, tryAgain = true): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>pid-mock · ${escapeHtml(title)}</title><link rel="stylesheet" href="/_admin/live/live.css"></head>
<body class="login">
<main>
<h1>${escapeHtml(title)}</h1>
<p class="problem" role="alert">${escapeHtml(advice)}</p>
${tryAgain ? '<p><a href="/_admin/board">Open the class board again</a></p>\n' : ''}</main>
</body></html>
`;
}
