// Where clients find the files a credentials file names: absolute paths, so that B2HANDLE (which hands
// `private_key` and `certificate_only` to `requests` unchanged) works from any working folder, written for
// the folder in which the client sees the credentials when that differs from the server's (containers).
import { isAbsolute, relative, resolve } from 'node:path';

/**
 * The absolute path a client uses for `file`, a file inside the server's `credentialsDir`.
 * `clientCredentialsDir` (default: env `PID_MOCK_CLIENT_CREDENTIALS_DIR`) is where the client sees that
 * folder, e.g. another container's mount point; without it the server's own path is used.
 *
 * @example clientPath('/data/credentials/USER01_privkey.pem', '/data/credentials', '/home/jovyan/credentials')
 *   // → '/home/jovyan/credentials/USER01_privkey.pem'
 */
export function clientPath(file: string, credentialsDir: string, clientCredentialsDir = process.env.PID_MOCK_CLIENT_CREDENTIALS_DIR): string {
  const absolute = resolve(file);
  if (!clientCredentialsDir) return absolute;
  if (!isAbsolute(clientCredentialsDir)) {
    throw new Error(`PID_MOCK_CLIENT_CREDENTIALS_DIR must be an absolute path (got ${JSON.stringify(clientCredentialsDir)})`);
  }
  const inside = relative(resolve(credentialsDir), absolute);
  if (inside.startsWith('..') || isAbsolute(inside)) return absolute;
  return resolve(clientCredentialsDir, inside);
}
