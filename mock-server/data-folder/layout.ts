// Every path of a pid-mock data folder, in one place: what the server, the instructor's commands and
// the state files read and write. Trainees are handed credentials/; instructor/ stays with the
// instructor (mode 0700).
import { join } from 'node:path';
import { isTraineeName, TraineeNameError, TRAINEE_NAME_RULE } from './trainee-name.js';

/** The two B2HANDLE credentials files and the CA beside them, as named in a folder and a bundle alike. */
export const CREDENTIALS_FILES = {
  /** Client certificate authentication (B2HANDLE's `cred_file.json`). */
  certificate: 'cred_file.json',
  /** Password authentication. */
  password: 'cred_basic.json',
  ca: 'ca.pem',
} as const;

/**
 * A trainee's key and certificate files, by trainee name: the same names in credentials/ and in bundles.
 * Names come from the store, which a state file fills: one such as `../../victim` would put key files
 * outside the folder, so anything but a roster name is refused here, whoever asks.
 */
export function traineeKeyFileNames(trainee: string): { key: string; cert: string } {
  if (!isTraineeName(trainee)) throw new TraineeNameError(`trainee name ${JSON.stringify(trainee)} cannot name a key file: ${TRAINEE_NAME_RULE}`);
  return { key: `${trainee}_privkey.pem`, cert: `${trainee}_certificate_only.pem` };
}

/** Where `pid-mock identity add --cert <dir>` writes an identity's key and certificate. */
export function identityKeyFileNames(handle: string, index: number): { key: string; cert: string } {
  const safeName = handle.replace(/[^A-Za-z0-9.-]+/g, '_');
  return { key: `${safeName}_${index}_privkey.pem`, cert: `${safeName}_${index}_certificate_only.pem` };
}

export interface DataFolderLayout {
  root: string;
  /** The store (SQLite, WAL). */
  database: string;
  /** Held by the serving process (see lock.ts), and the file naming it. */
  lockFile: string;
  ownerFile: string;
  tls: { dir: string; caCert: string; caKey: string; serverCert: string; serverKey: string; serverNames: string };
  credentials: {
    dir: string;
    ca: string;
    certificateFile: string;
    passwordFile: string;
    /** The key and certificate of a trainee whose PEMs live as files (the self-study trainee, USER01). */
    traineeKey(trainee: string): string;
    traineeCert(trainee: string): string;
  };
  instructor: { dir: string; credentialsFile: string; adminToken: string; bundles: string };
}

export function dataFolderLayout(root: string): DataFolderLayout {
  const tls = join(root, 'tls');
  const credentials = join(root, 'credentials');
  const instructor = join(root, 'instructor');
  return {
    root,
    database: join(root, 'handles.sqlite'),
    lockFile: join(root, 'server.lock'),
    ownerFile: join(root, 'server.pid'),
    tls: {
      dir: tls,
      caCert: join(tls, 'ca.pem'),
      caKey: join(tls, 'ca-key.pem'),
      serverCert: join(tls, 'server.pem'),
      serverKey: join(tls, 'server-key.pem'),
      serverNames: join(tls, 'server-names.json'),
    },
    credentials: {
      dir: credentials,
      ca: join(credentials, CREDENTIALS_FILES.ca),
      certificateFile: join(credentials, CREDENTIALS_FILES.certificate),
      passwordFile: join(credentials, CREDENTIALS_FILES.password),
      traineeKey: (trainee) => join(credentials, traineeKeyFileNames(trainee).key),
      traineeCert: (trainee) => join(credentials, traineeKeyFileNames(trainee).cert),
    },
    instructor: {
      dir: instructor,
      credentialsFile: join(instructor, 'cred_instructor.json'),
      adminToken: join(instructor, 'admin-token'),
      bundles: join(instructor, 'class', 'bundles'),
    },
  };
}
