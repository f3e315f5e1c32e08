// The kernel's line to the compile service. tslab asks its converter synchronously (convert, inspect,
// complete), so the kernel waits on this worker thread (synckit) while it talks to the service's socket.
import { type Socket, connect } from 'node:net';
import { runAsWorker } from 'synckit';
import { rebaseImportTypes } from './declaration-paths.js';
import { COMPILE_SERVICE_VARIABLE, type CompileReply, type CompileRequest, onLines, socketAddress } from './compile-protocol.js';

type Waiting = { resolve(reply: CompileReply): void; reject(error: Error): void };

/** The service's connection; `folder` is where it compiles (its answer to `open`). */
let line: { socket: Socket; waiting: Map<number, Waiting>; ready: Promise<void>; folder: Promise<string> } | undefined;

function open(address: string) {
  const socket = connect(socketAddress(address));
  const waiting = new Map<number, Waiting>();
  const fail = (error: Error) => {
    for (const waiter of waiting.values()) waiter.reject(error);
    waiting.clear();
    line = undefined;
  };
  const ready = new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  onLines(socket, (text) => {
    let reply: CompileReply;
    try {
      reply = JSON.parse(text) as CompileReply;
    } catch {
      // Not the service's answer: the kernel compiles itself from now on.
      socket.destroy(new Error('the compile service answered something that is not JSON'));
      return;
    }
    waiting.get(reply.id)?.resolve(reply);
    waiting.delete(reply.id);
  });
  socket.on('error', (error) => fail(error));
  socket.on('close', () => fail(new Error('the compile service closed the connection')));
  // The service makes this kernel's converter now, while Jupyter is still connecting to the kernel.
  const folder = ready.then(
    () =>
      new Promise<string>((resolve, reject) => {
        waiting.set(0, {
          resolve: (reply) => ('result' in reply && typeof reply.result === 'string' ? resolve(reply.result) : reject(new Error('no folder'))),
          reject,
        });
        socket.write(`${JSON.stringify({ id: 0, op: 'open' } satisfies CompileRequest)}\n`);
      }),
  );
  folder.catch(() => undefined);
  return { socket, waiting, ready, folder };
}

// The thread starts with the kernel, and connects at once (see open).
const address = process.env[COMPILE_SERVICE_VARIABLE];
if (address) line = open(address);

/** The service's reply to `request`, with the folder the service compiles in. */
runAsWorker(async (address: string, request: CompileRequest): Promise<CompileReply & { folder: string }> => {
  line ??= open(address);
  const current = line;
  const folder = await current.folder;
  // The declarations of earlier cells, with their import paths as the service would have written them.
  const sent = 'prevDecl' in request ? { ...request, prevDecl: rebaseImportTypes(request.prevDecl, process.cwd(), folder) } : request;
  const reply = await new Promise<CompileReply>((resolve, reject) => {
    current.waiting.set(request.id, { resolve, reject });
    current.socket.write(`${JSON.stringify(sent)}\n`);
  });
  return { ...reply, folder };
});
