// A trainee's credentials bundle: the two credentials files B2HANDLE and the lesson's client load, the
// CA, the client key and certificate, and the printable sheet; as a JSON map, a folder or a zip.
import { readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import type { ProvisionedState, TraineeRecord } from '../../data-folder/provisioning-state.js';
import type { ServerAddresses } from '../../data-folder/addresses.js';
import { CREDENTIALS_FILES, dataFolderLayout, traineeKeyFileNames } from '../../data-folder/layout.js';
import { b2handleCredentials, progressUrl, reverseLookupUser, writeCredentialsFolder } from '../../data-folder/credentials.js';
import { prefixOf } from '../../vocabulary/handle-names.js';
import { personalOwner, traineeHandle } from './roster.js';
import { traineeSheet } from './sheet.js';

/**
 * How the key, certificate and CA are named inside the credentials files:
 * - `bare`: file names only (the admin API's default: the caller knows where it puts them);
 * - `dot`: `./name`, resolved by B2HANDLE against the credentials file's folder (a zip unpacked anywhere);
 * - an absolute folder: absolute paths there, so B2HANDLE works from any working directory.
 */
export type PathStyle = 'bare' | 'dot' | { folder: string };

export function bundleFileNames(trainee: TraineeRecord) {
  return traineeKeyFileNames(trainee.name);
}

function pemsOf(stateDir: string, trainee: TraineeRecord): { key: string; cert: string } {
  if (trainee.privateKeyPem && trainee.certificatePem) return { key: trainee.privateKeyPem, cert: trainee.certificatePem };
  // The self-study trainee (USER01) keeps its key and certificate as files in <data>/credentials.
  const { credentials } = dataFolderLayout(stateDir);
  return { key: readFileSync(credentials.traineeKey(trainee.name), 'utf8'), cert: readFileSync(credentials.traineeCert(trainee.name), 'utf8') };
}

export function checkCredentialsFolder(folder: unknown): string {
  if (typeof folder !== 'string' || !isAbsolute(folder) || folder.includes('\0')) {
    throw new TypeError(`credentialsFolder must be an absolute folder path such as "/home/jovyan/credentials", not ${JSON.stringify(folder)}`);
  }
  return folder;
}

/** The five files of the contract (`cred_file.json`, `cred_basic.json`, `ca.pem`, key, certificate), as text. */
export function bundleFiles(
  stateDir: string,
  state: ProvisionedState,
  trainee: TraineeRecord,
  addresses: ServerAddresses,
  style: PathStyle,
): Record<string, string> {
  const names = bundleFileNames(trainee);
  const path = (file: string) => (style === 'bare' ? file : style === 'dot' ? `./${file}` : join(style.folder, file));
  const pems = pemsOf(stateDir, trainee);
  const search = reverseLookupUser(state);
  const prefix = prefixOf(traineeHandle(trainee));
  const common = {
    handle_server_url: addresses.httpsUrl,
    prefix,
    // What a trainee registers names them alone: another trainee gets 403 (decisions.md, "Trainee isolation").
    handleowner: personalOwner(trainee),
    reverselookup_username: search.username,
    reverselookup_password: search.password,
    HTTPS_verify: path(CREDENTIALS_FILES.ca),
    pid_handson_progress_url: progressUrl(addresses.httpsUrl),
  };
  return {
    ...b2handleCredentials(common, {
      username: trainee.passwordIdentity,
      password: trainee.password,
      privateKey: path(names.key),
      certificate: path(names.cert),
    }),
    [CREDENTIALS_FILES.ca]: readFileSync(dataFolderLayout(stateDir).tls.caCert, 'utf8'),
    [names.key]: pems.key,
    [names.cert]: pems.cert,
  };
}

export const SHEET_FILE = 'sheet.html';

/** The folder name a bundle unpacks to. */
export function bundleFolderName(trainee: TraineeRecord): string {
  return `pid-handson-${trainee.name}`;
}

/** The zip a trainee is handed: one folder with relative (`./`) paths, so it works wherever it is unpacked. */
export function bundleZip(stateDir: string, state: ProvisionedState, trainee: TraineeRecord, addresses: ServerAddresses): Uint8Array {
  const folder = bundleFolderName(trainee);
  const files = bundleFiles(stateDir, state, trainee, addresses, 'dot');
  const entries: Record<string, Uint8Array> = {};
  for (const [name, text] of Object.entries(files)) entries[`${folder}/${name}`] = strToU8(text);
  entries[`${folder}/${SHEET_FILE}`] = strToU8(traineeSheet(trainee, addresses, { folder, keyFile: bundleFileNames(trainee).key }));
  // Fixed times make the same bundle give the same bytes (a re-download is recognisably the same).
  return zipSync(entries, { mtime: new Date('2020-01-01T00:00:00Z') });
}

/**
 * Writes `<out>/<folder>/` (absolute paths in the credentials files) and `<out>/<folder>.zip`;
 * returns both paths. The key file is readable by its owner only.
 */
export function writeBundle(
  outDir: string,
  stateDir: string,
  state: ProvisionedState,
  trainee: TraineeRecord,
  addresses: ServerAddresses,
): { folder: string; zip: string } {
  const folder = resolve(outDir, bundleFolderName(trainee));
  const files = bundleFiles(stateDir, state, trainee, addresses, { folder });
  const names = bundleFileNames(trainee);
  writeCredentialsFolder(folder, files, names.key);
  writeFileSync(join(folder, SHEET_FILE), traineeSheet(trainee, addresses, { folder, keyFile: names.key }));
  const zip = `${folder}.zip`;
  writeFileSync(zip, bundleZip(stateDir, state, trainee, addresses), { mode: 0o600 });
  return { folder, zip };
}
