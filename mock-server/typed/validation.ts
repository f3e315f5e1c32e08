// Validation of a typed PID record in the manner of the Typed PID Maker's strict strategy: every attribute
// must be a type the registry knows and each value must satisfy the type's JSON Schema; a record that names
// a profile (kernelInformationProfile) must carry the profile's mandatory attributes, repeat only what may
// repeat, and add only what the profile allows. The first violation is reported, naming attribute and rule.
import type { ErrorObject } from 'ajv';
import { TYPE } from '../fixtures/data-types.js';
import type { DataTypeRegistry } from './registry.js';

/** A record as the Typed PID Maker takes it: values grouped by attribute (type PID). */
export type TypedEntries = Map<string, string[]>;

export type RecordVerdict =
  | { valid: true }
  | {
      valid: false;
      /** The attribute (type PID) at fault; undefined for a fault of the whole record. */
      attribute: string | undefined;
      /** A short rule name: empty-record, unknown-type, schema:<keyword>, unknown-profile, mandatory, not-repeatable, not-in-profile. */
      rule: string;
      /** The sentence the service gives after "Reason:". */
      reason: string;
    };

/**
 * A value is checked as JSON when it parses as JSON (an object for a checksum), otherwise as the string it is,
 * exactly as the Typed PID Maker reads values before validating them.
 */
function asJsonValue(value: string): unknown {
  if (value.trim() === '') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** ajv's first error in words a learner can act on, e.g. `must match pattern "^https?://"`. */
function describeSchemaError(error: ErrorObject | undefined): { keyword: string; words: string } {
  if (!error) return { keyword: 'schema', words: 'does not satisfy the schema' };
  const where = error.instancePath ? ` at ${error.instancePath}` : '';
  return { keyword: error.keyword, words: `${error.message ?? 'does not satisfy the schema'}${where}` };
}

export function validateRecord(entries: TypedEntries, registry: DataTypeRegistry): RecordVerdict {
  if (entries.size === 0 || [...entries.values()].every((values) => values.length === 0)) {
    return { valid: false, attribute: undefined, rule: 'empty-record', reason: 'Record is empty!' };
  }
  for (const [attribute, values] of entries) {
    const type = registry.attributeType(attribute);
    const validate = registry.validator(attribute);
    if (!type || !validate) {
      return {
        valid: false,
        attribute,
        rule: 'unknown-type',
        reason: `Attribute ${attribute} is not a type registered in the Data Type Registry`,
      };
    }
    for (const value of values) {
      if (!validate(asJsonValue(value))) {
        const { keyword, words } = describeSchemaError(validate.errors?.[0]);
        return {
          valid: false,
          attribute,
          rule: `schema:${keyword}`,
          reason: `Attribute ${attribute} (${type.name}) has a non-complying value ${value}: ${words}`,
        };
      }
    }
  }
  for (const profilePid of entries.get(TYPE.kernelInformationProfile) ?? []) {
    const verdict = checkProfile(entries, profilePid, registry);
    if (!verdict.valid) return verdict;
  }
  return { valid: true };
}

function checkProfile(entries: TypedEntries, profilePid: string, registry: DataTypeRegistry): RecordVerdict {
  const profile = registry.profile(profilePid);
  if (!profile) {
    return {
      valid: false,
      attribute: TYPE.kernelInformationProfile,
      rule: 'unknown-profile',
      reason: `Profile ${profilePid} is not a Kernel Information Profile registered in the Data Type Registry`,
    };
  }
  const listed = new Set(profile.attributes.map((a) => a.pid.toUpperCase()));
  const extra = [...entries.keys()].filter((pid) => !listed.has(pid.toUpperCase()));
  if (!profile.additionalAttributes && extra.length) {
    return {
      valid: false,
      attribute: extra[0],
      rule: 'not-in-profile',
      reason: `Attributes ${extra.join(', ')} are not allowed in profile ${profile.pid}`,
    };
  }
  for (const a of profile.attributes) {
    const values = [...entries].find(([pid]) => pid.toUpperCase() === a.pid.toUpperCase())?.[1] ?? [];
    if (a.mandatory && values.length === 0) {
      return {
        valid: false,
        attribute: a.pid,
        rule: 'mandatory',
        reason: `Attribute ${a.pid} (${a.name}) missing, but is mandatory in profile ${profile.pid}`,
      };
    }
    if (!a.repeatable && values.length > 1) {
      return {
        valid: false,
        attribute: a.pid,
        rule: 'not-repeatable',
        reason: `Attribute ${a.pid} (${a.name}) is not repeatable in profile ${profile.pid}, but has multiple values`,
      };
    }
  }
  return { valid: true };
}
