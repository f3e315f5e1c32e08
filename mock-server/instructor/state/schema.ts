// What a state file must be before anything of it is written: every field has its exact form (handle
// names, base64 data, value indexes, identities, keys that really parse), ids are unique, and what
// one part names another has (trainees on homed prefixes, prefix handles in the records). A file
// failing any of it is refused whole, with the path of the field, e.g. `provisioning.trainees[3].name`.
import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { isTraineeName, TRAINEE_NAME_RULE } from '../../data-folder/trainee-name.js';
import { prefixHandle, storageKey } from '../../vocabulary/handle-names.js';
import { KINDS, VERDICTS } from '../class-progress/report.js';

export const STATE_FORMAT = 'pid-handson-state';
export const STATE_VERSION = 1;

/** The largest value index (and ttl) a Handle server takes: a Java int, as the REST API reads it. */
export const MAX_INDEX = 2147483647;

const CONTROL = /[\u0000-\u001f\u007f]/;
/** Keys that reach an object's prototype when a parser or a spread assigns them. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

type Context = z.core.$RefinementCtx<unknown>;

function issue(ctx: Context, message: string, path: PropertyKey[] = []): void {
  ctx.addIssue({ code: 'custom', message, path });
}

export function handleNameProblem(name: string): string | undefined {
  if (name === '') return 'a handle name must not be empty';
  if (CONTROL.test(name)) return `handle name ${JSON.stringify(name)} holds a control character (NUL, a line break, …)`;
  const slash = name.indexOf('/');
  if (slash <= 0 || slash === name.length - 1) return `handle name ${JSON.stringify(name)} must be prefix/suffix, e.g. 21.T12995/abc`;
  return undefined;
}

const handleName = z.string().superRefine((name, ctx) => {
  const problem = handleNameProblem(name);
  if (problem) issue(ctx, problem);
});

const plainText = (what: string) => z.string().refine((s) => !CONTROL.test(s), { error: `${what} must not hold control characters` });
const secret = z
  .string()
  .min(1, { error: 'a password must not be empty' })
  .refine((s) => !CONTROL.test(s), { error: 'a password must not hold control characters' });

const prefixName = z.string().regex(/^[0-9A-Za-z.]+$/, { error: 'a prefix looks like 21.T12995 (letters, digits and dots)' });

const valueIndex = z
  .number()
  .refine((n) => Number.isInteger(n) && n >= 1 && n <= MAX_INDEX, { error: `a value index is a whole number from 1 to ${MAX_INDEX}` });
const referenceIndex = z
  .number()
  .refine((n) => Number.isInteger(n) && n >= 0 && n <= MAX_INDEX, { error: `a reference index is a whole number from 0 to ${MAX_INDEX}` });

/** `300:21.T12995/USER01`, as the server writes identities. */
const identity = z.string().superRefine((text, ctx) => {
  const match = /^(\d{1,10}):(.*)$/s.exec(text);
  const index = match ? Number(match[1]) : 0;
  if (!match || index < 1 || index > MAX_INDEX) {
    issue(ctx, `identity ${JSON.stringify(text)} must be index:handle with an index from 1 to ${MAX_INDEX}, e.g. 300:21.T12995/USER01`);
    return;
  }
  const problem = handleNameProblem(match[2]!);
  if (problem) issue(ctx, `identity ${JSON.stringify(text)}: ${problem}`);
});

/** Standard base64 as `Buffer#toString('base64')` writes it, so the bytes read are the bytes exported. */
function isBase64(text: string): boolean {
  return text.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(text) && Buffer.from(text, 'base64').toString('base64') === text;
}

const base64Url = z.string().regex(/^[A-Za-z0-9_-]+$/, { error: 'must be base64url' });
const rsaJwk = z.object({ n: base64Url, e: base64Url }).superRefine((jwk, ctx) => {
  const key = publicKeyOf(jwk);
  if (!key) issue(ctx, 'is not an RSA public key: node:crypto cannot read n and e');
  else if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) issue(ctx, 'is not an RSA public key of at least 2048 bits', ['n']);
});

function publicKeyOf(jwk: { n: string; e: string }): KeyObject | undefined {
  try {
    return createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' });
  } catch {
    return undefined;
  }
}

function modulusOf(key: KeyObject): string | undefined {
  return (key.export({ format: 'jwk' }) as { n?: string }).n;
}

