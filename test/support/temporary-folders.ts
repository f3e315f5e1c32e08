// Temporary folders that go away with the process that made them, so no test or benchmark leaves
// pid-* folders behind in the system temp folder, even when it fails half-way or a server it started
// still holds the folder open.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made = new Set<string>();

process.once('exit', () => {
  for (const folder of made) rmSync(folder, { recursive: true, force: true });
});

/**
 * A fresh folder `<system temp>/<stem>XXXXXX`, removed when this process exits (earlier with
 * removeTemporaryFolder).
 *
 * @example const dataDir = temporaryFolder('pid-mock-test-');
 */
export function temporaryFolder(stem: string): string {
  const folder = mkdtempSync(join(tmpdir(), stem));
  made.add(folder);
  return folder;
}

/** Removes a folder now (one from temporaryFolder or any other). */
export function removeTemporaryFolder(folder: string): void {
  rmSync(folder, { recursive: true, force: true });
  made.delete(folder);
}
