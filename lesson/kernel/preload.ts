// Between answering Jupyter's first kernel_info request and receiving the first cell, a new kernel waits
// a few hundred milliseconds while the notebook server and the browser connect. Every chapter's first cell
// imports the lesson (undici, zod, the client: ≈ 140 ms of module loading), so the kernel loads those modules
// in that pause, and the first cell finds them in Node's module cache. The cell still does its own import;
// if loading fails here (a kernel started outside the project), nothing is kept and the cell reports it.
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** What every chapter's first cell imports. */
export const FIRST_CELL_MODULES = ['pid-handson/lesson'];

interface ZmqServerClass {
  prototype: { handleKernelInfo(this: unknown, ...args: unknown[]): unknown };
}

/** Loads `modules` (as a cell in `folder` would) once, right after the kernel's first kernel_info reply. */
export function preloadAfterKernelInfo(zmqServer: ZmqServerClass, folder: string, modules: readonly string[] = FIRST_CELL_MODULES): void {
  const original = zmqServer.prototype.handleKernelInfo;
  let scheduled = false;
  zmqServer.prototype.handleKernelInfo = function (this: unknown, ...args: unknown[]) {
    const replied = original.apply(this, args);
    if (!scheduled) {
      scheduled = true;
      // setImmediate: the reply is on its way before the loading blocks this thread.
      setImmediate(() => {
        const load = createRequire(join(folder, '__preload__.js'));
        for (const name of modules) {
          try {
            load(name);
          } catch {
            // the cell that imports it shows why
          }
        }
      });
    }
    return replied;
  };
}
