// The per-handle history page: every journal entry of one handle, with the values before and after,
// as far as the reader may see them. Everything shown is escaped; nothing is a link but our own pages.
import type { HistoryEntry } from '../../storage/store.js';
import type { StoredValue } from '../../vocabulary/model.js';
import { valueToJson } from '../../handle/value-codec.js';
import { escapeHtml } from '../html.js';

export interface HistoryView {
  handle: string;
  entries: Array<{ entry: HistoryEntry; before: StoredValue[]; after: StoredValue[]; hidden: number }>;
  /** Who the page was made for, said at the top so nobody wonders why values are missing. */
  readerNote: string;
}

const ACTIONS: Record<HistoryEntry['action'], string> = {
  create: 'created the handle',
  replace: 'replaced the record',
  'add-values': 'added or changed values',
  'remove-values': 'removed values',
  delete: 'deleted the handle',
};

function dataText(value: StoredValue): string {
  const data = valueToJson(value).data.value;
  return typeof data === 'string' ? data : JSON.stringify(data);
}

function valueList(values: StoredValue[]): string {
  if (!values.length) return '<span class="none">—</span>';
  return `<ul>${values
    .map((v) => `<li><span class="index">${escapeHtml(String(v.index))}</span> <b>${escapeHtml(v.type)}</b> <code>${escapeHtml(dataText(v))}</code></li>`)
    .join('')}</ul>`;
}

export function handleHref(handle: string): string {
  return `/${handle.split('/').map(encodeURIComponent).join('/')}`;
}

export function renderHistoryPage(view: HistoryView): string {
  const rows = view.entries
    .map(
      ({ entry, before, after, hidden }) =>
        `<tr><td class="when">${escapeHtml(entry.at)}</td><td class="who">${escapeHtml(entry.actor)}</td><td class="what">${escapeHtml(ACTIONS[entry.action] ?? entry.action)}</td>` +
        `<td class="before">${valueList(before)}</td><td class="after">${valueList(after)}</td>` +
        `<td class="hidden-count">${hidden ? `${hidden} restricted, not shown` : ''}</td></tr>`,
    )
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>History of ${escapeHtml(view.handle)}</title>
<link rel="stylesheet" href="/_admin/live/live.css"></head>
<body class="history">
<h1>History of <code>${escapeHtml(view.handle)}</code></h1>
<p class="reader">${escapeHtml(view.readerNote)}</p>
<p><a href="${escapeHtml(`${handleHref(view.handle)}?noredirect`)}">Current values</a></p>
${
  view.entries.length
    ? `<table class="history"><thead><tr><th>When (UTC)</th><th>Who</th><th>What</th><th>Before</th><th>After</th><th></th></tr></thead>
<tbody>
${rows}
</tbody></table>`
    : '<p class="empty">The journal holds no change of this handle.</p>'
}
</body></html>
`;
}
