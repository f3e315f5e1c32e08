// Client-side checks of handle names and identities, so a typo is caught before any request is sent.
import { syntaxError } from './error-kinds.js';

/**
 * Throws HandleSyntaxError unless `handle` is `prefix/suffix` with both parts non-empty.
 * @example checkHandleSyntax('21.T12995/abc'); // ok
 * @example checkHandleSyntax('abc');           // throws: no slash
 */
export function checkHandleSyntax(handle: unknown): asserts handle is string {
  if (typeof handle !== 'string' || handle === '') {
    throw syntaxError(
      undefined,
      `a handle must be a non-empty string like "21.T12995/abc", not ${JSON.stringify(handle)}`,
      'pass the PID as a string: prefix, slash, suffix',
    );
  }
  const slash = handle.indexOf('/');
  if (slash < 0) {
    throw syntaxError(handle, `"${handle}" has no slash: a handle is prefix/suffix, e.g. 21.T12995/abc`, 'build it as `${prefix}/${suffix}`');
  }
  if (slash === 0) throw syntaxError(handle, `"${handle}" has an empty prefix`, 'the part before the slash is the prefix, e.g. 21.T12995');
  if (slash === handle.length - 1) {
    throw syntaxError(handle, `"${handle}" has an empty suffix`, 'add a suffix after the slash, e.g. a UUID from generatePidName()');
  }
}

/**
 * Checks an identity (`index:prefix/suffix`, as in a username or handleowner) and splits it.
 * @example parseIdentity('300:21.T12995/USER01') // { index: 300, handle: '21.T12995/USER01' }
 */
export function parseIdentity(identity: unknown, field = 'username'): { index: number; handle: string } {
  if (typeof identity !== 'string') {
    throw syntaxError(undefined, `${field} must be a string like "300:21.T12995/USER01"`, 'an identity is index:handle');
  }
  const parts = identity.split(':');
  if (parts.length !== 2) {
    throw syntaxError(
      undefined,
      `${field} "${identity}" must contain exactly one colon, as in 300:21.T12995/USER01 (${parts.length < 2 ? 'no colon' : 'more than one colon'})`,
      'an identity is the index of a value, a colon, then the handle that holds it',
    );
  }
  const [indexText, handle] = parts as [string, string];
  if (!/^\d+$/.test(indexText)) {
    throw syntaxError(
      undefined,
      `${field} "${identity}": "${indexText}" before the colon is not a whole number`,
      'identities usually use index 300, e.g. 300:21.T12995/USER01',
    );
  }
  checkHandleSyntax(handle);
  return { index: Number(indexText), handle };
}
