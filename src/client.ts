// HandleClient: B2HANDLE's EUDATHandleClient in TypeScript. The same requests on the wire (§5 of the
// protocol reference), the same method names in camelCase, and B2HANDLE's known defects fixed.
// Only the B2HANDLE surface lives here: which request each method sends and which replies it expects;
// sending, retrying, reading replies and explaining failures is the transport's (src/transport/).
// The type from its own declaration file, not undici's index: the notebooks' kernel then loads 10 of undici's
// declaration files instead of 44 (the same class, so the type is the same).
import type Dispatcher from 'undici/types/dispatcher';
import { v1 as uuidv1, v4 as uuidv4 } from 'uuid';
import { HandleError } from './errors.js';
import {
  brokenRecord,
  busyHint,
  handleAbsent,
  handleAlreadyExists,
  handleFailure,
  handleNotFound,
  illegalOperation,
  notAuthenticated,
  reverseLookupFailed,
} from './error-kinds.js';
import { checkHandleSyntax, parseIdentity } from './handle-syntax.js';
import { handleUrl } from './handle-path.js';
import type { PIDClientCredentials } from './credentials.js';
import {
  ANY_REPLY,
  HandleTransport,
  isSuccess,
  realmBasicAuthorization,
  responseCodeOf,
  retryPolicy,
  type HandleResponse,
  type TransportOptions,
  writeAuthorization,
  type WriteAuthorization,
} from './transport/index.js';
import {
  addLocationUrls,
  BrokenLocError,
  exchangeLocationUrl,
  isLocEmpty,
  isUrlContainedInLoc,
  LocXmlError,
  nextFreeIndex,
  removeLocationUrls,
  type LocEdit,
} from './loc10320.js';
import type { HandleRecordJson, HandleValue, HandleValueInput } from './types.js';
import { runBatch, type BatchOptions, type BatchResult } from './batch.js';
import {
  getTypedRecord,
  registerTypedRecord,
  resolveType,
  type TypedEntries,
  type TypeDefinition,
  type TypedRecord,
  type TypedRecordContext,
  type TypedRecordOptions,
} from './typed-records.js';
import { fetchCitation, type CitationFormat, type CitationOptions, type CslItem, type DataCiteJson } from './citation.js';

export interface HandleClientOptions extends TransportOptions {
  /** Base URL of the Handle server; default the global proxy https://hdl.handle.net (read only). */
  handleServerUrl?: string | undefined;
  /** Path of the REST API below the server URL; default `/api/handles/`. */
  restApiUrlExtension?: string | undefined;
  /** Password identity, e.g. `300:21.T12995/USER01`. */
  username?: string | undefined;
  password?: string | undefined;
  /** Written into HS_ADMIN of new handles, e.g. `200:0.NA/21.T12995`; default `200:0.NA/<prefix of the handle>`. */
  handleOwner?: string | undefined;
  /** The 12-bit HS_ADMIN permission string of new handles; default `011111110011`. */
  hsAdminPermissions?: string | undefined;
  /** Allow modifyHandleValue to change HS_ADMIN (off by default, as in B2HANDLE). */
  modifyHsAdmin?: boolean | undefined;
  /** `chooseby` attribute of new 10320/LOC values, e.g. `locatt,weighted`. */
  locChooseBy?: string | undefined;
  /** Reverse look-up service; the base URI defaults to the Handle server's. */
  reverseLookupBaseUri?: string | undefined;
  reverseLookupUrlExtension?: string | undefined;
  reverseLookupUsername?: string | undefined;
  reverseLookupPassword?: string | undefined;
  /** Value types searchHandle accepts; default `['URL', 'CHECKSUM']`; `[]` allows any. */
  allowedSearchKeys?: string[] | undefined;
  /** The PIT service for typed records (Typed PID Maker API v1); default `<handleServerUrl>/api/v1/pit/pid/`, as the mock serves it. */
  typedPidServiceUrl?: string | undefined;
  /** Use this dispatcher instead of creating one (tests, shared pools); it is not closed by close(), and the client cannot reopen it once its owner closes it. */
  dispatcher?: Dispatcher | undefined;
}

export interface RegisterOptions {
  checksum?: string | undefined;
  /** Further locations of the same data, stored in a 10320/LOC value. */
  additionalUrls?: string[] | undefined;
  /** Replace an existing record instead of refusing (default false). */
  overwrite?: boolean | undefined;
  /** More key/value pairs, e.g. `{ TYPE: 'file' }`, each at the next free index. */
  extraValues?: Record<string, string> | undefined;
}

