// Where everything the notebook helpers show goes: one sink (tslab's display in a kernel, console.log
// elsewhere, or one set by setDisplay), and showRecord, which sends a record there in both views.
import { dirname, join } from 'node:path';
import type { HandleRecordJson } from '../../src/types.js';
import { recordTable } from '../../src/record-view/html.js';
import type { RecordViewOptions } from '../../src/record-view/record.js';
import { isObject } from '../../src/record-view/shape.js';
import { recordText } from '../../src/record-view/text.js';

/**
 * Receives everything the helpers show, in both forms; set one with {@link setDisplay}.
 *
 * @example
 * const shown: string[] = [];
 * const sink: DisplaySink = ({ text }) => shown.push(text);
 * setDisplay(sink);
 */
export type DisplaySink = (output: { html: string; text: string }) => void;

/**
 * The part of tslab's `display` object the helpers use.
 *
 * @example
 * import * as tslab from 'tslab';
 * const display: TslabLikeDisplay = tslab.display;
 */
export interface TslabLikeDisplay {
  html(html: string): void;
}

let chosenSink: DisplaySink | null = null;
let kernelDisplay: TslabLikeDisplay | undefined;

/**
 * Sends all output of the helpers somewhere else: a function receiving `{ html, text }`
 * (tests), tslab's `display` object, or `null` to go back to the default (tslab's display inside
 * a tslab kernel, `console.log` of the text form everywhere else). Returns the previous sink.
 *
 * @example
 * import * as tslab from 'tslab';
 * setDisplay(tslab.display);            // explicit, in the first cell of a notebook
 * const outputs: string[] = [];
 * setDisplay(({ html }) => outputs.push(html)); // in a test
 * setDisplay(null);                     // back to the default
 */
export function setDisplay(sink: DisplaySink | TslabLikeDisplay | null | undefined): DisplaySink | null {
  const previous = chosenSink;
  if (typeof sink === 'function') chosenSink = sink;
  else if (sink && typeof sink.html === 'function') chosenSink = ({ html }) => sink.html(html);
  else chosenSink = null;
  return previous;
}

function isDisplay(candidate: unknown): candidate is TslabLikeDisplay {
  return isObject(candidate) && typeof candidate.html === 'function';
}

/**
 * tslab's display object when this code runs inside a tslab kernel, else undefined.
 *
 * A plain `require('tslab')` from here would not do: it resolves from this package's folder, not
 * the kernel's (tslab is usually installed globally), and a second copy of tslab is "not ready"
 * because only the kernel's copy is wired to Jupyter. So the kernel's own copy is taken from
 * Node's module cache, where the kernel loaded it.
 */
function findKernelDisplay(): TslabLikeDisplay | undefined {
  if (kernelDisplay) return kernelDisplay;
  if (typeof require !== 'function' || !require.cache) return undefined;
  const loaded = Object.keys(require.cache);
  const publicModule = loaded.find((file) => /[\\/]tslab[\\/]dist[\\/]public\.js$/.test(file));
  const jupyterModule = loaded.find((file) => /[\\/]tslab[\\/]dist[\\/]jupyter\.js$/.test(file));
  try {
    // The kernel loads dist/jupyter.js at start but dist/public.js (tslab's `display`) only when a
    // cell first imports "tslab"; requiring it by absolute path reuses the kernel's jupyter.js.
    const exported: unknown = publicModule
      ? require.cache[publicModule]?.exports
      : jupyterModule
        ? require(join(dirname(jupyterModule), 'public.js'))
        : undefined;
    const display = isObject(exported) ? exported.display : undefined;
    if (isDisplay(display)) kernelDisplay = display;
  } catch {
    kernelDisplay = undefined;
  }
  return kernelDisplay;
}

export function emit(html: string, text: string): void {
  try {
    if (chosenSink) {
      chosenSink({ html, text });
      return;
    }
    const display = findKernelDisplay();
    if (display) {
      display.html(html);
      return;
    }
  } catch {
    // A broken sink must not turn a check into an exception; the text still reaches the learner.
  }
  console.log(text);
}

/**
 * Shows a handle record: as the HTML table of {@link recordTable} inside Jupyter (tslab), as the
 * text table of {@link recordText} anywhere else.
 *
 * @example
 * const record = await client.retrieveHandleRecordJson(pid);
 * showRecord(record, { resolverBaseUrl: credentials.serverUrl, highlight: ['URL'] });
 */
export function showRecord(record: HandleRecordJson | null, options: RecordViewOptions = {}): void {
  emit(recordTable(record, options), recordText(record, options));
}
