// The kernel's line to the compile service. tslab asks its converter synchronously (convert, inspect,
// complete), so the kernel waits on this worker thread (synckit) while it talks to the service's socket.
import { type Socket, connect } from 'node:net';
import { runAsWorker } from 'synckit';
import { rebaseImportTypes } from './declaration-paths.js';
import { COMPILE_SERVICE_VARIABLE, type CompileReply, type CompileRequest, onLines, socketAddress } from './compile-protocol.js';

type Waiting = { resolve(reply: CompileReply): void; reject(error: Error): void };
type Line = { socket: Socket; waiting: Map<number, Waiting>; folder: Promise<string> };

/**
 * How long a kernel that had its service waits for it to come back before compiling a cell itself: the hub
 * restarts a service that exits, and it listens again within seconds. Thirty kernels loading TypeScript at
 * once instead would need ≈ 6 GB more on the class's machine.
 */
const RECONNECT_WINDOW_MS = 20_000;
const RECONNECT_PAUSE_MS = 250;

/** The service's connection; `folder` is where it compiles (its answer to `open`). */
let line: Line | undefined;
let everConnected = false;
/** The modules this kernel added: a new connection (a restarted service) gets them again first. */
const modules: CompileRequest[] = [];

/** Sends `request` on `current` and waits for its reply. */
function exchange(current: Line, request: CompileRequest): Promise<CompileReply> {
  return new Promise<CompileReply>((resolve, reject) => {
    current.waiting.set(request.id, { resolve, reject });
    current.socket.write(`${JSON.stringify(request)}\n`);
  });
}

function open(address: string): Line {
  const socket = connect(socketAddress(address));
  const waiting = new Map<number, Waiting>();
  const fail = (error: Error) => {
    for (const waiter of waiting.values()) waiter.reject(error);
    waiting.clear();
    if (line?.socket === socket) line = undefined;
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
      // Not the service's answer: this connection is not to be trusted.
      socket.destroy(new Error('the compile service answered something that is not JSON'));
      return;
    }
    waiting.get(reply.id)?.resolve(reply);
    waiting.delete(reply.id);
  });
  socket.on('error', (error) => fail(error));
  socket.on('close', () => fail(new Error('the compile service closed the connection')));
  const current: Line = { socket, waiting, folder: Promise.resolve('') };
  // The service makes this kernel's converter now, while Jupyter is still connecting to the kernel; a
  // restarted service gets the kernel's modules again.
  current.folder = ready.then(async () => {
    const opened = await exchange(current, { id: 0, op: 'open' });
    if (!('result' in opened) || typeof opened.result !== 'string') throw new Error('the compile service did not say where it compiles');
    everConnected = true;
    for (const module of modules) await exchange(current, module);
    return opened.result;
  });
  current.folder.catch(() => undefined);
  return current;
}

/** A connection that has answered `open`: for a kernel that had one, waiting a while for a restarted service. */
async function connection(address: string): Promise<{ current: Line; folder: string }> {
  const giveUp = Date.now() + (everConnected ? RECONNECT_WINDOW_MS : 0);
  for (;;) {
    line ??= open(address);
    const current = line;
    try {
      return { current, folder: await current.folder };
    } catch (error) {
      if (line === current) line = undefined;
      if (Date.now() >= giveUp) throw error;
      await new Promise((resolve) => setTimeout(resolve, RECONNECT_PAUSE_MS));
    }
  }
}

// The thread starts with the kernel, and connects at once (see open).
const address = process.env[COMPILE_SERVICE_VARIABLE];
if (address) line = open(address);

/**
 * The service's reply to `request`, with the folder the service compiles in. A request the service was
 * working on when it went away is not sent again (it may be what brought the service down): the kernel
 * compiles that cell itself.
 */
runAsWorker(async (address: string, request: CompileRequest): Promise<CompileReply & { folder: string }> => {
  const { current, folder } = await connection(address);
  // The declarations of earlier cells, with their import paths as the service would have written them.
  const sent = 'prevDecl' in request ? { ...request, prevDecl: rebaseImportTypes(request.prevDecl, process.cwd(), folder) } : request;
  const reply = await exchange(current, sent);
  if (request.op === 'addModule' && 'result' in reply) modules.push(request);
  return { ...reply, folder };
});
