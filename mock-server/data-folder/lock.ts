// One server per data folder: a second `pid-mock serve` on the same folder would race the first on
// every create, so it is refused with a message naming the running server. The lock is an SQLite
// exclusive lock, which the operating system drops when its process dies, so a SIGKILLed server never
// leaves a stale lock behind.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export const LOCK_FILE = 'server.lock';
export const OWNER_FILE = 'server.pid';

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
  const db = new Database(join(dataDir, LOCK_FILE), { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    // The first write takes the exclusive lock; it is then held for the life of the connection.
    db.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER); BEGIN EXCLUSIVE; DELETE FROM holder; COMMIT;');
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
    throw new DataFolderLockedError(
      `the data folder ${dataDir} is in use by another pid-mock server${ownerText(dataDir)}; stop that server first, or start this one with another --data folder`,
    );
  }
  const ownerFile = join(dataDir, OWNER_FILE);
  writeFileSync(ownerFile, `${process.pid}\n`);
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      rmSync(ownerFile, { force: true });
      db.close();
    },
  };
}

function ownerText(dataDir: string): string {
  try {
    const pid = readFileSync(join(dataDir, OWNER_FILE), 'utf8').trim();
    return /^\d+$/.test(pid) ? ` (process ${pid})` : '';
  } catch {
    return '';
  }
}
