// Typed PID records: a record whose value types are themselves PIDs of a Data Type Registry, grouped by a
// Kernel Information Profile and validated on write by a PIT service in the Typed PID Maker's REST API
// (`POST /api/v1/pit/pid/`). The requests and the checked shapes of their replies; HandleClient's
// registerTypedRecord, getTypedRecord and resolveType call these with its transport.
import { z } from 'zod';
import { brokenRecord, handleAbsent, handleFailure, notAuthenticated, typedRecordRefused } from './error-kinds.js';
import { checkHandleSyntax } from './handle-syntax.js';
import { handlePath } from './handle-path.js';
import { errorFor, type HandleResponse, type HandleTransport } from './transport/index.js';
import type { HandleRecordJson } from './types.js';

/** The attribute that names a record's profile (kernelInformationProfile in the ePIC test DTR). */
export const KERNEL_INFORMATION_PROFILE = '21.T11148/076759916209e5d62bd5';

/** Attributes by type PID: one value, or a list for an attribute the profile lets repeat. */
export type TypedEntries = Record<string, string | string[]>;

export interface TypedRecordOptions {
  /** The profile's PID, added as the record's kernelInformationProfile (unless the entries name one already). */
  profile?: string | undefined;
  /** Only validate (`?dryrun=true`): nothing is registered, and the PID in the answer is not taken. */
  dryRun?: boolean | undefined;
}

const entrySchema = z.object({ key: z.string(), name: z.string().optional(), value: z.string() });
const typedRecordSchema = z.object({ pid: z.string(), entries: z.record(z.string(), z.array(entrySchema)) });

/**
 * A typed record as the service answers it: the PID and, per attribute, its entries (key, name, value).
 * Written out rather than inferred from the schema so that the declarations the notebooks' kernel loads
 * need none of zod's types; the check below keeps the two the same.
 */
export interface TypedRecord {
  pid: string;
  entries: Record<string, Array<{ key: string; name?: string | undefined; value: string }>>;
}

type ParsedRecord = z.infer<typeof typedRecordSchema>;
const typedRecordMatchesSchema: [ParsedRecord extends TypedRecord ? true : false, TypedRecord extends ParsedRecord ? true : false] = [true, true];
void typedRecordMatchesSchema;

const refusalSchema = z.object({
  message: z.string(),
  attribute: z.string().nullable().optional(),
  rule: z.string().optional(),
});

const registryViewSchema = z.object({
  identifier: z.string(),
  name: z.string(),
  description: z.string().optional(),
  type: z.string().optional(),
  validationSchema: z.string().optional(),
  properties: z
    .array(
      z.object({
        name: z.string(),
        identifier: z.string(),
        representationsAndSemantics: z.array(z.object({ obligation: z.string().optional(), repeatable: z.string().optional() })).optional(),
      }),
    )
    .optional(),
});

/** What a type's PID resolves to in the Data Type Registry. */
export interface TypeDefinition {
  pid: string;
  name: string;
  description: string | undefined;
  /** `PID-InfoType` for an attribute type, `KernelInformationProfile` for a profile, when the registry says. */
  kind: string | undefined;
  /** The JSON Schema a value of this type must satisfy (attribute types). */
  schema: Record<string, unknown> | undefined;
  /** The attributes a profile lists, with whether each is mandatory and may repeat (profiles). */
  attributes: Array<{ name: string; pid: string; mandatory: boolean; repeatable: boolean }> | undefined;
  /** Where the registry serves the definition (the URL of the type's Handle record). */
  location: string;
}

/** What the typed-record helpers need of a HandleClient. */
export interface TypedRecordContext {
  transport: HandleTransport;
  serverUrl: string;
  /** `…/api/v1/pit/pid/` of the PIT service. */
  pitUrl: string;
  writeHeaders(action: string, handle: string | undefined): Record<string, string>;
  readRecord(handle: string): Promise<HandleRecordJson | null>;
}

/** The record in the service's JSON shape, the profile first. */
export function typedRecordBody(entries: TypedEntries, profile: string | undefined): { entries: Record<string, Array<{ key: string; value: string }>> } {
  const all: TypedEntries = profile !== undefined && !(KERNEL_INFORMATION_PROFILE in entries) ? { [KERNEL_INFORMATION_PROFILE]: profile, ...entries } : entries;
  return {
    entries: Object.fromEntries(Object.entries(all).map(([key, value]) => [key, (Array.isArray(value) ? value : [value]).map((v) => ({ key, value: v }))])),
  };
}

function parseTypedRecord(response: HandleResponse, action: string): TypedRecord {
  const parsed = typedRecordSchema.safeParse(response.json);
  if (!parsed.success) {
    throw handleFailure(undefined, `${action}: the PIT service answered HTTP ${response.status} with something that is not a typed record`, {
      httpStatus: response.status,
      hint: 'check that the client talks to a PIT service (Typed PID Maker API v1): typedPidServiceUrl',
    });
  }
  return parsed.data;
}

