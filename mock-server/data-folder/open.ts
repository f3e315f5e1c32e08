// Opens a data folder's SQLite file for the instructor's commands, which run whether or not a server
// is serving that folder (WAL: the server sees their commits, they see the server's).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { HandleStore } from '../storage/store.js';
import { readState } from './provisioning.js';

export class InstructorCommandError extends Error {}

export function withDataFolder<T>(dataDir: string, work: (store: HandleStore, dir: string) => T): T {
  const dir = resolve(dataDir);
  const file = join(dir, 'handles.sqlite');
  if (!existsSync(file)) throw new InstructorCommandError(`${dir} is not a pid-mock data folder yet: run "pid-mock serve --data ${dataDir}" once to create it`);
  const store = HandleStore.open(file);
  const close = () => store.close();
  try {
    if (!readState(store)) throw new InstructorCommandError(`${dir} was never provisioned: run "pid-mock serve --data ${dataDir}" once`);
    const result = work(store, dir);
    if (result instanceof Promise) {
      return result.finally(close) as T;
    }
    close();
    return result;
  } catch (error) {
    close();
    throw error;
  }
}
