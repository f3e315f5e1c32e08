// Runs a notebook's code cells on a Jupyter kernel over its websocket (/api/kernels/<id>/channels), the
// way the notebook page in a browser does: one execute_request per cell, outputs from iopub until the
// kernel is idle again, the execute_reply's status from shell.
import { randomUUID } from 'node:crypto';
import { WebSocket } from 'undici';

export interface CellRun {
  source: string;
  status: string;
  output: string;
  errors: string[];
  stderr: string;
}

interface Message {
  header: { msg_id: string; msg_type: string };
  parent_header: { msg_id?: string };
  // biome-ignore lint/suspicious/noExplicitAny: Jupyter messages' content differs per msg_type; the channel reads the few fields each type has
  content: any;
  channel: string;
}

export class KernelChannel {
  private readonly waiting = new Map<string, { cell: CellRun; replied: boolean; idle: boolean; done: () => void }>();
  private readonly session = randomUUID();

  private constructor(private readonly socket: WebSocket) {
    socket.addEventListener('message', (event) => {
      const message = JSON.parse(String(event.data)) as Message;
      const pending = this.waiting.get(message.parent_header?.msg_id ?? '');
      if (!pending) return;
      const { cell } = pending;
      const type = message.header.msg_type;
      if (message.channel === 'shell' && type === 'execute_reply') {
        cell.status = message.content.status;
        pending.replied = true;
      } else if (type === 'stream') {
        cell.output += message.content.text;
        if (message.content.name === 'stderr') cell.stderr += message.content.text;
      } else if (type === 'execute_result' || type === 'display_data') {
        cell.output += message.content.data?.['text/plain'] ?? message.content.data?.['text/html'] ?? '';
      } else if (type === 'error') {
        cell.errors.push(`${message.content.ename}: ${message.content.evalue}`);
      } else if (type === 'status' && message.content.execution_state === 'idle') {
        pending.idle = true;
      }
      if (pending.replied && pending.idle) {
        this.waiting.delete(message.parent_header.msg_id!);
        pending.done();
      }
    });
  }

  static async open(url: string, token: string): Promise<KernelChannel> {
    const socket = new WebSocket(url, { headers: { Authorization: `token ${token}` } } as never);
    await new Promise<void>((resolve, reject) => {
      socket.addEventListener('open', () => resolve(), { once: true });
      // biome-ignore lint/suspicious/noExplicitAny: a browser-style ErrorEvent's message, not in Node's Event type
      socket.addEventListener('error', (event) => reject(new Error(`kernel websocket ${url}: ${(event as any).message ?? 'error'}`)), { once: true });
    });
    return new KernelChannel(socket);
  }

  async execute(source: string, timeoutMs = 180_000): Promise<CellRun> {
    const msgId = randomUUID();
    const cell: CellRun = { source, status: 'no reply', output: '', errors: [], stderr: '' };
    const finished = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to the cell within ${timeoutMs} ms:\n${source.slice(0, 300)}`)), timeoutMs);
      this.waiting.set(msgId, {
        cell,
        replied: false,
        idle: false,
        done: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
    this.socket.send(
      JSON.stringify({
        header: { msg_id: msgId, msg_type: 'execute_request', username: 'trainee', session: this.session, date: new Date().toISOString(), version: '5.3' },
        parent_header: {},
        metadata: {},
        content: { code: source, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true },
        channel: 'shell',
        buffers: [],
      }),
    );
    await finished;
    return cell;
  }

  close(): void {
    this.socket.close();
  }
}
