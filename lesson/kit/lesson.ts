// What every lesson notebook needs first: find the credentials file the mock server wrote (or the one
// named in PID_CREDENTIALS), and derive the server, resolver and repository URLs from it.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { HandleClient } from '../../src/client.js';
import { PIDClientCredentials } from '../../src/credentials.js';
import { credentialsProblem } from '../../src/error-kinds.js';
import { PLANNED_FAILURE_ENVIRONMENT, plannedFailureLabel } from '../../src/transport/planned-failure.js';
import { reportProgressAs } from './progress.js';

export interface LessonUrls {
  /** The Handle server's REST base, e.g. https://127.0.0.1:8000 */
  server: string;
  /** The local resolver (proxy pages) on the same host and port over plain HTTP, e.g. http://127.0.0.1:8000 */
  resolver: string;
  /** The stand-in data repository, e.g. http://127.0.0.1:8000/files */
  repository: string;
  /** The file the lesson registers. */
  surveysCsv: string;
}

/**
 * The credentials file for the lesson: `PID_CREDENTIALS` if set, else `data/credentials/cred_file.json`
 * in the current folder or any parent (notebooks run from notebooks/, the data folder is beside it).
 * @example const path = findCredentialsFile();
 */
export function findCredentialsFile(fileName = 'cred_file.json', start = process.cwd()): string {
  const fromEnvironment = process.env.PID_CREDENTIALS;
  if (fromEnvironment) {
    const path = fileName === 'cred_file.json' ? fromEnvironment : join(dirname(fromEnvironment), fileName);
    if (!existsSync(path)) {
      throw credentialsProblem(`PID_CREDENTIALS points at ${path}, which does not exist`, { hint: 'start the mock server (npm start) or fix the variable' });
    }
    return resolve(path);
  }
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    const candidate = join(dir, 'data', 'credentials', fileName);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) break;
  }
  throw credentialsProblem(`no credentials found: PID_CREDENTIALS is not set and there is no data/credentials/${fileName} here or above`, {
    hint: 'start the lesson with `npm start`, which runs the mock server and writes the credentials',
  });
}

function readLessonCredentials(variant: 'certificate' | 'password'): PIDClientCredentials {
  return PIDClientCredentials.loadFromJSON(findCredentialsFile(variant === 'certificate' ? 'cred_file.json' : 'cred_basic.json'));
}

/**
 * Loads the lesson's credentials (certificate by default, `cred_basic.json` for the password variant).
 * From then on the exercise checks report their verdicts as this trainee, when the credentials name a
 * progress URL (a mock server's do; a real Handle server's do not, and then nothing is reported).
 * @example const cred = loadLessonCredentials(); console.log(cred.prefix);
 */
export function loadLessonCredentials(variant: 'certificate' | 'password' = 'certificate'): PIDClientCredentials {
  const credentials = readLessonCredentials(variant);
  reportProgressAs(credentials);
  return credentials;
}

/**
 * The URLs of the lesson's server, derived from the credentials (never typed into cells).
 * @example const urls = lessonUrls(cred); console.log(`${urls.resolver}/${pid}`);
 */
export function lessonUrls(credentials: PIDClientCredentials): LessonUrls {
  const server = (credentials.serverUrl ?? '').replace(/\/+$/, '');
  if (!server) throw credentialsProblem('the credentials have no handle_server_url', { hint: 'add "handle_server_url": "https://host:port"' });
  const resolver = server.replace(/^https:/, 'http:');
  return { server, resolver, repository: `${resolver}/files`, surveysCsv: `${resolver}/files/surveys.csv` };
}

export interface PidCommandResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** How long runPid waits for one command before it gives up, far beyond any lesson command. */
const PID_COMMAND_TIMEOUT_MS = 120_000;

let pidWorker: ((args: string[], environment: Record<string, string>) => PidCommandResult) | undefined;

/**
 * Runs the `pid` command line as a terminal would and prints the session (`$ pid …`, its output, its
 * error line and exit code) so a notebook cell shows what the learner would see in a terminal. The
 * command runs in a warm worker thread of the kernel (pid-worker.ts), not a new Node process per cell:
 * the same program with the same output and exit code, without a Node start on every command.
 * @example runPid(['read', '11304/cf8956a2-39d3-11e5-8a18-f31aa6f4d448', '--key', 'URL']);
 */
export function runPid(args: string[], options: { quiet?: boolean } = {}): PidCommandResult {
  if (!pidWorker) {
    const { createSyncFn } = require('synckit') as typeof import('synckit');
    pidWorker = createSyncFn(join(__dirname, 'pid-worker.js'), { timeout: PID_COMMAND_TIMEOUT_MS });
  }
  // Inside planned(), the command's requests are labelled too.
  const label = plannedFailureLabel();
  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined) environment[name] = value;
  if (label !== undefined) environment[PLANNED_FAILURE_ENVIRONMENT] = label;
  const result = pidWorker([...args], environment);
  const outcome = { status: result.status, stdout: result.stdout, stderr: result.stderr };
  if (!options.quiet) {
    const shown = args.map((a) => (/^[\w./:=@%+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
    const lines = [`$ pid ${shown}`];
    if (outcome.stdout) lines.push(outcome.stdout.replace(/\n$/, ''));
    if (outcome.stderr)
      lines.push(
        outcome.stderr
          .replace(/\n$/, '')
          .split('\n')
          .map((l) => `[stderr] ${l}`)
          .join('\n'),
      );
    lines.push(`[exit code ${outcome.status}]`);
    console.log(lines.join('\n'));
  }
  return outcome;
}

/**
 * Runs `work` with a client for the lesson's server that reads and searches (any value type) but
 * cannot write, and closes it afterwards: what the exercises' self-checks use, so a check only ever
 * sees what is public.
 * @example const url = await withLessonReader((reader) => reader.getValueFromHandle(pid, 'URL'));
 */
export async function withLessonReader<T>(work: (reader: HandleClient, urls: LessonUrls) => Promise<T>): Promise<T> {
  // Read, not loaded: which trainee reports progress is the notebook's choice, not a check's.
  const credentials = readLessonCredentials('certificate');
  const urls = lessonUrls(credentials);
  const c = credentials.config;
  const reader = HandleClient.forReadAndSearch(urls.server, c.reverselookup_username ?? '', c.reverselookup_password ?? '', {
    httpsVerify: credentials.httpsVerify,
    reverseLookupBaseUri: c.reverselookup_baseuri,
    reverseLookupUrlExtension: c.reverselookup_url_extension,
    allowedSearchKeys: [],
  });
  try {
    return await work(reader, urls);
  } finally {
    await reader.close();
  }
}
