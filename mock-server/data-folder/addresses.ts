// Where the server on a data folder answers, stored at every start so that the instructor's commands
// (bundles, state import) can write URLs without a running server.
import type { HandleStore } from '../storage/store.js';

export interface ServerAddresses {
  httpsUrl: string;
  httpUrl: string;
}

const ADDRESSES_KEY = 'server-addresses';

export function saveAddresses(store: HandleStore, addresses: ServerAddresses): void {
  store.setSetting(ADDRESSES_KEY, JSON.stringify(addresses));
}

/** The addresses of the last `pid-mock serve` on this data folder, if it ever served. */
export function readAddresses(store: HandleStore): ServerAddresses | undefined {
  const text = store.getSetting(ADDRESSES_KEY);
  return text ? (JSON.parse(text) as ServerAddresses) : undefined;
}
