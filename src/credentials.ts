// The credentials file a learner loads (B2HANDLE's JSON keys), validated with zod: relative key and
// certificate paths are resolved against the file's folder, and every problem names the key.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { credentialsProblem } from './error-kinds.js';
import { parseIdentity } from './handle-syntax.js';

const optionalText = z.string().optional();

/**
 * The settings of a credentials file: the keys B2HANDLE understands (validated by the schema below);
 * unknown keys are kept as additional configuration. Written out rather than inferred from the
 * schema so that the declarations (what the notebooks' TypeScript kernel loads with every lesson)
 * need none of zod's types; the check below the schema keeps the two the same.
 */
export interface CredentialsConfig {
  handle_server_url?: string | undefined;
  username?: string | undefined;
  password?: string | undefined;
  private_key?: string | undefined;
  certificate_only?: string | undefined;
  certificate_and_key?: string | undefined;
  prefix?: string | undefined;
  handleowner?: string | undefined;
  reverselookup_username?: string | undefined;
  reverselookup_password?: string | undefined;
  reverselookup_baseuri?: string | undefined;
  reverselookup_url_extension?: string | undefined;
  REST_API_url_extension?: string | undefined;
  HTTPS_verify?: boolean | string | undefined;
  HS_ADMIN_permissions?: string | undefined;
  allowed_search_keys?: string[] | undefined;
  '10320LOC_chooseby'?: string | undefined;
  modify_HS_ADMIN?: boolean | undefined;
  [key: string]: unknown;
}

/** The keys B2HANDLE understands; unknown keys are kept as additional configuration. */
const credentialsSchema = z
  .object({
    handle_server_url: z.url({ protocol: /^https?$/, error: 'must be a URL such as https://handle.example.org:8000' }).optional(),
    username: optionalText,
    password: optionalText,
    private_key: optionalText,
    certificate_only: optionalText,
    certificate_and_key: optionalText,
    prefix: optionalText,
    handleowner: optionalText,
    reverselookup_username: optionalText,
    reverselookup_password: optionalText,
    reverselookup_baseuri: z.url({ protocol: /^https?$/, error: 'must be a URL such as https://handle.example.org:8000' }).optional(),
    reverselookup_url_extension: optionalText,
    REST_API_url_extension: optionalText,
    HTTPS_verify: z.union([z.boolean(), z.string()], { error: 'must be true, false, "true", "false" or the path of a CA file' }).optional(),
    HS_ADMIN_permissions: z
      .string()
      .regex(/^[01]{12}$/, { error: 'must be 12 characters of 0 and 1, e.g. "011111110011"' })
      .optional(),
    allowed_search_keys: z.array(z.string(), { error: 'must be a list of value types, e.g. ["URL", "CHECKSUM"]' }).optional(),
    '10320LOC_chooseby': optionalText,
    modify_HS_ADMIN: z.boolean({ error: 'must be true or false' }).optional(),
  })
  .catchall(z.unknown());

// Compile-time check: the interface and the schema's output are the same type, key for key.
type Parsed = z.infer<typeof credentialsSchema>;
type KnownKeys<T> = keyof { [K in keyof T as string extends K ? never : K]: T[K] };
type SameKeys = [KnownKeys<Parsed>] extends [KnownKeys<CredentialsConfig>]
  ? [KnownKeys<CredentialsConfig>] extends [KnownKeys<Parsed>]
    ? true
    : false
  : false;
const credentialsConfigMatchesSchema: [SameKeys, Parsed extends CredentialsConfig ? true : false, CredentialsConfig extends Parsed ? true : false] = [
  true,
  true,
  true,
];
void credentialsConfigMatchesSchema;

/** Where a credentials object came from, so paths inside it can be resolved. */
export interface CredentialsSource {
  /** The file it was read from; relative paths are taken from its folder. */
  file?: string;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const key = issue.path.join('.') || '(file)';
  return `"${key}" ${issue.message}`;
}

