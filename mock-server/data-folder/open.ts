// Opens a data folder's store for the commands that work on it directly (`pid-mock identity`,
// `prefix`, `class`, `state`), whether or not a server is serving that folder (WAL: the server sees
// their commits, they see the server's). The one place that decides whether a folder is ready.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { HandleStore } from '../storage/store.js';
import { readState, type ProvisionedState } from './provisioning-state.js';
import { dataFolderLayout } from './layout.js';

/** The folder is not one a server has set up: the message says how to make it one. */
export class DataFolderError extends Error {}

/**
 * Runs `work` on the folder's store and closes it afterwards (also when `work` returns a promise).
 * Throws DataFolderError when the folder has no store yet or was never provisioned.
 */
export function withDataFolder<T>(dataDir: string, work: (store: HandleStore, dir: string, state: ProvisionedState) => T): T {
  const dir = resolve(dataDir);
  const file = dataFolderLayout(dir).database;
  if (!existsSync(file)) throw new DataFolderError(`${dir} is not a pid-mock data folder yet: run "pid-mock serve --data ${dataDir}" once to create it`);
  const store = HandleStore.open(file);
  const close = () => store.close();
  try {
    const state = readState(store);
    if (!state) throw new DataFolderError(`${dir} was never provisioned: run "pid-mock serve --data ${dataDir}" once`);
    const result = work(store, dir, state);
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
