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
