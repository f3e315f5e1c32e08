// Where `pid` writes: results on stdout (plain lines or one JSON document) for scripts, confirmations on stderr only for a person at a terminal.

/** One result line, e.g. a handle. @example printLine(pid) */
export function printLine(text: string): void {
  process.stdout.write(`${text}\n`);
}

/** The machine-readable result of `--json`: one document, pretty enough to read. @example printJson({ handle: pid }) */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/**
 * A confirmation such as "modified …": useful to a person, noise to a script, so it is only shown
 * when stderr is a terminal.
 * @example printStatus(`deleted ${pid}`)
 */
export function printStatus(text: string): void {
  if (process.stderr.isTTY) process.stderr.write(`${text}\n`);
}

/** A handle value as text: strings as they are, structured data (HS_ADMIN) as compact JSON. @example valueText({ handle: '0.NA/21.T12995', index: 200 }) */
export function valueText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
