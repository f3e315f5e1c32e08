// Fills a stopped server's data folder with many realistic handles (iRODS and HTTPS URLs, sha256
// CHECKSUMs) straight into its SQLite file, in one transaction, so big-store runs start in seconds.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { HandleStore } from '../../mock-server/storage/store.js';
import { parseValueInput } from '../../mock-server/handle/value-codec.js';
import { startMock, type ServerProcess } from './processes.js';

export const FILL_PREFIX = '21.T12995';

/** The URL and CHECKSUM of fill handle `i`, so look-ups can probe known values. */
export function fillValues(i: number): { url: string; checksum: string } {
  const checksum = `sha256:${createHash('sha256').update(`file-${i}`).digest('hex')}`;
  const url =
    i % 2 === 0
      ? `irods://irods.data.example.org:1247/eudatZone/home/project-${i % 97}/run-${Math.floor(i / 1000)}/sample-${i}.nc`
      : `https://repository.example.org/records/${i}/files/measurements-${i}.csv`;
  return { url, checksum };
}

/** Adds handles BENCH-<from> … BENCH-<to - 1>. */
export function fillDataFolder(dataDir: string, from: number, to: number): void {
  const store = HandleStore.open(join(dataDir, 'handles.sqlite'));
  try {
    const timestamp = Math.floor(Date.now() / 1000);
    store.transaction(() => {
      for (let i = from; i < to; i++) {
        const { url, checksum } = fillValues(i);
        const values = [
          { index: 1, type: 'URL', data: url },
          { index: 2, type: 'CHECKSUM', data: checksum },
          { index: 100, type: 'HS_ADMIN', data: { format: 'admin', value: { handle: `0.NA/${FILL_PREFIX}`, index: 200, permissions: '011111110011' } } },
        ].map((v, n) => ({ ...parseValueInput(v, `values[${n}]`), timestamp }));
        store.replaceRecord(`${FILL_PREFIX}/BENCH-${i}`, values, { actor: 'bench', action: 'create' });
      }
    });
  } finally {
    store.close();
  }
}

/**
 * Runs `measure` at each store size in turn on one growing data folder: the server is stopped, handles
 * are added to its file up to the next size, and it is started again. Resolves with the server of the
 * last size, still running (the caller stops it); on a failure the running server is stopped here.
 */
export async function atEachStoreSize(
  first: ServerProcess,
  sizes: number[],
  measure: (server: ServerProcess, size: number) => Promise<void>,
): Promise<ServerProcess> {
  let server = first;
  let filled = 0;
  try {
    for (const size of sizes) {
      await server.stop();
      fillDataFolder(server.dataDir, filled, size);
      filled = size;
      server = await startMock({ dataDir: server.dataDir });
      await measure(server, size);
    }
    return server;
  } catch (error) {
    await server.stop();
    throw error;
  }
}
