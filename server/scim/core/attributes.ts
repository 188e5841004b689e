// Attribute definitions (RFC 7643 §2 and §7) and the builders the schemas are written with. The
// builders fill in the RFC 7643 §2.2 defaults, so each definition names only what differs.

export type AttributeType = 'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'reference' | 'complex' | 'binary';
export type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
export type Returned = 'always' | 'never' | 'default' | 'request';
export type Uniqueness = 'none' | 'server' | 'global';

export interface AttributeDef {
  name: string;
  type: AttributeType;
  multiValued: boolean;
  required: boolean;
  caseExact: boolean;
  mutability: Mutability;
  returned: Returned;
  uniqueness: Uniqueness;
  subAttributes?: AttributeDef[];
  canonicalValues?: string[];
  referenceTypes?: string[];
  description: string;
}

type Options = Partial<Omit<AttributeDef, 'name' | 'type' | 'description'>>;

export function attribute(name: string, type: AttributeType, description: string, options: Options = {}): AttributeDef {
  return {
    name,
    type,
    multiValued: false,
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...options,
    description,
  };
}

export function text(name: string, description: string, options: Options = {}): AttributeDef {
  return attribute(name, 'string', description, options);
}

export function complex(name: string, description: string, subAttributes: AttributeDef[], options: Options = {}): AttributeDef {
  return attribute(name, 'complex', description, { ...options, subAttributes });
}

/** Sub-attributes inherit a read-only or immutable parent's mutability (RFC 7643 §2.2). */
function inherit(parent: Options, subs: AttributeDef[]): AttributeDef[] {
  if (parent.mutability === undefined || parent.mutability === 'readWrite') return subs;
  return subs.map((sub) => (sub.mutability === 'readWrite' ? { ...sub, mutability: parent.mutability! } : sub));
}

/**
 * The usual multi-valued shape (emails, phoneNumbers, ims, ...): value, display, type, primary.
 * `valueDef` overrides the `value` sub-attribute (photos are references, certificates binary).
 */
export function multi(
  name: string,
  description: string,
  types: string[] | undefined,
  options: Options & { valueDef?: AttributeDef; extra?: AttributeDef[] } = {},
): AttributeDef {
  const { valueDef, extra = [], ...rest } = options;
  const subs = [
    valueDef ?? text('value', `The value of the ${name} entry.`),
    text('display', 'A human-readable name, primarily used for display purposes.'),
    text('type', `A label indicating the ${name} entry's function.`, types ? { canonicalValues: types } : {}),
    attribute('primary', 'boolean', `Whether this is the primary ${name} entry; true appears at most once.`),
    ...extra,
  ];
  return complex(name, description, inherit(rest, subs), { ...rest, multiValued: true });
}

export function findAttribute(defs: readonly AttributeDef[] | undefined, name: string): AttributeDef | undefined {
  if (!defs) return undefined;
  const lower = name.toLowerCase();
  return defs.find((def) => def.name.toLowerCase() === lower);
}
