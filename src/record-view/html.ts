// A handle record as an HTML table, for notebooks: escaped throughout, only http(s) URLs become links.
import type { HandleRecordJson } from '../types.js';
import { describeTtl, describeValue, type Line } from './describe.js';
import { escapeHtml, linkTo } from './escape.js';
import { checkedRecord, isHighlighted, NO_RECORD, recordLinks, type RecordViewOptions } from './record.js';

// Jupyter's notebook CSS right-aligns table cells and may drop <style> elements, so every element
// carries its own inline style.
const CELL = 'border:1px solid #d0d7de;padding:3px 8px;text-align:left;vertical-align:top';
const HEAD = `${CELL};background:#f6f8fa;font-weight:600`;
const VALUE_CELL = `${CELL};font-family:monospace;white-space:pre-wrap;overflow-wrap:anywhere;word-break:break-word;max-width:60ch`;
const HIGHLIGHT_ROW = 'background:#fff3bf;box-shadow:inset 4px 0 0 #f08c00';
// 6.9:1 on white, 6.1:1 or more on the verdict boxes' tints and on a highlighted row (WCAG AA asks 4.5:1).
export const MUTED = 'color:#545b64';

function linesToHtml(lines: Line[]): string {
  return lines
    .map((line) =>
      line
        .map((piece) => {
          const html = piece.href !== undefined ? linkTo(piece.href, piece.text) : escapeHtml(piece.text);
          return piece.muted ? `<span style="${MUTED}">${html}</span>` : html;
        })
        .join(''),
    )
    .join('<br>');
}

/**
 * A handle record as an HTML table (index, type, value, TTL, timestamp) whose caption holds the
 * handle and links to resolve it, to see its record page and to read its JSON. Every string from
 * the record is escaped; only http(s) URLs become links. HS_ADMIN values list the permissions
 * their bit string grants. `null` (an unknown handle) gives a one-line note instead of a table.
 *
 * @example
 * import * as tslab from 'tslab';
 * const record = await client.retrieveHandleRecordJson(pid);
 * tslab.display.html(recordTable(record, { resolverBaseUrl: 'http://localhost:8000', highlight: ['CHECKSUM'] }));
 */
export function recordTable(record: HandleRecordJson | null, options: RecordViewOptions = {}): string {
  // `retrieveHandleRecordJson` answers null for an unknown handle; that is a result, not a bug.
  if (record === null) return `<div style="font-family:sans-serif;font-size:13px;${MUTED}">${escapeHtml(NO_RECORD)}</div>`;
  const { handle, values } = checkedRecord(record, 'recordTable');
  const links = recordLinks(handle, options);
  const responseCode = (record as { responseCode?: unknown }).responseCode;
  const caption =
    `<caption style="caption-side:top;text-align:left;padding:4px 0">` +
    `<strong style="font-family:monospace">${escapeHtml(handle)}</strong>` +
    (responseCode !== undefined && responseCode !== 1 ? ` <span style="${MUTED}">responseCode ${escapeHtml(responseCode)}</span>` : '') +
    ` &nbsp;${linkTo(links.resolve, 'resolve')} · ${linkTo(links.recordPage, 'record page')} · ${linkTo(links.json, 'JSON')}` +
    `</caption>`;
  const head = `<tr>${['index', 'type', 'value', 'TTL', 'timestamp'].map((h) => `<th style="${HEAD}">${h}</th>`).join('')}</tr>`;
  const rows = values.map((v) => {
    const style = isHighlighted(v.type, options) ? ` style="${HIGHLIGHT_ROW}"` : '';
    return (
      `<tr${style}>` +
      `<td style="${CELL};text-align:right">${escapeHtml(v.index)}</td>` +
      `<td style="${CELL};font-family:monospace">${escapeHtml(v.type)}</td>` +
      `<td style="${VALUE_CELL}">${linesToHtml(describeValue(v))}</td>` +
      `<td style="${CELL};white-space:nowrap">${escapeHtml(describeTtl(v.ttl))}</td>` +
      `<td style="${CELL};white-space:nowrap">${escapeHtml(v.timestamp ?? '—')}</td>` +
      `</tr>`
    );
  });
  if (rows.length === 0) rows.push(`<tr><td colspan="5" style="${CELL};${MUTED}">(no values)</td></tr>`);
  return (
    `<table style="border-collapse:collapse;font-family:sans-serif;font-size:13px;margin:4px 0">` +
    `${caption}<thead>${head}</thead><tbody>${rows.join('')}</tbody></table>`
  );
}
