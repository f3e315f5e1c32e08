// A handle record as a plain-text table, for terminals (`pid read`), console.log and plain Node scripts.
import type { HandleRecordJson } from '../types.js';
import { describeTtl, describeValue } from './describe.js';
import { printable } from './printable.js';
import { checkedRecord, isHighlighted, NO_RECORD, recordLinks, type RecordViewOptions } from './record.js';

function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  for (const paragraph of text.split('\n')) {
    let rest = paragraph;
    while ([...rest].length > width) {
      const chars = [...rest];
      const window = chars.slice(0, width + 1).join('');
      const space = window.lastIndexOf(' ');
      // Break at a space when there is one; URLs and base64 have none, so they are cut hard.
      const cut = space > width / 3 ? space : width;
      out.push(chars.slice(0, cut).join('').trimEnd());
      rest = chars.slice(cut).join('').trimStart();
    }
    out.push(rest);
  }
  return out;
}

function pad(text: string, width: number, right = false): string {
  const gap = ' '.repeat(Math.max(0, width - [...text].length));
  return right ? gap + text : text + gap;
}

const VALUE_WIDTH = 60;

/**
 * The same view as {@link recordTable} as a plain-text table, for terminals, `console.log` and
 * plain Node scripts. Highlighted rows start with `>`.
 *
 * @example
 * console.log(recordText(record));
 * // Handle 21.T12995/0a1b…
 * //   resolve:     https://hdl.handle.net/21.T12995/0a1b…
 * //   …
 * //   index  type      value                     TTL              timestamp
 * //       1  URL       https://example.org/x     86400 s (1 d)    2024-05-02T10:11:12Z
 */
export function recordText(record: HandleRecordJson | null, options: RecordViewOptions = {}): string {
  if (record === null) return NO_RECORD;
  const { handle, values } = checkedRecord(record, 'recordText');
  const links = recordLinks(handle, options);
  const responseCode = (record as { responseCode?: unknown }).responseCode;
  const header = [
    `Handle ${printable(handle)}${responseCode !== undefined && responseCode !== 1 ? ` (responseCode ${printable(String(responseCode))})` : ''}`,
    `  resolve:     ${links.resolve}`,
    `  record page: ${links.recordPage}`,
    `  JSON:        ${links.json}`,
    '',
  ];
  const rows = values.map((v) => ({
    mark: isHighlighted(v.type, options) ? '>' : ' ',
    index: printable(String(v.index)),
    type: printable(String(v.type)),
    value: wrap(
      describeValue(v)
        .map((line) => line.map((p) => printable(p.text)).join(''))
        .join('\n'),
      VALUE_WIDTH,
    ),
    ttl: printable(describeTtl(v.ttl)),
    timestamp: printable(v.timestamp ?? '—'),
  }));
  const titles = { index: 'index', type: 'type', value: 'value', ttl: 'TTL', timestamp: 'timestamp' };
  const width = (pick: (r: (typeof rows)[number]) => string[], title: string) =>
    Math.max([...title].length, ...rows.flatMap((r) => pick(r).map((s) => [...s].length)));
  const w = {
    index: width((r) => [r.index], titles.index),
    type: width((r) => [r.type], titles.type),
    value: width((r) => r.value, titles.value),
    ttl: width((r) => [r.ttl], titles.ttl),
    timestamp: width((r) => [r.timestamp], titles.timestamp),
  };
  const line = (mark: string, index: string, type: string, value: string, ttl: string, timestamp: string) =>
    `${mark} ${pad(index, w.index, true)}  ${pad(type, w.type)}  ${pad(value, w.value)}  ${pad(ttl, w.ttl)}  ${timestamp}`.trimEnd();
  const body = [
    line(' ', titles.index, titles.type, titles.value, titles.ttl, titles.timestamp),
    line(' ', '-'.repeat(w.index), '-'.repeat(w.type), '-'.repeat(w.value), '-'.repeat(w.ttl), '-'.repeat(w.timestamp)),
  ];
  for (const r of rows) {
    r.value.forEach((valueLine, i) => {
      body.push(i === 0 ? line(r.mark, r.index, r.type, valueLine, r.ttl, r.timestamp) : line(r.mark, '', '', valueLine, '', ''));
    });
  }
  if (rows.length === 0) body.push('  (no values)');
  return [...header, ...body].join('\n');
}
