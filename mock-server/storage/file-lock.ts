// An SQLite exclusive lock on a file of its own, held for the life of the connection. The operating
// system drops it when the process dies, so a SIGKILLed holder never leaves a stale lock behind.
import Database from 'better-sqlite3';

/** Another live process holds the lock. */
export class FileLockBusyError extends Error {}

export interface FileLock {
  release(): void;
}

/** Takes the lock on `file` (created when missing) without waiting; throws FileLockBusyError when it is held. */
export function holdExclusiveLock(file: string): FileLock {
  const db = new Database(file, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    // The first write takes the exclusive lock; it is then held for the life of the connection.
    db.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER); BEGIN EXCLUSIVE; DELETE FROM holder; COMMIT;');
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY') throw new FileLockBusyError(`${file} is locked by another process`);
    throw error;
  }
  return { release: () => db.close() };
}
