// The recorded request/response transcripts of a real Handle.Net server (format described in the fixtures'
// README): their shape, and finding them in a folder in the order they were recorded.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Transcript {
  request: {
    method: string;
    path: string;
    headers: Record<string, string>;
    /** Object or array = JSON entity; string = raw bytes as sent; null = no entity. */
    body: unknown;
  };
  response: {
    status: number;
    headers: Record<string, string>;
    /** Parsed JSON, or a string for HTML, JSONP and empty ("") bodies. */
    body: unknown;
  };
  meta: {
    scheme: 'http' | 'https';
    url?: string;
    clientCertificate: string | null;
    otherResponseHeaders?: Record<string, string | string[]>;
    note?: string;
  };
}

export interface TranscriptCase {
  number: number;
  /** File name without the number and extension, e.g. `get-existing`. */
  name: string;
  file: string;
  /** `variant-*` cases were recorded against the server that homes only 21.T12995. */
  server: 'main' | 'variant';
  transcript: Transcript;
}

const CASE_FILE = /^(\d+)-(.+)\.json$/;

/** The `NN-name.json` files of a folder in numeric order (02 before 10 before 100), as they were recorded. */
export function loadTranscripts(folder: string): TranscriptCase[] {
  const cases: TranscriptCase[] = [];
  for (const file of readdirSync(folder)) {
    const match = CASE_FILE.exec(file);
    if (!match) continue;
    const name = match[2]!;
    const transcript = JSON.parse(readFileSync(join(folder, file), 'utf8')) as Transcript;
    cases.push({ number: Number(match[1]), name, file, server: name.startsWith('variant-') ? 'variant' : 'main', transcript });
  }
  return cases.sort((a, b) => a.number - b.number || a.file.localeCompare(b.file));
}