/**
 * A validated credentials set: server, identity (password or certificate), prefix, owner and the
 * reverse look-up account.
 * @example
 * const cred = PIDClientCredentials.loadFromJSON(process.env.PID_CREDENTIALS ?? 'data/credentials/cred_file.json');
 * console.log(cred.prefix, cred.serverUrl);
 */
export class PIDClientCredentials {
  readonly config: Readonly<CredentialsConfig>;
  /** The file this came from, if any. */
  readonly file: string | undefined;
  /** Folder that relative paths are resolved against. */
  readonly baseDir: string;

  /**
   * @example new PIDClientCredentials({ handle_server_url: 'https://127.0.0.1:8000', username: '300:21.T12995/USER01', password: process.env.PID_PASSWORD })
   */
  constructor(config: Record<string, unknown>, source: CredentialsSource = {}) {
    this.file = source.file === undefined ? undefined : resolve(source.file);
    this.baseDir = this.file ? dirname(this.file) : process.cwd();
    const parsed = credentialsSchema.safeParse(config);
    if (!parsed.success) {
      throw credentialsProblem(`Problem with credentials${this.file ? ` in ${this.file}` : ''}: ${parsed.error.issues.map(describeIssue).join('; ')}`, {
        hint: 'fix the named key in the credentials file',
      });
    }
    const resolved: CredentialsConfig = { ...parsed.data };
    // Empty strings count as missing, as in B2HANDLE.
    for (const [key, value] of Object.entries(resolved)) if (value === '') delete (resolved as Record<string, unknown>)[key];
    if (resolved.handleowner !== undefined) parseIdentity(resolved.handleowner, 'handleowner');
    if (resolved.username !== undefined) parseIdentity(resolved.username, 'username');
    for (const key of ['private_key', 'certificate_only', 'certificate_and_key'] as const) {
      const path = resolved[key];
      if (path !== undefined) resolved[key] = this.existingFile(key, path);
    }
    if (typeof resolved.HTTPS_verify === 'string' && !/^(true|false)$/i.test(resolved.HTTPS_verify)) {
      resolved.HTTPS_verify = this.existingFile('HTTPS_verify', resolved.HTTPS_verify);
    }
    this.config = Object.freeze(resolved);
    this.checkSufficient();
  }

