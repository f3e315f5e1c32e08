// One server per data folder: a second `pid-mock serve` on the same folder would race the first on
// every create, so it is refused with a message naming the running server. The lock itself is the
// storage layer's (an SQLite exclusive lock, dropped by the operating system when its process dies).
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { FileLockBusyError, holdExclusiveLock, type FileLock } from '../storage/file-lock.js';
import { dataFolderLayout } from './layout.js';

export class DataFolderLockedError extends Error {}

export interface DataFolderLock {
  release(): void;
}

/**
 * Holds the data folder for this process until `release` (or exit). Throws DataFolderLockedError,
 * saying which process holds it, when another live server does.
 *
 * @example const lock = lockDataFolder('./data'); ... lock.release();
 */
export function lockDataFolder(dataDir: string): DataFolderLock {
  const layout = dataFolderLayout(dataDir);
  let held: FileLock;
  try {
    held = holdExclusiveLock(layout.lockFile);
  } catch (error) {
    if (!(error instanceof FileLockBusyError)) throw error;
    throw new DataFolderLockedError(
      `the data folder ${dataDir} is in use by another pid-mock server${ownerText(layout.ownerFile)}; stop that server first, or start this one with another --data folder`,
    );
  }
  writeFileSync(layout.ownerFile, `${process.pid}\n`);
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      rmSync(layout.ownerFile, { force: true });
      held.release();
    },
  };
}

function ownerText(ownerFile: string): string {
  try {
    const pid = readFileSync(ownerFile, 'utf8').trim();
    return /^\d+$/.test(pid) ? ` (process ${pid})` : '';
  } catch {
    return '';
  }
}
