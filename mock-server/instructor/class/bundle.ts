// A trainee's credentials bundle: the two credentials files B2HANDLE and the lesson's client load, the
// CA, the client key and certificate, and the printable sheet; as a JSON map, a folder or a zip.
import { mkdirSync, readFileSync, writeFileSync, chmodSync, existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import type { ProvisionedState, TraineeRecord } from '../../data-folder/provisioning.js';
import type { HandleStore } from '../../storage/store.js';
import { prefixOf } from '../../vocabulary/handle-names.js';
import { personalOwner, traineeHandle } from './roster.js';
import { traineeSheet } from './sheet.js';

/** Where the server answers; stored at every start so that the CLI can write bundles without it. */
export interface ServerAddresses {
  httpsUrl: string;
  httpUrl: string;
}

/**
 * How the key, certificate and CA are named inside the credentials files:
 * - `bare`: file names only (the admin API's default: the caller knows where it puts them);
 * - `dot`: `./name`, resolved by B2HANDLE against the credentials file's folder (a zip unpacked anywhere);
 * - an absolute folder: absolute paths there, so B2HANDLE works from any working directory.
 */
const ADDRESSES_KEY = 'server-addresses';

export function saveAddresses(store: HandleStore, addresses: ServerAddresses): void {
  store.setSetting(ADDRESSES_KEY, JSON.stringify(addresses));
}

/** The addresses of the last `pid-mock serve` on this data folder, if it ever served. */
export function readAddresses(store: HandleStore): ServerAddresses | undefined {
  const text = store.getSetting(ADDRESSES_KEY);
  return text ? (JSON.parse(text) as ServerAddresses) : undefined;
}

export type PathStyle = 'bare' | 'dot' | { folder: string };

export function bundleFileNames(trainee: TraineeRecord) {
  return { key: `${trainee.name}_privkey.pem`, cert: `${trainee.name}_certificate_only.pem` };
}

function pemsOf(stateDir: string, trainee: TraineeRecord): { key: string; cert: string } {
  if (trainee.privateKeyPem && trainee.certificatePem) return { key: trainee.privateKeyPem, cert: trainee.certificatePem };
  // The self-study trainee (USER01) keeps its key and certificate as files in <data>/credentials.
  const dir = join(stateDir, 'credentials');
  return { key: readFileSync(join(dir, `${trainee.name}_privkey.pem`), 'utf8'), cert: readFileSync(join(dir, `${trainee.name}_certificate_only.pem`), 'utf8') };
}

export function checkCredentialsFolder(folder: unknown): string {
  if (typeof folder !== 'string' || !isAbsolute(folder) || folder.includes('\0')) {
    throw new TypeError(`credentialsFolder must be an absolute folder path such as "/home/jovyan/credentials", not ${JSON.stringify(folder)}`);
  }
  return folder;
}

/** The five files of the contract (`cred_file.json`, `cred_basic.json`, `ca.pem`, key, certificate), as text. */
export function bundleFiles(stateDir: string, state: ProvisionedState, trainee: TraineeRecord, addresses: ServerAddresses, style: PathStyle): Record<string, string> {
  const names = bundleFileNames(trainee);
  const path = (file: string) => (style === 'bare' ? file : style === 'dot' ? `./${file}` : join(style.folder, file));
  const pems = pemsOf(stateDir, trainee);
  const [searchUser, searchPassword] = Object.entries(state.hrlsUsers)[0] ?? ['', ''];
  const prefix = prefixOf(traineeHandle(trainee));
  const common = {
    handle_server_url: addresses.httpsUrl,
    prefix,
    // What a trainee registers names them alone: another trainee gets 403 (decisions.md, "Trainee isolation").
    handleowner: personalOwner(trainee),
    reverselookup_username: searchUser,
    reverselookup_password: searchPassword,
    HTTPS_verify: path('ca.pem'),
  };
  const json = (content: unknown) => `${JSON.stringify(content, null, 2)}\n`;
  return {
    'cred_file.json': json({ ...common, private_key: path(names.key), certificate_only: path(names.cert) }),
    'cred_basic.json': json({ ...common, username: trainee.passwordIdentity, password: trainee.password }),
    'ca.pem': readFileSync(join(stateDir, 'tls', 'ca.pem'), 'utf8'),
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
export function writeBundle(outDir: string, stateDir: string, state: ProvisionedState, trainee: TraineeRecord, addresses: ServerAddresses): { folder: string; zip: string } {
  const folder = resolve(outDir, bundleFolderName(trainee));
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const files = bundleFiles(stateDir, state, trainee, addresses, { folder });
  const names = bundleFileNames(trainee);
  for (const [name, text] of Object.entries(files)) {
    const file = join(folder, name);
    const secret = name === names.key || name === 'cred_basic.json' || name === 'cred_file.json';
    if (existsSync(file)) chmodSync(file, 0o600);
    writeFileSync(file, text, { mode: secret ? 0o600 : 0o644 });
  }
  writeFileSync(join(folder, SHEET_FILE), traineeSheet(trainee, addresses, { folder, keyFile: names.key }));
  const zip = `${folder}.zip`;
  writeFileSync(zip, bundleZip(stateDir, state, trainee, addresses), { mode: 0o600 });
  return { folder, zip };
}
