// What `pid`'s commands and bulk lines do to handles, written once so a bulk CREATE behaves exactly like `pid create`.
import type { HandleClient } from '../client.js';
import { handleAbsent, handleNotFound } from '../error-kinds.js';
import { handleUrl } from '../handle-path.js';
import type { HandleRecordJson } from '../types.js';
import { checkHandleSyntax } from '../handle-syntax.js';
import { UsageError } from './exit-codes.js';

export interface NewPid {
  /** The full handle to register; without it a UUID v4 suffix is generated under `prefix`. */
  handle?: string | undefined;
  /** Where a generated name goes; normally the credentials' prefix. */
  prefix?: string | undefined;
  location: string;
  checksum?: string | undefined;
  extraValues?: Record<string, string> | undefined;
  additionalUrls?: string[] | undefined;
}

/**
 * Registers a PID and returns its name. Never overwrites: an existing handle is an error, not a silent replace.
 * @example await createPid(client, { prefix: credentials.prefix, location: 'http://127.0.0.1:8000/files/surveys.csv', checksum: md5 })
 */
export async function createPid(client: HandleClient, pid: NewPid): Promise<string> {
  const options = { checksum: pid.checksum, extraValues: pid.extraValues, additionalUrls: pid.additionalUrls };
  if (pid.handle !== undefined) return client.registerHandle(pid.handle, pid.location, { ...options, overwrite: false });
  const prefix = pid.prefix;
  if (prefix === undefined) {
    throw new UsageError('cannot generate a PID name: the credentials have no "prefix"', {
      hint: 'add "prefix" to the credentials file, or name the handle yourself with --handle PREFIX/SUFFIX',
    });
  }
  return client.generateAndRegisterHandle(prefix, pid.location, options);
}

/**
 * The whole record; a missing handle is an error here, since every caller needs the record to go on.
 * @example (await readRecord(client, pid)).values
 */
export async function readRecord(client: HandleClient, handle: string): Promise<HandleRecordJson> {
  const record = await client.retrieveHandleRecordJson(handle);
  if (record === null) throw handleAbsent(handle, client.serverUrl);
  return record;
}

/**
 * The data of the first value of type `key`; a missing value is "not found", like a missing handle.
 * @example await readValue(client, pid, 'CHECKSUM') // '5b4c…'
 */
export async function readValue(client: HandleClient, handle: string, key: string): Promise<unknown> {
  const value = await client.getValueFromHandle(handle, key);
  if (value === null) {
    throw handleNotFound(handle, `${handle} has no value of type ${key}`, {
      hint: `run "pid read ${handle}" to see the types it has (types are case-sensitive)`,
    });
  }
  return value;
}

/**
 * Links a child PID from its parent: the child's resolver URL (or, with `bare`, the PID itself, as
 * epicclient2 wrote it) becomes a location in the parent's 10320/LOC. The child must exist, so a typo
 * does not leave a dangling link. Returns the location written.
 * @example await relatePids(client, parent, child, 'https://hdl.handle.net') // 'https://hdl.handle.net/21.T12995/child'
 */
export async function relatePids(client: HandleClient, parent: string, child: string, resolverBaseUrl: string, bare = false): Promise<string> {
  checkHandleSyntax(parent);
  checkHandleSyntax(child);
  if ((await client.retrieveHandleRecordJson(child)) === null) {
    throw handleNotFound(child, `the child ${child} does not exist`, { hint: 'register the child PID first, then relate it to its parent' });
  }
  const location = bare ? child : handleUrl(resolverBaseUrl, child);
  await client.addAdditionalUrl(parent, location);
  return location;
}
