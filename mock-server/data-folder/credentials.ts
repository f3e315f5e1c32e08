// The credentials files B2HANDLE and the lesson's client load (`cred_file.json`, `cred_basic.json`),
// the instructor's own, and trainees' key files: the only module that writes them, so that every copy
// (the data folder's, a trainee's bundle) has the same shape and the same modes. Files holding a
// secret (a password, a private key, a path to one) are readable by their owner only.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { prefixHandle } from '../vocabulary/handle-names.js';
import type { ProvisionedState } from './provisioning-state.js';
import { CREDENTIALS_FILES, dataFolderLayout } from './layout.js';

const SECRET_MODE = 0o600;

/** What both credentials files of one server and trainee share. */
export interface CredentialsCommon {
  handle_server_url: string;
  prefix: string;
  handleowner: string;
  reverselookup_username: string;
  reverselookup_password: string;
  HTTPS_verify: string;
  /**
   * Where the lesson's checks report their verdicts (POST, as the trainee). Only a pid-mock's files
   * name it, so a lesson run against a real Handle server reports nothing; B2HANDLE ignores the key.
   */
  pid_handson_progress_url: string;
}

/** The path of the progress endpoint on every pid-mock (instructor/class-progress serves it). */
export const PROGRESS_PATH = '/_lesson/progress';

/** The progress endpoint of the server whose Handle API is at `handleServerUrl`. */
export function progressUrl(handleServerUrl: string): string {
  return `${handleServerUrl.replace(/\/+$/, '')}${PROGRESS_PATH}`;
}

/** The reverse look-up user every credentials file names (the first, as there is one per server). */
export function reverseLookupUser(state: Pick<ProvisionedState, 'hrlsUsers'>): { username: string; password: string } {
  const [username, password] = Object.entries(state.hrlsUsers)[0] ?? ['', ''];
  return { username, password };
}

/** The text of a credentials file, as written to disk and put into bundles. */
export function credentialsText(content: unknown): string {
  return `${JSON.stringify(content, null, 2)}\n`;
}

/** `cred_file.json` (client certificate) and `cred_basic.json` (password) for one trainee, as text. */
export function b2handleCredentials(
  common: CredentialsCommon,
  trainee: { username: string; password: string; privateKey: string; certificate: string },
): Record<string, string> {
  return {
    [CREDENTIALS_FILES.certificate]: credentialsText({ ...common, private_key: trainee.privateKey, certificate_only: trainee.certificate }),
    [CREDENTIALS_FILES.password]: credentialsText({ ...common, username: trainee.username, password: trainee.password }),
  };
}

/** Writes a file only its owner may read, also when an older copy was readable by others. */
function writeSecret(path: string, text: string): void {
  if (existsSync(path)) chmodSync(path, SECRET_MODE);
  writeFileSync(path, text, { mode: SECRET_MODE });
  chmodSync(path, SECRET_MODE);
}

/** A trainee's key and certificate kept as files in the data folder (the self-study trainee's). */
export function readTraineeKeyFiles(stateDir: string, trainee: string): { key: string; cert: string } | undefined {
  const { credentials } = dataFolderLayout(stateDir);
  const key = credentials.traineeKey(trainee);
  const cert = credentials.traineeCert(trainee);
  return existsSync(key) && existsSync(cert) ? { key: readFileSync(key, 'utf8'), cert: readFileSync(cert, 'utf8') } : undefined;
}

/** Writes a trainee's key (owner only) and certificate into the data folder's credentials/. */
export function writeTraineeKeyFiles(
  stateDir: string,
  trainee: string,
  pems: { keyPem: string; certPem: string },
  options: { onlyIfPresent?: boolean } = {},
): void {
  const { credentials } = dataFolderLayout(stateDir);
  const key = credentials.traineeKey(trainee);
  if (options.onlyIfPresent && !existsSync(key)) return;
  mkdirSync(credentials.dir, { recursive: true });
  writeFileSync(key, pems.keyPem, { mode: SECRET_MODE });
  writeFileSync(credentials.traineeCert(trainee), pems.certPem);
}

/**
 * Makes the trainees' key files in credentials/ those of the state (after a state import, or on the
 * start after one was interrupted): only trainees whose files are there already (the self-study
 * trainee's) and whose state holds both PEMs.
 */
export function writeStateKeyFiles(stateDir: string, state: Pick<ProvisionedState, 'trainees'>): void {
  for (const t of state.trainees) {
    if (t.privateKeyPem && t.certificatePem)
      writeTraineeKeyFiles(stateDir, t.name, { keyPem: t.privateKeyPem, certPem: t.certificatePem }, { onlyIfPresent: true });
  }
}

/**
 * Writes the credentials files for the current server URL (rewritten on every start, since the
 * port may change): `cred_file.json` for a client certificate, `cred_basic.json` for a password, and
 * the instructor's own file and admin token outside the folder shared with trainees.
 */
export function writeCredentials(stateDir: string, state: ProvisionedState, handleServerUrl: string): { credentialsDir: string; instructorDir: string } {
  const layout = dataFolderLayout(stateDir);
  const credentialsDir = layout.credentials.dir;
  const instructorDir = layout.instructor.dir;
  mkdirSync(credentialsDir, { recursive: true });
  mkdirSync(instructorDir, { recursive: true, mode: 0o700 });
  writeFileSync(layout.credentials.ca, readFileSync(layout.tls.caCert));
  const main = state.prefixes[0]!;
  const search = reverseLookupUser(state);
  const common: CredentialsCommon = {
    handle_server_url: handleServerUrl,
    prefix: main,
    handleowner: `200:${prefixHandle(main)}`,
    reverselookup_username: search.username,
    reverselookup_password: search.password,
    // B2HANDLE hands this path to `requests` as is, so it must be absolute.
    HTTPS_verify: clientPath(layout.credentials.ca, credentialsDir),
    pid_handson_progress_url: progressUrl(handleServerUrl),
  };
  const trainee = state.trainees[0]!;
  // Absolute, because B2HANDLE hands them to `requests` unchanged, which resolves them against the working folder.
  const files = b2handleCredentials(common, {
    username: trainee.passwordIdentity,
    password: trainee.password,
    privateKey: clientPath(layout.credentials.traineeKey(trainee.name), credentialsDir),
    certificate: clientPath(layout.credentials.traineeCert(trainee.name), credentialsDir),
  });
  for (const [name, text] of Object.entries(files)) writeSecret(join(credentialsDir, name), text);
  // The instructor is no trainee: their checks have no progress to report.
  const { pid_handson_progress_url: _trainees, ...instructorCommon } = common;
  writeSecret(
    layout.instructor.credentialsFile,
    credentialsText({ ...instructorCommon, username: state.instructor.identity, password: state.instructor.password }),
  );
  writeFileSync(layout.instructor.adminToken, `${state.adminToken}\n`, { mode: SECRET_MODE });
  return { credentialsDir, instructorDir };
}

/**
 * Writes a trainee's bundle folder (owner only): the credentials files and the key are secrets, the
 * CA, certificate and other files are not.
 */
export function writeCredentialsFolder(folder: string, files: Record<string, string>, keyFile: string): void {
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  for (const [name, text] of Object.entries(files)) {
    const file = join(folder, name);
    const secret = name === keyFile || name === CREDENTIALS_FILES.password || name === CREDENTIALS_FILES.certificate;
    if (existsSync(file)) chmodSync(file, SECRET_MODE);
    writeFileSync(file, text, { mode: secret ? SECRET_MODE : 0o644 });
  }
}

/** Where clients find the files a credentials file names (see clientPath). */

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
