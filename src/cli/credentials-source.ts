// Finds the credentials file a `pid` command uses — --credentials, then PID_CREDENTIALS, then the mock's default data folder — and loads it.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { PIDClientCredentials } from '../credentials.js';
import { credentialsProblem } from '../error-kinds.js';

/** Where `pid-mock serve` (run with its default `--data ./data`) writes the trainee's credentials. */
export const DEFAULT_CREDENTIALS_FILE = 'data/credentials/cred_file.json';

export interface CredentialsChoice {
  file: string;
  /** Which of the three places named it, for error messages. */
  source: '--credentials' | 'PID_CREDENTIALS' | 'default';
}

/**
 * The credentials file to use, first match wins.
 * @example chooseCredentialsFile(undefined, process.env, process.cwd()) // { file: '/home/me/data/credentials/cred_file.json', source: 'default' }
 */
export function chooseCredentialsFile(flag: string | undefined, env: NodeJS.ProcessEnv, cwd: string): CredentialsChoice {
  if (flag) return { file: resolve(cwd, flag), source: '--credentials' };
  const fromEnv = env.PID_CREDENTIALS;
  if (fromEnv) return { file: resolve(cwd, fromEnv), source: 'PID_CREDENTIALS' };
  return { file: resolve(cwd, DEFAULT_CREDENTIALS_FILE), source: 'default' };
}

/**
 * Loads the chosen credentials; a missing default file gets a hint naming all three ways to give one.
 * @example const credentials = await loadCredentials(chooseCredentialsFile(opts.credentials, process.env, process.cwd()));
 */
export async function loadCredentials(choice: CredentialsChoice): Promise<PIDClientCredentials> {
  if (choice.source === 'default' && !existsSync(choice.file)) {
    throw credentialsProblem(`no credentials file: ${choice.file} does not exist`, {
      hint: `pass --credentials FILE, set PID_CREDENTIALS, or run pid where pid-mock's ./${DEFAULT_CREDENTIALS_FILE} is`,
    });
  }
  // Loaded on first use, like the client: zod's schemas are not needed to print help (see program.ts).
  const { PIDClientCredentials } = await import('../credentials.js');
  return PIDClientCredentials.loadFromJSON(choice.file);
}
