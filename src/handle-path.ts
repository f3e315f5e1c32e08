// A handle name as it goes into a URL, for the REST API (`/api/handles/<handle>`) and for resolvers
// (`<resolver>/<handle>`) alike: written once so the client and the `pid` command never disagree.

/**
 * Each slash-separated part percent-encoded, the slashes kept: B2HANDLE concatenated handles raw, which
 * breaks on `#`, `?` or spaces.
 * @example handlePath('21.T12995/a b#1') // '21.T12995/a%20b%231'
 */
export function handlePath(handle: string): string {
  return handle.split('/').map(encodeURIComponent).join('/');
}

/**
 * The URL of `handle` below a base (an API root or a resolver), without a trailing slash on the base.
 * @example handleUrl('https://hdl.handle.net', '21.T12995/abc') // 'https://hdl.handle.net/21.T12995/abc'
 */
export function handleUrl(baseUrl: string, handle: string): string {
  return `${baseUrl}/${handlePath(handle)}`;
}