/** The rule a service's reason states, for services that give only the sentence (the Typed PID Maker itself). */
function ruleFromReason(reason: string): { attribute: string | undefined; rule: string } {
  const attribute = /Attributes? (\S+)/.exec(reason)?.[1]?.replace(/,$/, '');
  if (/missing, but is mandatory/.test(reason)) return { attribute, rule: 'mandatory' };
  if (/not repeatable/.test(reason)) return { attribute, rule: 'not-repeatable' };
  if (/are not allowed in profile/.test(reason)) return { attribute, rule: 'not-in-profile' };
  if (/non-complying value/.test(reason)) return { attribute, rule: 'schema' };
  if (/Record is empty/.test(reason)) return { attribute: undefined, rule: 'empty-record' };
  return { attribute, rule: 'validation' };
}

/** A 4xx that refuses the record: the refusal as an error naming attribute and rule; any other failure as the transport explains it. */
function refusalOrError(response: HandleResponse, action: string): Error {
  if (response.status === 401) {
    return notAuthenticated(undefined, `${action}: HTTP 401, the PIT service did not accept the credentials`, {
      httpStatus: 401,
      hint: 'check username and password (or the certificate) in the credentials file',
    });
  }
  const refusal = refusalSchema.safeParse(response.json);
  if (response.status === 400 && refusal.success && /^Validation of record/.test(refusal.data.message)) {
    const reason = refusal.data.message.replace(/^[^\n]*Reason:\s*/, '');
    const pid = /^Validation of record (\S+)/.exec(refusal.data.message)?.[1];
    const fromReason = ruleFromReason(reason);
    return typedRecordRefused(
      pid,
      { attribute: refusal.data.attribute ?? fromReason.attribute, rule: refusal.data.rule ?? fromReason.rule, reason },
      { httpStatus: 400, serverMessage: refusal.data.message },
    );
  }
  return errorFor(action, undefined, response);
}

export async function registerTypedRecord(context: TypedRecordContext, entries: TypedEntries, options: TypedRecordOptions = {}): Promise<TypedRecord> {
  const action = options.dryRun ? 'validate a typed record' : 'register a typed record';
  const response = await context.transport.send({
    method: 'POST',
    url: `${context.pitUrl}${options.dryRun ? '?dryrun=true' : ''}`,
    headers: { ...context.writeHeaders(action, undefined), 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(typedRecordBody(entries, options.profile)),
    action,
    expect: () => true,
  });
  if (response.status !== 200 && response.status !== 201) throw refusalOrError(response, action);
  return parseTypedRecord(response, action);
}

export async function getTypedRecord(context: TypedRecordContext, pid: string): Promise<TypedRecord | null> {
  checkHandleSyntax(pid);
  const action = `read typed record ${pid}`;
  const response = await context.transport.send({
    method: 'GET',
    url: `${context.pitUrl}${handlePath(pid)}`,
    headers: { accept: 'application/json' },
    action,
    handle: pid,
    expect: () => true,
  });
  if (response.status === 404) return null;
  if (response.status !== 200) throw refusalOrError(response, action);
  return parseTypedRecord(response, action);
}

export async function resolveType(context: TypedRecordContext, typePid: string): Promise<TypeDefinition> {
  checkHandleSyntax(typePid);
  const record = await context.readRecord(typePid);
  if (record === null) throw handleAbsent(typePid, context.serverUrl);
  const location = record.values.find((v) => v.type === 'URL')?.data.value;
  if (typeof location !== 'string') {
    throw brokenRecord(typePid, `${typePid} has no URL value leading to a type definition`, { hint: 'is this the PID of a type in a Data Type Registry?' });
  }
  const action = `resolve type ${typePid}`;
  const response = await context.transport.send({
    method: 'GET',
    url: location,
    headers: { accept: 'application/json' },
    action,
    handle: typePid,
    expect: () => true,
  });
  const view = registryViewSchema.safeParse(response.json);
  if (response.status !== 200 || !view.success) {
    throw handleFailure(typePid, `${action}: ${location} answered HTTP ${response.status} without a type definition`, {
      httpStatus: response.status,
      hint: 'the URL of a type PID should lead to its Data Type Registry entry (JSON)',
    });
  }
  let schema: Record<string, unknown> | undefined;
  if (view.data.validationSchema !== undefined) {
    try {
      schema = JSON.parse(view.data.validationSchema) as Record<string, unknown>;
    } catch {
      throw handleFailure(typePid, `${action}: the registry's validationSchema is not JSON`, { hint: 'report it to the registry' });
    }
  }
  const yes = (text: string | undefined, words: string[]) => words.includes((text ?? '').trim().toLowerCase());
  return {
    pid: view.data.identifier,
    name: view.data.name,
    description: view.data.description,
    kind: view.data.type,
    schema,
    attributes: view.data.properties?.map((p) => ({
      name: p.name,
      pid: p.identifier,
      mandatory: yes(p.representationsAndSemantics?.[0]?.obligation, ['mandatory', 'yes', 'true']),
      repeatable: yes(p.representationsAndSemantics?.[0]?.repeatable, ['yes', 'true', 'repeatable']),
    })),
    location,
  };
}