const trainee = z
  .object({
    name: z.string().refine(isTraineeName, { error: `is not a trainee name: ${TRAINEE_NAME_RULE}` }),
    passwordIdentity: identity,
    certificateIdentity: identity,
    password: secret,
    publicKeyJwk: rsaJwk,
    privateKeyPem: z.string().optional(),
    certificatePem: z.string().optional(),
    created: z.iso.datetime({ error: 'must be an ISO 8601 time' }).optional(),
    revoked: z.boolean().optional(),
  })
  .superRefine((t, ctx) => {
    if ((t.privateKeyPem === undefined) !== (t.certificatePem === undefined)) {
      issue(ctx, 'privateKeyPem and certificatePem come together (both or neither)', [t.privateKeyPem === undefined ? 'privateKeyPem' : 'certificatePem']);
      return;
    }
    const wanted = publicKeyOf(t.publicKeyJwk);
    if (t.privateKeyPem !== undefined) {
      let key: KeyObject | undefined;
      try {
        key = createPublicKey(createPrivateKey(t.privateKeyPem));
      } catch {
        issue(ctx, 'is not a private key in PEM form that node:crypto can read', ['privateKeyPem']);
      }
      if (key && wanted && modulusOf(key) !== modulusOf(wanted)) issue(ctx, 'is not the private key of publicKeyJwk', ['privateKeyPem']);
    }
    if (t.certificatePem !== undefined) {
      let certificate: X509Certificate | undefined;
      try {
        certificate = new X509Certificate(t.certificatePem);
      } catch {
        issue(ctx, 'is not an X.509 certificate in PEM form that node:crypto can read', ['certificatePem']);
      }
      if (certificate && wanted && modulusOf(certificate.publicKey) !== modulusOf(wanted)) {
        issue(ctx, 'certifies another key than publicKeyJwk', ['certificatePem']);
      }
    }
  });

const searchUser = z
  .string()
  .min(1)
  .refine((s) => !s.includes(':') && !CONTROL.test(s), { error: 'a reverse look-up user name holds no ":" and no control characters' });

const provisioning = z.object({
  prefixes: z.array(prefixName).min(1, { error: 'at least one prefix: the trainees create their handles there' }),
  instructor: z.object({ identity, password: secret }),
  trainees: z.array(trainee),
  extraIdentities: z
    .array(
      z.object({
        identity,
        password: secret.optional(),
        publicKeyJwk: rsaJwk.optional(),
        adminOf: z.array(prefixName),
      }),
    )
    .optional(),
  hrlsUsers: z.record(searchUser, secret),
  serverAdmins: z.array(identity),
});

const value = z.object({
  index: valueIndex,
  type: plainText('a value type'),
  data: z.string({ error: 'must be the value bytes in base64' }).refine(isBase64, { error: 'must be the value bytes in base64 (A-Z a-z 0-9 + /, = padded)' }),
  ttlType: z.union([z.literal(0), z.literal(1)]),
  ttl: z
    .number()
    .int()
    .min(-MAX_INDEX - 1)
    .max(MAX_INDEX),
  timestamp: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32 - 1),
  references: z.array(z.object({ handle: handleName, index: referenceIndex })),
  adminRead: z.boolean(),
  adminWrite: z.boolean(),
  publicRead: z.boolean(),
  publicWrite: z.boolean(),
});

const event = z.object({
  id: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
  at: z.string(),
  actor: plainText('an actor'),
  action: z.enum(['create', 'replace', 'add-values', 'remove-values', 'delete']),
  handle: handleName,
  detail: z.object({ indexes: z.array(valueIndex), types: z.array(z.string()) }),
  // The record before and after the change, for the history page; absent for entries journalled
  // before values were kept.
  before: z.array(value).optional(),
  after: z.array(value).optional(),
});

// The verdicts trainees' checks reported (class progress); absent in files exported before it existed.
const progressReport = z
  .object({
    trainee: handleName,
    exercise: plainText('an exercise id').min(1),
    kind: z.enum(KINDS),
    verdict: z.enum(VERDICTS),
    attempt: z.number().int().min(1),
    at: z.string(),
    received: z.string(),
  })
  .strict();

const stateFileShape = z.object({
  format: z.literal(STATE_FORMAT),
  version: z.literal(STATE_VERSION),
  exportedAt: z.string(),
  prefixes: z.array(prefixName).min(1, { error: 'at least one homed prefix: without one every create is refused' }),
  provisioning,
  handles: z.array(z.object({ handle: handleName, values: z.array(value) })),
  events: z.array(event),
  progress: z.array(progressReport).optional(),
});

export type StateFile = z.infer<typeof stateFileShape>;

