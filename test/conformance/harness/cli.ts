// `npm run conformance -- <folder>`: replays a folder of real Handle.Net server transcripts against fresh
// in-process mock servers and prints the comparison; exit 0 = conformant, 1 = mismatches, 2 = usage error.
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadTranscripts } from './transcript.js';
import { exitCodeOf, formatReport, replayFolder } from './replay.js';
import { startScenario } from './scenario.js';

const USAGE = 'usage: npm run conformance -- <folder with NN-name.json transcripts>';

function usageError(message: string): never {
  process.stderr.write(`conformance: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

async function main(argv: string[]): Promise<number> {
  const [folderArgument, ...rest] = argv;
  if (folderArgument === undefined || folderArgument === '') usageError('missing folder argument');
  if (rest.length) usageError(`unexpected arguments: ${rest.join(' ')}`);
  const folder = resolve(folderArgument);
  if (!isFolder(folder)) usageError(`not a folder: ${folderArgument}`);
  if (loadTranscripts(folder).length === 0) usageError(`no NN-name.json transcripts in ${folderArgument}`);

  const scenario = await startScenario();
  try {
    const report = await replayFolder(folder, { scenario });
    process.stdout.write(formatReport(report));
    return exitCodeOf(report);
  } finally {
    await scenario.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`conformance: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
