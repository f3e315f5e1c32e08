// The Data Type Registry stand-in: looks up attribute types and Kernel Information Profiles by PID,
// gives each the JSON view the ePIC test DTR answers (the one the Typed PID Maker reads), and compiles
// each type's JSON Schema once with ajv.
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { ATTRIBUTE_TYPES, PROFILES, type AttributeType, type KernelInformationProfile } from '../fixtures/data-types.js';

/** The registry's JSON for one type or profile (dtr-test's field names: identifier, name, validationSchema, properties). */
export interface RegistryView {
  identifier: string;
  name: string;
  description: string;
  type: 'PID-InfoType' | 'KernelInformationProfile';
  /** The JSON Schema as a string, as the DTR serves it. */
  validationSchema?: string;
  properties?: Array<{
    name: string;
    identifier: string;
    representationsAndSemantics: Array<{ obligation: 'Mandatory' | 'Optional'; repeatable: 'Yes' | 'No' }>;
  }>;
  representationsAndSemantics?: Array<{ expression: 'Format'; subSchemaRelation: 'allowAdditionalProperties' | 'denyAdditionalProperties' }>;
}

const byKey = (pid: string) => pid.toUpperCase();

export class DataTypeRegistry {
  private readonly types = new Map<string, AttributeType>();
  private readonly profiles = new Map<string, KernelInformationProfile>();
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(types: readonly AttributeType[] = ATTRIBUTE_TYPES, profiles: readonly KernelInformationProfile[] = PROFILES) {
    // Formats are assertions, as the Typed PID Maker switches them on: a date-time must be one.
    const ajv = new Ajv({ allErrors: false, strict: false });
    addFormats(ajv);
    for (const type of types) {
      this.types.set(byKey(type.pid), type);
      this.validators.set(byKey(type.pid), ajv.compile(type.schema));
    }
    for (const profile of profiles) this.profiles.set(byKey(profile.pid), profile);
  }

  attributeType(pid: string): AttributeType | undefined {
    return this.types.get(byKey(pid));
  }

  profile(pid: string): KernelInformationProfile | undefined {
    return this.profiles.get(byKey(pid));
  }

  validator(pid: string): ValidateFunction | undefined {
    return this.validators.get(byKey(pid));
  }

  /** The registry's JSON for a type or profile PID, or undefined when the registry has none. */
  view(pid: string): RegistryView | undefined {
    const type = this.attributeType(pid);
    if (type) {
      return { identifier: type.pid, name: type.name, description: type.description, type: 'PID-InfoType', validationSchema: JSON.stringify(type.schema) };
    }
    const profile = this.profile(pid);
    if (!profile) return undefined;
    return {
      identifier: profile.pid,
      name: profile.name,
      description: profile.description,
      type: 'KernelInformationProfile',
      properties: profile.attributes.map((a) => ({
        name: a.name,
        identifier: a.pid,
        representationsAndSemantics: [{ obligation: a.mandatory ? 'Mandatory' : 'Optional', repeatable: a.repeatable ? 'Yes' : 'No' }],
      })),
      representationsAndSemantics: [
        { expression: 'Format', subSchemaRelation: profile.additionalAttributes ? 'allowAdditionalProperties' : 'denyAdditionalProperties' },
      ],
    };
  }
}
