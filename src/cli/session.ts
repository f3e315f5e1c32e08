// One connected HandleClient per `pid` command: built from the chosen credentials, closed when the command ends whatever happens.
import type { HandleClient } from '../client.js';
import type { PIDClientCredentials } from '../credentials.js';
import { chooseCredentialsFile, loadCredentials } from './credentials-source.js';

/** The options every command accepts before or after its name. */
export interface GlobalOptions {
  credentials?: string;
}

export interface Session {
  client: HandleClient;
  credentials: PIDClientCredentials;
}

/**
 * Loads the credentials, builds the client, runs `work`, and closes the client's connections.
 * `connections` sizes the pool, one per operation a bulk run keeps in flight.
 * @example await withSession(globals, ({ client }) => client.deleteHandle(pid));
 */
export async function withSession<T>(globals: GlobalOptions, work: (session: Session) => Promise<T>, connections?: number): Promise<T> {
  const credentials = await loadCredentials(chooseCredentialsFile(globals.credentials, process.env, process.cwd()));
  // Loaded on first use: undici and the client are the bulk of the start-up time (see program.ts).
  const [{ HandleClient }, { CLI_USER_AGENT }] = await Promise.all([import('../client.js'), import('../transport/dispatcher.js')]);
  // The command line names the key to search explicitly, so B2HANDLE's URL/CHECKSUM-only guard would only get in the way.
  const client = await HandleClient.withCredentials(credentials, { allowedSearchKeys: [], connections, userAgent: CLI_USER_AGENT });
  try {
    return await work({ client, credentials });
  } finally {
    await client.close();
  }
}
