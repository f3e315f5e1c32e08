// The Authorization headers real Handle servers and their reverse look-up service accept.

/** Python's urllib.parse.quote(s, safe='/'): what B2HANDLE does to a user name. */
export function pythonQuote(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%2F/g, '/');
}

/**
 * The Basic header a Handle server accepts: the user name percent-encoded (its colon must become %3A,
 * since the server splits user and password at the first raw colon) and the password sent as is,
 * because the server does not decode it (B2HANDLE also encodes the password, which breaks passwords
 * with characters such as `@` or space).
 * @example handleBasicAuthorization('300:21.T12995/USER01', 'secret') // 'Basic MzAwJTNBMjEuVDEyOTk1L1VTRVIwMTpzZWNyZXQ='
 */
export function handleBasicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${pythonQuote(username)}:${password}`, 'utf8').toString('base64')}`;
}

/**
 * The Basic header of the reverse look-up service: its web-server realm compares name and password as sent.
 * @example realmBasicAuthorization('21.T12995-search', 'secret')
 */
export function realmBasicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

/** What a Handle server's write asks the TLS layer to present, instead of a password: the client certificate. */
export const CLIENT_CERTIFICATE_AUTHORIZATION = 'Handle clientCert="true"';

/** How an identity authenticates a write: with its client certificate, with its password, or not at all. */
export type WriteAuthorization = { kind: 'password'; header: string } | { kind: 'certificate'; header: string } | { kind: 'none' };

/** The parts of a client's settings that say who it is. */
export interface WriteIdentity {
  username?: string | undefined;
  password?: string | undefined;
  certificateFile?: string | undefined;
  privateKeyFile?: string | undefined;
  certificateAndKeyFile?: string | undefined;
}

/**
 * How writes authenticate: a client certificate wins over a password (as in B2HANDLE); the certificate
 * itself is presented by the dispatcher (createDispatcher), the header only asks the server to use it.
 * @example writeAuthorization({ username: '300:21.T12995/USER01', password: 'secret' }).kind // 'password'
 */
export function writeAuthorization(identity: WriteIdentity): WriteAuthorization {
  if ((identity.certificateFile && identity.privateKeyFile) || identity.certificateAndKeyFile) {
    return { kind: 'certificate', header: CLIENT_CERTIFICATE_AUTHORIZATION };
  }
  if (identity.username && identity.password) return { kind: 'password', header: handleBasicAuthorization(identity.username, identity.password) };
  return { kind: 'none' };
}
