// Checksums of data computed from its bytes, following resolver redirects: the lesson's original code
// hashed the path string instead of the file, which is the mistake this replaces.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { interceptors, request } from 'undici';
// The type from its own declaration file, not undici's index: the notebooks' kernel then loads 10 of undici's
// declaration files instead of 44 (the same class, so the type is the same).
import type Dispatcher from 'undici/types/dispatcher';
import { busyHint, handleFailure, serverBusy } from './error-kinds.js';
import { connectionError, createDispatcher } from './transport/index.js';

export type ChecksumAlgorithm = 'md5' | 'sha1' | 'sha256' | 'sha512';

/**
 * Downloads `url` (following up to 10 redirects, e.g. from a PID resolver to the file) and returns the
 * hex digest of its bytes.
 * @example const md5 = await checksumOfUrl(`${resolver}/${pid}`, 'md5');
 */
export async function checksumOfUrl(
  url: string,
  algorithm: ChecksumAlgorithm = 'md5',
  options: { dispatcher?: Dispatcher; httpsVerify?: boolean | string } = {},
): Promise<string> {
  const base = options.dispatcher ?? createDispatcher({ httpsVerify: options.httpsVerify });
  const dispatcher = base.compose(interceptors.redirect({ maxRedirections: 10 }));
  try {
    let response: Dispatcher.ResponseData;
    try {
      response = await request(url, { dispatcher });
    } catch (error) {
      // A PID moved to a local path redirects to a file: URL, which the resolver can name but nobody can download.
      if (/URL protocol|unsupported protocol/i.test((error as Error).message ?? '')) {
        throw handleFailure(undefined, `download of ${url} was redirected to a location that is not on the web`, {
          hint: 'the PID points to a non-HTTP location (e.g. file:///…): its metadata is public, the data itself is not downloadable',
          cause: error,
        });
      }
      throw connectionError(url, error);
    }
    if (response.statusCode === 503) {
      // Busy (or a teaching fault), not unreachable: the answer says which, and another try helps.
      const said = (await response.body.text()).slice(0, 2000);
      const retryAfter = response.headers['retry-after'];
      throw serverBusy(
        undefined,
        `download of ${url} answered HTTP 503: the server is too busy${retryAfter ? ` (it asks to retry after ${retryAfter} s)` : ''}`,
        {
          httpStatus: 503,
          tries: 1,
          hint: busyHint(said, 1, 'call checksumOfUrl again in a loop that waits between tries'),
        },
      );
    }
    if (response.statusCode !== 200) {
      await response.body.dump();
      throw handleFailure(undefined, `download of ${url} answered HTTP ${response.statusCode}`, {
        httpStatus: response.statusCode,
        hint: 'a PID whose URL points to a place this machine cannot reach resolves, but the download fails',
      });
    }
    const hash = createHash(algorithm);
    for await (const chunk of response.body) hash.update(chunk as Buffer);
    return hash.digest('hex');
  } finally {
    if (!options.dispatcher) await base.close();
  }
}

/**
 * Hex digest of a local file's bytes.
 * @example checksumOfFile('surveys.csv') // 'ef49…'
 */
export function checksumOfFile(path: string, algorithm: ChecksumAlgorithm = 'md5'): string {
  return createHash(algorithm).update(readFileSync(path)).digest('hex');
}