export interface ModifyOptions {
  /** TTL in seconds for values this call adds. */
  ttl?: number | undefined;
  /** Add keys the record does not have yet (default true). */
  addIfNotExist?: boolean | undefined;
}

export interface RetrieveOptions {
  /** Only values with these indexes (union with `types`). */
  indices?: number[] | undefined;
  /** Only values of these types (`URL.` matches sub-types). */
  types?: string[] | undefined;
  /** Ask the server for an authoritative answer (bypasses proxy caches). */
  auth?: boolean | undefined;
}

type WriteAuth = WriteAuthorization;

const DEFAULT_SERVER = 'https://hdl.handle.net';
const DEFAULT_ADMIN_PERMISSIONS = '011111110011';
const JSON_HEADERS = { 'content-type': 'application/json' };

function joinUrl(base: string, extension: string): string {
  return `${base.replace(/\/+$/, '')}/${extension.replace(/^\/+|\/+$/g, '')}`;
}

function prefixOf(handle: string): string {
  return handle.slice(0, handle.indexOf('/'));
}

function dataAsText(value: HandleValue): string {
  const v = value.data.value;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** A value as GET returned it, ready to send back in a full-record PUT. */
function asInput(value: HandleValue | HandleValueInput): HandleValueInput {
  const { index, type, data, ttl, permissions } = value as HandleValue;
  return { index, type, data, ...(ttl !== undefined ? { ttl } : {}), ...(permissions !== undefined ? { permissions } : {}) };
}

/**
 * A client for one Handle server: read, register, modify, link and search PIDs.
 * @example
 * const cred = PIDClientCredentials.loadFromJSON('data/credentials/cred_file.json');
 * const client = await HandleClient.withCredentials(cred);
 * const pid = await client.generateAndRegisterHandle(cred.prefix!, 'http://127.0.0.1:8000/files/surveys.csv');
 * console.log(await client.getValueFromHandle(pid, 'URL'));
 * await client.close();
 */
export class HandleClient {
  readonly serverUrl: string;
  private readonly apiUrl: string;
  private readonly writeAuth: WriteAuth;
  private readonly transport: HandleTransport;
  private readonly options: HandleClientOptions;

  /**
   * Prefer the static constructors; this one never sends a request.
   * @example const client = new HandleClient({ handleServerUrl: 'https://127.0.0.1:8000', httpsVerify: 'data/credentials/ca.pem' });
   */
  constructor(options: HandleClientOptions = {}) {
    this.options = options;
    const retry = retryPolicy(options);
    this.serverUrl = (options.handleServerUrl ?? DEFAULT_SERVER).replace(/\/+$/, '');
    this.apiUrl = joinUrl(this.serverUrl, options.restApiUrlExtension ?? '/api/handles/');
    if (options.handleOwner !== undefined) parseIdentity(options.handleOwner, 'handleOwner');
    if (options.username !== undefined) parseIdentity(options.username, 'username');
    this.writeAuth = writeAuthorization(options);
    this.transport = new HandleTransport(options, retry);
  }

  /**
   * A client that can only read (no credentials).
   * @example const reader = HandleClient.forReadAccess('https://127.0.0.1:8000', { httpsVerify: 'data/credentials/ca.pem' });
   */
  static forReadAccess(handleServerUrl?: string, options: HandleClientOptions = {}): HandleClient {
    return new HandleClient({ ...options, handleServerUrl: handleServerUrl ?? options.handleServerUrl });
  }

  /**
   * A client that can read and search (reverse look-up account), but not write.
   * @example const searcher = HandleClient.forReadAndSearch('https://127.0.0.1:8000', '21.T12995-search', 'secret');
   */
  static forReadAndSearch(handleServerUrl: string, username: string, password: string, options: HandleClientOptions = {}): HandleClient {
    return new HandleClient({ ...options, handleServerUrl, reverseLookupUsername: username, reverseLookupPassword: password });
  }

  /**
   * A client that writes with a password identity. Like B2HANDLE it first checks that the identity's
   * handle exists on the server (the password itself is only checked by the first write).
   * @example const client = await HandleClient.withUsernameAndPassword('https://127.0.0.1:8000', '300:21.T12995/USER01', 'secret', { httpsVerify: 'ca.pem' });
   */
  static async withUsernameAndPassword(handleServerUrl: string, username: string, password: string, options: HandleClientOptions = {}): Promise<HandleClient> {
    const client = new HandleClient({ ...options, handleServerUrl, username, password });
    await client.verifyIdentityHandle();
    return client;
  }

  /**
   * A client configured from a credentials file; `overrides` win over the file's values.
   * @example
   * const client = await HandleClient.withCredentials(PIDClientCredentials.loadFromJSON(process.env.PID_CREDENTIALS!));
   */
  static async withCredentials(credentials: PIDClientCredentials, overrides: HandleClientOptions = {}): Promise<HandleClient> {
    const c = credentials.config;
    const client = new HandleClient({
      handleServerUrl: c.handle_server_url,
      restApiUrlExtension: c.REST_API_url_extension,
      username: c.username,
      password: c.password,
      certificateFile: c.certificate_only,
      privateKeyFile: c.private_key,
      certificateAndKeyFile: c.certificate_and_key,
      httpsVerify: credentials.httpsVerify,
      handleOwner: c.handleowner,
      hsAdminPermissions: c.HS_ADMIN_permissions,
      modifyHsAdmin: c.modify_HS_ADMIN,
      locChooseBy: c['10320LOC_chooseby'],
      reverseLookupBaseUri: c.reverselookup_baseuri,
      reverseLookupUrlExtension: c.reverselookup_url_extension,
      reverseLookupUsername: c.reverselookup_username,
      reverseLookupPassword: c.reverselookup_password,
      allowedSearchKeys: c.allowed_search_keys,
      ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)),
    });
    if (client.writeAuth.kind === 'password') await client.verifyIdentityHandle();
    return client;
  }

  /** How this client authenticates writes. @example client.authentication // 'certificate' */
  get authentication(): WriteAuth['kind'] {
    return this.writeAuth.kind;
  }

  private async verifyIdentityHandle(): Promise<void> {
    const identity = parseIdentity(this.options.username, 'username');
    try {
      const record = await this.retrieveHandleRecordJson(identity.handle);
      if (record === null) {
        throw handleNotFound(
          identity.handle,
          `the identity handle ${identity.handle} of username ${this.options.username} does not exist on ${this.serverUrl}`,
          {
            hint: 'check "username" in the credentials: it is index:handle of a value holding your password',
          },
        );
      }
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  // ---- HTTP ----

  private apiUrlOf(handle: string, query: Array<[string, string]> = []): string {
    const qs = query.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
    return `${handleUrl(this.apiUrl, handle)}${qs ? `?${qs}` : ''}`;
  }

  private writeHeaders(action: string, handle: string | undefined): Record<string, string> {
    switch (this.writeAuth.kind) {
      case 'password':
      case 'certificate':
        return { authorization: this.writeAuth.header };
      default:
        throw notAuthenticated(handle, `${action}: this client has no credentials for writing`, {
          hint: 'load a credentials file and build the client with HandleClient.withCredentials(cred)',
        });
    }
  }

  // ---- reading ----

  /**
   * The whole record as the server's JSON, or null when the handle does not exist.
   * @example const record = await client.retrieveHandleRecordJson('11304/cf8956a2-39d3-11e5-8a18-f31aa6f4d448');
   */
  async retrieveHandleRecordJson(handle: string, options: RetrieveOptions = {}): Promise<HandleRecordJson | null> {
    checkHandleSyntax(handle);
    const query: Array<[string, string]> = [
      ...(options.indices ?? []).map((i): [string, string] => ['index', String(i)]),
      ...(options.types ?? []).map((t): [string, string] => ['type', t]),
      ...(options.auth ? [['auth', 'true'] as [string, string]] : []),
    ];
    const response = await this.transport.send({
      method: 'GET',
      url: this.apiUrlOf(handle, query),
      headers: { accept: 'application/json' },
      action: `read ${handle}`,
      handle,
      expect: (reply) => isMissing(reply) || isRecord(reply),
    });
    if (isMissing(response)) return null;
    const record = response.json as unknown as HandleRecordJson;
    if (typeof record.handle === 'string' && record.handle.toUpperCase() !== handle.toUpperCase()) {
      throw handleFailure(handle, `asked for ${handle} but the server answered with ${record.handle}`, {
        httpStatus: 200,
        responseCode: responseCodeOf(response),
      });
    }
    return { ...record, values: [...(record.values ?? [])].sort((a, b) => a.index - b.index) };
  }

  /**
   * The record as a map type → value (first value of each type), or null when the handle does not exist.
   * @example (await client.retrieveHandleRecord(pid))?.URL
   */
  async retrieveHandleRecord(handle: string, record?: HandleRecordJson | null): Promise<Record<string, string> | null> {
    const rec = await this.recordFor(handle, record, false);
    if (rec === null) return null;
    const map: Record<string, string> = {};
    for (const value of rec.values) if (!(value.type in map)) map[value.type] = dataAsText(value);
    return map;
  }

  /**
   * The data of the first value of type `key` (a string, or an object for HS_ADMIN), or null if none.
   * @example await client.getValueFromHandle(pid, 'CHECKSUM')
   */
  async getValueFromHandle(handle: string, key: string, record?: HandleRecordJson | null): Promise<unknown> {
    const rec = await this.recordFor(handle, record, true);
    return rec!.values.find((v) => v.type === key)?.data.value ?? null;
  }

  /** A passed-in record is reused only when it is the record of this handle (as in B2HANDLE). */
  private async recordFor(handle: string, record: HandleRecordJson | null | undefined, mustExist: true): Promise<HandleRecordJson>;
  private async recordFor(handle: string, record: HandleRecordJson | null | undefined, mustExist: boolean): Promise<HandleRecordJson | null>;
  private async recordFor(handle: string, record: HandleRecordJson | null | undefined, mustExist: boolean): Promise<HandleRecordJson | null> {
    checkHandleSyntax(handle);
    const rec = record && record.handle?.toUpperCase() === handle.toUpperCase() ? record : await this.retrieveHandleRecordJson(handle);
    if (rec === null && mustExist) throw handleAbsent(handle, this.serverUrl);
    return rec;
  }

  // ---- citations: a DOI's metadata by content negotiation ----

  /**
   * The citation of a DOI in `format`, asked of this client's server as a resolver with an Accept header
   * (content negotiation, as at doi.org): `'bibtex'`, `'ris'`, `'citation'` (formatted; `style`, `locale`)
   * and `'datacite-xml'` give text, `'csl-json'` and `'datacite-json'` checked objects. For real DOIs, build a
   * reader for doi.org: `HandleClient.forReadAccess('https://doi.org')`. Throws CitationNotAvailableError,
   * naming what the resolver offers, when it cannot give that format (HTTP 406).
   * @example
   * const bib = await client.citation('10.5072/surveys-2017', 'bibtex');
   * const apa = await client.citation('10.5072/surveys-2017', 'citation', { style: 'apa', locale: 'en-US' });
   * const item = await client.citation('10.5072/surveys-2017', 'csl-json'); // item.title, item.author
   */
  async citation(doi: string, format: 'csl-json', options?: CitationOptions): Promise<CslItem>;
  async citation(doi: string, format: 'datacite-json', options?: CitationOptions): Promise<DataCiteJson>;
  async citation(doi: string, format: 'bibtex' | 'ris' | 'citation' | 'datacite-xml', options?: CitationOptions): Promise<string>;
  async citation(doi: string, format: CitationFormat, options?: CitationOptions): Promise<string | CslItem | DataCiteJson>;
  async citation(doi: string, format: CitationFormat, options: CitationOptions = {}): Promise<string | CslItem | DataCiteJson> {
    return fetchCitation(this.transport, this.serverUrl, doi, format, options);
  }

  // ---- registering ----

  /**
   * A new PID name: `prefix/` + a UUID (v4, random; v1 leaks the time and the machine's address, which
   * is why the lesson moves away from it).
   * @example client.generatePidName('21.T12995') // '21.T12995/0b8e…'
   */
  generatePidName(prefix?: string, options: { uuidVersion?: 'v4' | 'v1' } = {}): string {
    const suffix = options.uuidVersion === 'v1' ? uuidv1() : uuidv4();
    return prefix ? `${prefix}/${suffix}` : suffix;
  }

  /** The HS_ADMIN value B2HANDLE writes at index 100 of every new handle. */
  private adminValue(handle: string): HandleValueInput {
    const owner = this.options.handleOwner ? parseIdentity(this.options.handleOwner, 'handleOwner') : { index: 200, handle: `0.NA/${prefixOf(handle)}` };
    return {
      index: 100,
      type: 'HS_ADMIN',
      data: { format: 'admin', value: { handle: owner.handle, index: owner.index, permissions: this.options.hsAdminPermissions ?? DEFAULT_ADMIN_PERMISSIONS } },
    };
  }

  /** The values of a new record: HS_ADMIN@100, URL@1, CHECKSUM@2, extra values and 10320/LOC after. */
  buildRecordValues(handle: string, location: string, options: RegisterOptions = {}): HandleValueInput[] {
    let values: HandleValueInput[] = [this.adminValue(handle), { index: 1, type: 'URL', data: location }];
    if (options.checksum !== undefined) values.push({ index: 2, type: 'CHECKSUM', data: options.checksum });
    for (const [type, data] of Object.entries(options.extraValues ?? {})) {
      values.push({ index: nextFreeIndex(values.map((v) => v.index)), type, data });
    }
    if (options.additionalUrls?.length) {
      values = addLocationUrls(values, options.additionalUrls, this.options.locChooseBy ? { chooseBy: this.options.locChooseBy } : {}).values;
    }
    return values;
  }

  /**
   * Registers `handle` pointing at `location`. Refuses an existing handle unless `overwrite: true`.
   * Returns the handle the server created.
   * @example
   * const pid = await client.registerHandle(`${cred.prefix}/${crypto.randomUUID()}`, 'http://127.0.0.1:8000/files/surveys.csv', { extraValues: { TYPE: 'file' } });
   */
  async registerHandle(handle: string, location: string, options: RegisterOptions = {}): Promise<string> {
    checkHandleSyntax(handle);
    const overwrite = options.overwrite ?? false;
    // No GET first, unlike B2HANDLE: `?overwrite=false` is the server's own atomic check (409, rc 101 for an
    // existing handle, answered even before authentication), so one request does what two did, without the
    // race between them.
    const values = this.buildRecordValues(handle, location, options);
    const headers = { ...this.writeHeaders(`register ${handle}`, handle), ...JSON_HEADERS };
    const response = await this.transport.send({
      method: 'PUT',
      url: this.apiUrlOf(handle, [['overwrite', String(overwrite)]]),
      headers,
      body: JSON.stringify({ values }),
      action: `register ${handle}`,
      handle,
      expect: (reply) => isSuccess(reply) || isExisting(reply),
    });
    if (isExisting(response)) throw handleAlreadyExists(handle, `${handle} already exists`);
    return typeof response.json?.handle === 'string' ? response.json.handle : handle;
  }

  /**
   * Registers a new PID under `prefix` with a random UUID suffix and returns it.
   * @example const pid = await client.generateAndRegisterHandle('21.T12995', 'http://127.0.0.1:8000/files/surveys.csv');
   */
  async generateAndRegisterHandle(prefix: string, location: string, options: Omit<RegisterOptions, 'overwrite'> = {}): Promise<string> {
    // overwrite=false: a UUID clash is practically impossible, but must never replace someone's record.
    return this.registerHandle(this.generatePidName(prefix), location, { ...options, overwrite: false });
  }

  // ---- changing ----

  /**
   * Sets values by type: existing ones are replaced in place, missing ones added at the next free index.
   * @example await client.modifyHandleValue(pid, { URL: 'file:///home/me/surveys.csv', CHECKSUM: md5 });
   */
  async modifyHandleValue(handle: string, changes: Record<string, string | { format: string; value: unknown }>, options: ModifyOptions = {}): Promise<void> {
    const record = await this.recordFor(handle, undefined, true);
    if (Object.keys(changes).some((k) => k === 'HS_ADMIN') && !this.options.modifyHsAdmin) {
      throw illegalOperation(
        handle,
        `modifying HS_ADMIN of ${handle} is switched off`,
        'HS_ADMIN decides who may change the handle; build the client with modifyHsAdmin: true if you really mean it',
      );
    }
    const used = record.values.map((v) => v.index);
    const put: HandleValueInput[] = [];
    for (const [type, data] of Object.entries(changes)) {
      const existing = record.values.filter((v) => v.type === type);
      if (existing.length > 1) {
        throw brokenRecord(handle, `${handle} has ${existing.length} values of type ${type} (indexes ${existing.map((v) => v.index).join(', ')})`, {
          hint: 'delete the duplicates by index (deleteHandleValue removes all of that type) and set the value again',
        });
      }
      if (existing[0]) {
        put.push({ ...asInput(existing[0]), data });
      } else if (options.addIfNotExist ?? true) {
        const index = nextFreeIndex([...used, ...put.map((v) => v.index)]);
        put.push({ index, type, data, ...(options.ttl !== undefined ? { ttl: options.ttl } : {}) });
      }
    }
    if (!put.length) return;
    const headers = { ...this.writeHeaders(`modify ${handle}`, handle), ...JSON_HEADERS };
    const query: Array<[string, string]> = [...put.map((v): [string, string] => ['index', String(v.index)]), ['overwrite', 'true']];
    await this.transport.send({
      method: 'PUT',
      url: this.apiUrlOf(handle, query),
      headers,
      body: JSON.stringify({ values: put }),
      action: `modify ${handle}`,
      handle,
    });
  }

  /**
   * Removes every value of the given type(s). Does nothing when there is none.
   * @example await client.deleteHandleValue(pid, ['TYPE', 'CHECKSUM']);
   */
  async deleteHandleValue(handle: string, keys: string | string[]): Promise<void> {
    const types = Array.isArray(keys) ? keys : [keys];
    if (types.includes('HS_ADMIN')) {
      throw illegalOperation(
        handle,
        `deleting HS_ADMIN of ${handle} is not allowed through this method`,
        'without an HS_ADMIN nobody could change the handle any more',
      );
    }
    const record = await this.recordFor(handle, undefined, true);
    const indexes = record.values.filter((v) => types.includes(v.type)).map((v) => v.index);
    // An index-less DELETE would remove the whole handle: never send one from here.
    if (!indexes.length) return;
    await this.transport.send({
      method: 'DELETE',
      url: this.apiUrlOf(
        handle,
        indexes.map((i) => ['index', String(i)]),
      ),
      headers: this.writeHeaders(`delete values of ${handle}`, handle),
      action: `delete values of ${handle}`,
      handle,
      // 400 with responseCode 200 (values not found): the values are gone, which is what was asked for.
      expect: (reply) => isSuccess(reply) || (reply.status === 400 && responseCodeOf(reply) === 200),
    });
  }

  /**
   * Deletes the whole handle.
   * @example await client.deleteHandle(pid);
   */
  async deleteHandle(handle: string): Promise<void> {
    checkHandleSyntax(handle);
    await this.transport.send({
      method: 'DELETE',
      url: this.apiUrlOf(handle),
      headers: this.writeHeaders(`delete ${handle}`, handle),
      action: `delete ${handle}`,
      handle,
    });
  }

  // ---- 10320/LOC: several locations of the same data ----

  private async editLocations(handle: string, edit: (values: HandleValue[]) => LocEdit): Promise<void> {
    const record = await this.recordFor(handle, undefined, true);
    let result: LocEdit;
    try {
      result = edit(record.values);
    } catch (error) {
      if (error instanceof BrokenLocError || error instanceof LocXmlError) {
        throw brokenRecord(handle, `${handle}: ${error.message}`, { hint: 'repair or delete the 10320/LOC value by index', cause: error });
      }
      throw error;
    }
    // B2HANDLE always wrote the record back, even when nothing changed; a no-op needs no request.
    if (!result.changed) return;
    const headers = { ...this.writeHeaders(`update 10320/LOC of ${handle}`, handle), ...JSON_HEADERS };
    await this.transport.send({
      method: 'PUT',
      url: this.apiUrlOf(handle, [['overwrite', 'true']]),
      headers,
      body: JSON.stringify({ values: result.values.map(asInput) }),
      action: `update 10320/LOC of ${handle}`,
      handle,
    });
  }

  /**
   * Adds locations to the handle's 10320/LOC value (created when missing). Attributes such as
   * `weight` are written on the new locations (B2HANDLE dropped them).
   * @example await client.addAdditionalUrl(pid, ['https://mirror.example.org/surveys.csv'], { weight: '0.5' });
   */
  async addAdditionalUrl(handle: string, urls: string | string[], attributes?: Record<string, string>): Promise<void> {
    const list = Array.isArray(urls) ? urls : [urls];
    await this.editLocations(handle, (values) =>
      addLocationUrls(values, list, { ...(this.options.locChooseBy ? { chooseBy: this.options.locChooseBy } : {}), ...(attributes ? { attributes } : {}) }),
    );
  }

  /** @example await client.removeAdditionalUrl(pid, 'https://mirror.example.org/surveys.csv'); */
  async removeAdditionalUrl(handle: string, urls: string | string[]): Promise<void> {
    await this.editLocations(handle, (values) => removeLocationUrls(values, Array.isArray(urls) ? urls : [urls]));
  }

  /** @example await client.exchangeAdditionalUrl(pid, oldUrl, newUrl); */
  async exchangeAdditionalUrl(handle: string, oldUrl: string, newUrl: string): Promise<void> {
    await this.editLocations(handle, (values) => exchangeLocationUrl(values, oldUrl, newUrl));
  }

  /** True when the record has no 10320/LOC value with a location. @example await client.is10320LocEmpty(pid) */
  async is10320LocEmpty(handle: string, record?: HandleRecordJson | null): Promise<boolean> {
    return isLocEmpty((await this.recordFor(handle, record, true)).values);
  }

  /** @example await client.isUrlContainedIn10320Loc(pid, 'https://mirror.example.org/surveys.csv') */
  async isUrlContainedIn10320Loc(handle: string, url: string, record?: HandleRecordJson | null): Promise<boolean> {
    return isUrlContainedInLoc((await this.recordFor(handle, record, true)).values, url);
  }

  // ---- reverse look-up ----

  /**
   * Handles whose values match every key (`*` is a wildcard), from the server's reverse look-up
   * service. Searches only this server, never the global Handle System.
   * @example await client.searchHandle({ URL: 'irods:*' }, { prefix: '21.T12995' })
   */
  async searchHandle(query: Record<string, string | undefined>, options: { prefix?: string; limit?: number; page?: number } = {}): Promise<string[]> {
    const o = this.options;
    const username = o.reverseLookupUsername ?? o.username;
    const password = o.reverseLookupPassword ?? o.password;
    const base = o.reverseLookupBaseUri ?? o.handleServerUrl;
    if (!username || !password || !base) {
      throw reverseLookupFailed('reverse look-up is not configured for this client', {
        hint: 'the credentials need reverselookup_username and reverselookup_password (and the server URL)',
      });
    }
    const terms = Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined);
    if (!terms.length) throw reverseLookupFailed('No search terms have been specified', { hint: 'search e.g. { URL: "irods:*" } or { CHECKSUM: md5 }' });
    const allowed = o.allowedSearchKeys ?? ['URL', 'CHECKSUM'];
    const refused = terms.find(([key]) => allowed.length > 0 && !allowed.includes(key));
    if (refused) {
      throw reverseLookupFailed(`Cannot search for key "${refused[0]}": this client searches only ${allowed.join(', ')}`, {
        hint: 'pass allowedSearchKeys: [] (or a longer list) when building the client to search other types',
      });
    }
    const params = [
      ...terms,
      ...(options.limit !== undefined ? [['limit', String(options.limit)]] : []),
      ...(options.page !== undefined ? [['page', String(options.page)]] : []),
    ];
    // `*` stays readable in logs; everything else is encoded (B2HANDLE sent values raw, breaking on `&` or `#`).
    const qs = params.map(([k, v]) => `${encodeURIComponent(k!)}=${encodeURIComponent(v!).replace(/%2A/g, '*')}`).join('&');
    const url = `${joinUrl(base, o.reverseLookupUrlExtension ?? '/hrls/handles/')}?${qs}`;
    const response = await this.transport.send({
      method: 'GET',
      url,
      headers: { authorization: realmBasicAuthorization(username, password) },
      action: 'reverse look-up',
      // The search service answers a JSON list, and its failures are its own (below), not Handle replies.
      expect: ANY_REPLY,
    });
    if (response.status === 401) {
      throw reverseLookupFailed('reverse look-up: Authentication failed', {
        httpStatus: 401,
        hint: o.reverseLookupUsername
          ? 'check reverselookup_username and reverselookup_password'
          : 'the search service has its own account: set reverselookup_username/_password',
      });
    }
    if (response.status === 404) {
      throw reverseLookupFailed(`reverse look-up: Wrong search servlet URL ${url}`, {
        httpStatus: 404,
        hint: /The handle you requested.+cannot be found/s.test(response.text)
          ? 'that URL reached a Handle server, not the search service'
          : 'check reverselookup_baseuri and reverselookup_url_extension',
      });
    }
    let list: unknown;
    try {
      list = JSON.parse(response.text);
    } catch {
      list = undefined;
    }
    if (response.status !== 200 || !Array.isArray(list)) {
      const tries = (response.tries ?? 1) > 1 ? ` (gave up after ${response.tries} tries)` : '';
      throw reverseLookupFailed(`reverse look-up failed: HTTP ${response.status}${tries}: ${response.text.trim().slice(0, 200)}`, {
        httpStatus: response.status,
        hint:
          response.status === 200
            ? 'The response is not JSON.'
            : response.status === 503
              ? busyHint(response.text, response.tries ?? 1)
              : 'read the service message',
      });
    }
    const handles = list.filter((h): h is string => typeof h === 'string');
    if (options.prefix === undefined) return handles;
    const wanted = options.prefix.toUpperCase();
    return handles.filter((h) => h.slice(0, h.indexOf('/')).toUpperCase() === wanted);
  }

  // ---- batches ----

  /**
   * Registers many PIDs with at most `concurrency` requests in flight, reporting progress. In flight means
   * on a connection: give the client `connections` of at least `concurrency` (the default pool has 16).
   * Failures are collected per item, never thrown.
   * @example const results = await client.registerMany(files.map((f) => ({ location: f.url })), { prefix: '21.T12995', concurrency: 8 });
   */
  async registerMany(
    items: Array<{ handle?: string; location: string } & Omit<RegisterOptions, 'overwrite'>>,
    options: BatchOptions & { prefix?: string; overwrite?: boolean } = {},
  ): Promise<Array<BatchResult<string>>> {
    return runBatch(
      items,
      async (item) => {
        const { handle, location, ...rest } = item;
        if (handle) return this.registerHandle(handle, location, { ...rest, overwrite: options.overwrite ?? false });
        if (!options.prefix)
          throw new HandleError('registerMany: give each item a handle, or a prefix for generated names', { hint: 'pass { prefix: cred.prefix }' });
        return this.generateAndRegisterHandle(options.prefix, location, rest);
      },
      options,
    );
  }

  /**
   * Modifies many records, each with its own changes, with bounded concurrency.
   * @example await client.modifyMany([{ handle: pid, changes: { TYPE: 'file' } }], { concurrency: 4 });
   */
  async modifyMany(
    items: Array<{ handle: string; changes: Record<string, string> } & ModifyOptions>,
    options: BatchOptions = {},
  ): Promise<Array<BatchResult<string>>> {
    return runBatch(
      items,
      async (item) => {
        await this.modifyHandleValue(item.handle, item.changes, item);
        return item.handle;
      },
      options,
    );
  }

  // ---- typed records (Kernel Information Profiles, a PIT service) ----

  private typedContext(): TypedRecordContext {
    return {
      transport: this.transport,
      serverUrl: this.serverUrl,
      pitUrl: `${(this.options.typedPidServiceUrl ?? `${this.serverUrl}/api/v1/pit/pid`).replace(/\/+$/, '')}/`,
      writeHeaders: (action, handle) => this.writeHeaders(action, handle),
      readRecord: (handle) => this.retrieveHandleRecordJson(handle),
    };
  }

  /**
   * Registers a typed record with the PIT service, which validates it against its profile and the types'
   * schemas first and mints the PID under your prefix; `dryRun: true` only validates. A refused record
   * throws TypedRecordRefusedError naming the attribute and the rule.
   * @example
   * const record = await client.registerTypedRecord(
   *   {
   *     '21.T11148/1c699a5d1b4ad3ba4956': '21.T11148/ab53242825a85a0f6d2f', // digitalObjectType
   *     '21.T11148/b8457812905b83046284': 'http://127.0.0.1:8000/files/surveys.csv', // digitalObjectLocation
   *     '21.T11148/aafd5fb4c7222e2d950a': new Date().toISOString(), // dateCreated
   *     '21.T11148/2f314c8fe5fb6a0063a8': 'https://spdx.org/licenses/CC-BY-4.0.html', // license
   *   },
   *   { profile: '21.T11148/b9b76f887845e32d29f7', dryRun: true },
   * );
   * console.log(record.pid);
   */
  async registerTypedRecord(entries: TypedEntries, options: TypedRecordOptions = {}): Promise<TypedRecord> {
    return registerTypedRecord(this.typedContext(), entries, options);
  }

  /**
   * A typed record as the PIT service reads it (its entries by type PID), or null when the PID does not exist.
   * @example (await client.getTypedRecord(pid))?.entries['21.T11148/2f314c8fe5fb6a0063a8']?.[0]?.value
   */
  async getTypedRecord(pid: string): Promise<TypedRecord | null> {
    return getTypedRecord(this.typedContext(), pid);
  }

  /**
   * What a type's (or a profile's) PID stands for: resolves its Handle record and reads the Data Type
   * Registry entry its URL leads to: name, description, the JSON Schema of its values, a profile's attributes.
   * @example
   * const license = await client.resolveType('21.T11148/2f314c8fe5fb6a0063a8');
   * console.log(license.name, license.schema);
   * const kip = await client.resolveType('21.T11148/b9b76f887845e32d29f7');
   * console.log(kip.attributes?.filter((a) => a.mandatory).map((a) => a.name));
   */
  async resolveType(typePid: string): Promise<TypeDefinition> {
    return resolveType(this.typedContext(), typePid);
  }

  /**
   * Closes the connection pool (not a dispatcher passed in by the caller). The client stays usable: its
   * next request opens a new pool, so a notebook's last cell, run early by Cell → Run All, breaks nothing.
   * @example await client.close();
   */
  async close(): Promise<void> {
    await this.transport.close();
  }
}

/** The server has no such handle: a read answers null rather than throwing. */
function isMissing(reply: HandleResponse): boolean {
  return reply.status === 404 && responseCodeOf(reply) === 100;
}

/** A record; responseCode 200 is "values not found" for a read filtered by index or type, still a record. */
function isRecord(reply: HandleResponse): boolean {
  const rc = responseCodeOf(reply);
  return reply.status === 200 && (rc === 1 || rc === 200);
}

/** A create refused because the handle is taken (the server's atomic `overwrite=false` check). */
function isExisting(reply: HandleResponse): boolean {
  return reply.status === 409 && responseCodeOf(reply) === 101;
}
