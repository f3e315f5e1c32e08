// What a kernel and the compile service (compile-service.ts) say to each other: one JSON object per line,
// a request with an id, a reply with the same id.
import type { Readable } from 'node:stream';

/** The variable that names the service's socket for kernels: a path, or @NAME for a Linux abstract socket. */
export const COMPILE_SERVICE_VARIABLE = 'PID_HANDSON_COMPILE_SERVICE';

/** The largest request line the service reads (a notebook cell with its kernel's declarations is far smaller). */
export const COMPILE_REQUEST_LIMIT = 8 * 1024 * 1024;

export type CompileRequest =
  | { id: number; op: 'convert'; prevDecl: string; src: string }
  | { id: number; op: 'inspect' | 'complete'; prevDecl: string; src: string; position: number }
  | { id: number; op: 'addModule'; name: string; content: string; meta?: unknown }
  | { id: number; op: 'metadata'; src: string }
  | { id: number; op: 'open' };

/** `local`: the cell needs files the service does not read (the trainee's own), the kernel compiles it itself. */
export type CompileReply = { id: number; result: unknown } | { id: number; local: true };

/** The address Node's net module listens on or connects to: @NAME is the abstract socket NAME. */
export function socketAddress(name: string): string {
  return name.startsWith('@') ? `\0${name.slice(1)}` : name;
}

/** Calls `onLine` with each line `socket` (or any stream) receives; a line longer than `limit` characters closes it. */
export function onLines(socket: Readable, onLine: (line: string) => void, limit = Number.POSITIVE_INFINITY): void {
  let pending = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    pending += chunk;
    for (let end = pending.indexOf('\n'); end >= 0 && !socket.destroyed; end = pending.indexOf('\n')) {
      const line = pending.slice(0, end);
      pending = pending.slice(end + 1);
      if (line.length > limit) socket.destroy();
      else onLine(line);
    }
    if (pending.length > limit) socket.destroy();
  });
}