  /**
   * Reads and validates a credentials JSON file.
   * @example const cred = PIDClientCredentials.loadFromJSON('data/credentials/cred_file.json');
   */
  static loadFromJSON(path: string): PIDClientCredentials {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw credentialsProblem(`Problem with credentials: cannot read ${resolve(path)} (${(error as NodeJS.ErrnoException).code ?? 'error'})`, {
        hint: 'check the path; the mock server writes its credentials to <data folder>/credentials/cred_file.json',
        cause: error,
      });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw credentialsProblem(`Problem with credentials: Invalid JSON syntax in ${resolve(path)}: ${(error as Error).message}`, {
        hint: 'look for a missing comma or quote near the position given',
        cause: error,
      });
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      throw credentialsProblem(`Problem with credentials: ${resolve(path)} must hold a JSON object {"handle_server_url": …}`, {
        hint: 'the file is one JSON object with the keys of a B2HANDLE credentials file',
      });
    }
    return new PIDClientCredentials(json as Record<string, unknown>, { file: path });
  }

  private existingFile(key: string, path: string): string {
    const absolute = isAbsolute(path) ? path : resolve(this.baseDir, path);
    if (!existsSync(absolute)) {
      throw credentialsProblem(`Problem with credentials: "${key}" names ${absolute}, which does not exist`, {
        hint: `relative paths are read from the credentials file's folder (${this.baseDir})`,
      });
    }
    return absolute;
  }

  private checkSufficient(): void {
    const c = this.config;
    const hasPassword = c.username !== undefined && c.password !== undefined;
    const hasCertificate = (c.certificate_only !== undefined && c.private_key !== undefined) || c.certificate_and_key !== undefined;
    if (hasPassword || hasCertificate || this.canSearch) return;
    const problems: string[] = [];
    if (c.username !== undefined && c.password === undefined) problems.push('Username was provided, but no password.');
    if (c.password !== undefined && c.username === undefined) problems.push('Password was provided, but no username.');
    if (c.certificate_only !== undefined && c.private_key === undefined) problems.push('A client certificate was provided, but no private key.');
    if (c.private_key !== undefined && c.certificate_only === undefined) problems.push('A private key was provided, but no client certificate.');
    problems.push('Insufficient credentials for searching.');
    throw credentialsProblem(`Problem with credentials: ${problems.join(' ')}`, {
      hint: 'give username+password, or certificate_only+private_key, or reverse look-up credentials',
    });
  }

  /** The prefix handles are created under, e.g. "21.T12995". @example cred.prefix */
  get prefix(): string | undefined {
    return this.config.prefix;
  }

  /** Base URL of the Handle server, e.g. "https://127.0.0.1:8000". @example cred.serverUrl */
  get serverUrl(): string | undefined {
    return this.config.handle_server_url;
  }

  /** The identity used for password authentication, e.g. "300:21.T12995/USER01". @example cred.username */
  get username(): string | undefined {
    return this.config.username;
  }

  /** Owner written into HS_ADMIN of new handles, e.g. "200:0.NA/21.T12995". @example cred.handleOwner */
  get handleOwner(): string | undefined {
    return this.config.handleowner;
  }

  /**
   * Whether and how to check the server's TLS certificate: true/false, or the path of a CA file
   * (`HTTPS_verify` may also be the strings "true"/"false", as B2HANDLE accepts).
   * @example HandleClient.forReadAccess(cred.serverUrl, { httpsVerify: cred.httpsVerify })
   */
  get httpsVerify(): boolean | string {
    const verify = this.config.HTTPS_verify;
    if (typeof verify === 'string' && /^(true|false)$/i.test(verify)) return verify.toLowerCase() === 'true';
    return verify ?? true;
  }

  /** How writes will authenticate. @example cred.authentication // 'certificate' */
  get authentication(): 'certificate' | 'password' | 'none' {
    const c = this.config;
    if ((c.certificate_only && c.private_key) || c.certificate_and_key) return 'certificate';
    if (c.username && c.password) return 'password';
    return 'none';
  }

  /** The reverse look-up (search) account and URL are complete. @example cred.canSearch */
  get canSearch(): boolean {
    const c = this.config;
    return Boolean((c.reverselookup_username ?? c.username) && (c.reverselookup_password ?? c.password) && (c.reverselookup_baseuri ?? c.handle_server_url));
  }

  /** Keys beyond those this class interprets (B2HANDLE's get_config). @example cred.getConfig() */
  getConfig(): Record<string, unknown> {
    const known = new Set(Object.keys(credentialsSchema.shape));
    return Object.fromEntries(Object.entries(this.config).filter(([k]) => !known.has(k)));
  }

  /** All keys, resolved (B2HANDLE's get_all_args). @example cred.getAllArgs().handle_server_url */
  getAllArgs(): CredentialsConfig {
    return { ...this.config };
  }

  /** A summary safe to print: no password, no key contents. @example console.log(cred.describe()) */
  describe(): string {
    const c = this.config;
    return [
      `server:         ${c.handle_server_url ?? '(none)'}`,
      `prefix:         ${c.prefix ?? '(none)'}`,
      `authentication: ${this.authentication}${this.authentication === 'password' ? ` as ${c.username}` : ''}`,
      `handle owner:   ${c.handleowner ?? '(default: 200:0.NA/<prefix>)'}`,
      `reverse look-up: ${this.canSearch ? `as ${c.reverselookup_username ?? c.username}` : 'not configured'}`,
    ].join('\n');
  }
}