/** What one part of the file says about another: the checks no single field can make. */
function checkConsistency(file: StateFile, ctx: Context): void {
  const homed = new Set(file.prefixes.map(storageKey));
  const classPrefixes = file.provisioning.prefixes;
  firstRepeat(classPrefixes, storageKey, (i, j) => issue(ctx, `prefix ${classPrefixes[i]} is given twice (also [${j}])`, ['provisioning', 'prefixes', i]));
  const handles = new Set(file.handles.map((h) => storageKey(h.handle)));
  classPrefixes.forEach((prefix, i) => {
    if (!homed.has(storageKey(prefix))) issue(ctx, `prefix ${prefix} is not among the homed prefixes (the file's "prefixes")`, ['provisioning', 'prefixes', i]);
    else if (!handles.has(storageKey(prefixHandle(prefix)))) {
      issue(ctx, `the prefix handle ${prefixHandle(prefix)} is missing from "handles": without it nobody may create handles under ${prefix}`, [
        'provisioning',
        'prefixes',
        i,
      ]);
    }
  });

  const trainees = file.provisioning.trainees;
  firstRepeat(
    trainees,
    (t) => t.name.toUpperCase(),
    (i, j) => issue(ctx, `trainee ${trainees[i]!.name} is given twice (also [${j}])`, ['provisioning', 'trainees', i, 'name']),
  );
  trainees.forEach((t, i) => {
    const path = ['provisioning', 'trainees', i];
    const wanted = classPrefixes.map((p) => storageKey(`${p}/${t.name}`));
    for (const field of ['passwordIdentity', 'certificateIdentity'] as const) {
      const handle = t[field].slice(t[field].indexOf(':') + 1);
      if (!wanted.includes(storageKey(handle))) {
        issue(ctx, `${t[field]} is not an identity of trainee ${t.name}: it must be index:<prefix>/${t.name} on one of ${classPrefixes.join(', ')}`, [
          ...path,
          field,
        ]);
      }
    }
  });
  const extras = file.provisioning.extraIdentities ?? [];
  firstRepeat(
    extras,
    (x) => storageKey(x.identity),
    (i, j) => issue(ctx, `identity ${extras[i]!.identity} is given twice (also [${j}])`, ['provisioning', 'extraIdentities', i, 'identity']),
  );

  firstRepeat(
    file.handles,
    (h) => storageKey(h.handle),
    (i, j) => issue(ctx, `handle ${file.handles[i]!.handle} is given twice (also [${j}])`, ['handles', i, 'handle']),
  );
  file.handles.forEach((record, i) => {
    firstRepeat(
      record.values,
      (v) => v.index,
      (k, j) => issue(ctx, `index ${record.values[k]!.index} of ${record.handle} is given twice (also [${j}])`, ['handles', i, 'values', k, 'index']),
    );
  });
  firstRepeat(
    file.events,
    (e) => e.id,
    (i, j) => issue(ctx, `journal entry id ${file.events[i]!.id} is given twice (also [${j}])`, ['events', i, 'id']),
  );
}

/** Calls `repeated(i, j)` for every item whose key an earlier item `j` already had. */
function firstRepeat<T, K>(items: readonly T[], key: (item: T) => K, repeated: (i: number, j: number) => void): void {
  const seen = new Map<K, number>();
  items.forEach((item, i) => {
    const k = key(item);
    const earlier = seen.get(k);
    if (earlier === undefined) seen.set(k, i);
    else repeated(i, earlier);
  });
}

const stateFile = stateFileShape.superRefine((file, ctx) => checkConsistency(file, ctx));

export class StateFileError extends Error {}

/** `provisioning.trainees[3].name`: the path as one reads it in the file. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const part of path) text += typeof part === 'number' ? `[${part}]` : `${text ? '.' : ''}${String(part)}`;
  return text || '(top level)';
}

/** The first key that would reach a prototype (JSON.parse keeps `__proto__` as an own key). */
function prototypeKey(input: unknown, path: PropertyKey[] = []): PropertyKey[] | undefined {
  if (input === null || typeof input !== 'object') return undefined;
  if (Array.isArray(input)) {
    for (let i = 0; i < input.length; i++) {
      const found = prototypeKey(input[i], [...path, i]);
      if (found) return found;
    }
    return undefined;
  }
  for (const key of Object.keys(input)) {
    if (PROTOTYPE_KEYS.has(key)) return [...path, key];
    const found = prototypeKey((input as Record<string, unknown>)[key], [...path, key]);
    if (found) return found;
  }
  return undefined;
}

/** Checks a parsed file completely; the message names the first fields that are wrong. */
export function checkStateFile(input: unknown): StateFile {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new StateFileError('a state file is one JSON object');
  const { format, version } = input as { format?: unknown; version?: unknown };
  if (format !== STATE_FORMAT) throw new StateFileError(`not a pid-handson state file: "format" is ${JSON.stringify(format)}, expected "${STATE_FORMAT}"`);
  if (version !== STATE_VERSION) {
    throw new StateFileError(`state file version ${JSON.stringify(version)} is not supported: this pid-mock reads version ${STATE_VERSION}`);
  }
  const poisoned = prototypeKey(input);
  if (poisoned) throw new StateFileError(`${fieldPath(poisoned)}: the key "${String(poisoned.at(-1))}" is not allowed in a state file`);
  const parsed = stateFile.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 3).map((i) => `${fieldPath(i.path)}: ${i.message}`);
    const more = parsed.error.issues.length > 3 ? ` (and ${parsed.error.issues.length - 3} more)` : '';
    throw new StateFileError(`the state file does not match version ${STATE_VERSION} of the format (nothing was changed): ${problems.join('; ')}${more}`);
  }
  return parsed.data;
}

export function parseStateText(text: string): StateFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new StateFileError(`the state file is not valid JSON (${(error as Error).message})`);
  }
  return checkStateFile(json);
}
