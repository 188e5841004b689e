/**
 * RFC 7643 schema definitions for User, EnterpriseUser and Group, used for validation, attribute
 * name canonicalisation (names are case-insensitive on input), filter semantics (caseExact, types)
 * and the /Schemas endpoint.
 */

export const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const VENDOR_EXTENSION = 'urn:ietf:params:scim:schemas:extension:zoom:1.0:User';
export const LIST_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const SPC_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig';
const RESOURCE_TYPE_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:ResourceType';
const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';

type AttrType = 'string' | 'boolean' | 'decimal' | 'integer' | 'dateTime' | 'reference' | 'binary' | 'complex';
type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
type Returned = 'always' | 'never' | 'default' | 'request';

export interface AttrDef {
  name: string;
  type: AttrType;
  multiValued: boolean;
  required: boolean;
  caseExact: boolean;
  mutability: Mutability;
  returned: Returned;
  uniqueness: 'none' | 'server' | 'global';
  description: string;
  canonicalValues?: string[];
  referenceTypes?: string[];
  subAttributes?: AttrDef[];
}

type AttrOpts = Partial<Omit<AttrDef, 'name' | 'type'>>;

function attr(name: string, type: AttrType, description: string, o: AttrOpts = {}): AttrDef {
  return {
    name,
    type,
    multiValued: o.multiValued ?? false,
    required: o.required ?? false,
    caseExact: o.caseExact ?? false,
    mutability: o.mutability ?? 'readWrite',
    returned: o.returned ?? 'default',
    uniqueness: o.uniqueness ?? 'none',
    description,
    ...(o.canonicalValues ? { canonicalValues: o.canonicalValues } : {}),
    ...(o.referenceTypes ? { referenceTypes: o.referenceTypes } : {}),
    ...(o.subAttributes ? { subAttributes: o.subAttributes } : {}),
  };
}

/** The multi-valued "value/display/type/primary" shape most User attributes share. */
function multi(
  name: string,
  description: string,
  types: string[] | undefined,
  valueType: AttrType = 'string',
  valueCaseExact = false,
): AttrDef {
  return attr(name, 'complex', description, {
    multiValued: true,
    subAttributes: [
      attr('value', valueType, `The ${name} value.`, {
        caseExact: valueCaseExact,
        ...(valueType === 'reference' ? { referenceTypes: ['external'] } : {}),
      }),
      attr('display', 'string', 'A human-readable name, primarily used for display purposes.'),
      attr('type', 'string', 'A label indicating the function of the value.', types ? { canonicalValues: types } : {}),
      attr('primary', 'boolean', "Indicates the 'primary' or preferred value; at most one may be true."),
    ],
  });
}

const USER_ATTRIBUTES: AttrDef[] = [
  attr('userName', 'string', 'Unique identifier for the User, typically used to authenticate. REQUIRED.', {
    required: true,
    uniqueness: 'server',
  }),
  attr('name', 'complex', "The components of the user's real name.", {
    subAttributes: [
      attr('formatted', 'string', 'The full name, formatted for display.'),
      attr('familyName', 'string', 'The family name.'),
      attr('givenName', 'string', 'The given name.'),
      attr('middleName', 'string', 'The middle name(s).'),
      attr('honorificPrefix', 'string', 'The honorific prefix(es).'),
      attr('honorificSuffix', 'string', 'The honorific suffix(es).'),
    ],
  }),
  attr('displayName', 'string', 'The name of the User, suitable for display to end-users.'),
  attr('nickName', 'string', 'The casual way to address the user.'),
  attr('profileUrl', 'reference', "A fully qualified URL pointing to the User's online profile.", { referenceTypes: ['external'] }),
  attr('title', 'string', "The user's title, such as 'Vice President'."),
  attr('userType', 'string', 'The relationship between the organization and the user, e.g. Employee, Contractor.'),
  attr('preferredLanguage', 'string', "The User's preferred written or spoken language."),
  attr('locale', 'string', "The User's default location for localisation."),
  attr('timezone', 'string', "The User's time zone in IANA format, e.g. 'America/Los_Angeles'."),
  attr('active', 'boolean', "The User's administrative status."),
  attr('password', 'string', "The User's cleartext password; never returned.", { mutability: 'writeOnly', returned: 'never' }),
  multi('emails', 'Email addresses for the user.', ['work', 'home', 'other']),
  multi('phoneNumbers', 'Phone numbers for the User.', ['work', 'home', 'mobile', 'fax', 'pager', 'other']),
  multi('ims', 'Instant messaging addresses for the User.', ['aim', 'gtalk', 'icq', 'xmpp', 'msn', 'skype', 'qq', 'yahoo']),
  multi('photos', 'URLs of photos of the User.', ['photo', 'thumbnail'], 'reference', true),
  attr('addresses', 'complex', 'A physical mailing address for this User.', {
    multiValued: true,
    subAttributes: [
      attr('formatted', 'string', 'The full mailing address, formatted for display.'),
      attr('streetAddress', 'string', 'The full street address component.'),
      attr('locality', 'string', 'The city or locality component.'),
      attr('region', 'string', 'The state or region component.'),
      attr('postalCode', 'string', 'The zip code or postal code component.'),
      attr('country', 'string', 'The country name component (ISO 3166-1 alpha-2).'),
      attr('type', 'string', 'A label indicating the function of the address.', { canonicalValues: ['work', 'home', 'other'] }),
      attr('primary', 'boolean', 'Indicates the primary mailing address.'),
    ],
  }),
  attr('groups', 'complex', 'A list of groups to which the user belongs; read-only, managed through Group membership.', {
    multiValued: true,
    mutability: 'readOnly',
    subAttributes: [
      attr('value', 'string', 'The identifier of the Group.', { mutability: 'readOnly' }),
      attr('$ref', 'reference', 'The URI of the Group.', { mutability: 'readOnly', referenceTypes: ['Group'] }),
      attr('display', 'string', 'A human-readable name of the Group.', { mutability: 'readOnly' }),
      attr('type', 'string', 'direct or indirect membership.', { mutability: 'readOnly', canonicalValues: ['direct', 'indirect'] }),
    ],
  }),
  multi('entitlements', 'A list of entitlements for the User.', undefined),
  multi('roles', 'A list of roles for the User.', undefined),
  multi('x509Certificates', 'A list of certificates issued to the User.', undefined, 'binary', true),
];

const ENTERPRISE_ATTRIBUTES: AttrDef[] = [
  attr('employeeNumber', 'string', 'Numeric or alphanumeric identifier assigned to a person by the organization.'),
  attr('costCenter', 'string', 'Identifies the name of a cost center.'),
  attr('organization', 'string', 'Identifies the name of an organization.'),
  attr('division', 'string', 'Identifies the name of a division.'),
  attr('department', 'string', 'Identifies the name of a department.'),
  attr('manager', 'complex', "The User's manager.", {
    subAttributes: [
      attr('value', 'string', 'The id of the manager.', { caseExact: true }),
      attr('$ref', 'reference', 'The URI of the manager.', { referenceTypes: ['User'] }),
      attr('displayName', 'string', 'The displayName of the manager.', { mutability: 'readOnly' }),
    ],
  }),
];

const VENDOR_ATTRIBUTES: AttrDef[] = [
  attr('userType', 'string', 'Vendor licence type, a string (e.g. "Basic", "Licensed").'),
  attr('loginType', 'string', 'Vendor login flags as a string, e.g. "true".'),
  attr('zoomUnited', 'string', 'A boolean-looking string.'),
];

const GROUP_ATTRIBUTES: AttrDef[] = [
  attr('displayName', 'string', 'A human-readable name for the Group. REQUIRED.', { required: true }),
  attr('members', 'complex', 'A list of members of the Group.', {
    multiValued: true,
    subAttributes: [
      attr('value', 'string', 'Identifier of the member of this Group.', { mutability: 'immutable' }),
      attr('$ref', 'reference', 'The URI of the member resource.', { mutability: 'immutable', referenceTypes: ['User', 'Group'] }),
      attr('type', 'string', "'User' or 'Group'.", { mutability: 'immutable', canonicalValues: ['User', 'Group'] }),
      attr('display', 'string', 'A human-readable name for the member.', { mutability: 'readOnly' }),
    ],
  }),
];

/** Attributes every resource has (RFC 7643 §3.1), for filters and projection. */
export const COMMON_ATTRIBUTES: AttrDef[] = [
  attr('id', 'string', 'Unique, server-assigned identifier.', {
    caseExact: true,
    mutability: 'readOnly',
    returned: 'always',
    uniqueness: 'server',
  }),
  attr('externalId', 'string', 'Identifier defined by the provisioning client.', { caseExact: true }),
  attr('meta', 'complex', 'Resource metadata.', {
    mutability: 'readOnly',
    subAttributes: [
      attr('resourceType', 'string', 'The name of the resource type.', { caseExact: true, mutability: 'readOnly' }),
      attr('created', 'dateTime', 'When the resource was added.', { mutability: 'readOnly' }),
      attr('lastModified', 'dateTime', 'When the resource was last changed.', { mutability: 'readOnly' }),
      attr('location', 'reference', 'The URI of the resource.', { caseExact: true, mutability: 'readOnly' }),
      attr('version', 'string', 'The version (ETag) of the resource.', { caseExact: true, mutability: 'readOnly' }),
    ],
  }),
];

export type ResourceKind = 'User' | 'Group';

export interface SchemaSet {
  core: string;
  attributes: AttrDef[];
  extensions: Map<string, AttrDef[]>; // lower-cased URN -> attributes
  extensionNames: Map<string, string>; // lower-cased URN -> canonical URN
}

function byLowerName(defs: AttrDef[]): Map<string, AttrDef> {
  return new Map(defs.map((d) => [d.name.toLowerCase(), d]));
}

export const USER_SCHEMAS: SchemaSet = {
  core: CORE_USER,
  attributes: USER_ATTRIBUTES,
  extensions: new Map([
    [ENTERPRISE_USER.toLowerCase(), ENTERPRISE_ATTRIBUTES],
    [VENDOR_EXTENSION.toLowerCase(), VENDOR_ATTRIBUTES],
  ]),
  extensionNames: new Map([
    [ENTERPRISE_USER.toLowerCase(), ENTERPRISE_USER],
    [VENDOR_EXTENSION.toLowerCase(), VENDOR_EXTENSION],
  ]),
};

export const GROUP_SCHEMAS: SchemaSet = {
  core: CORE_GROUP,
  attributes: GROUP_ATTRIBUTES,
  extensions: new Map(),
  extensionNames: new Map(),
};

const lookupCache = new Map<AttrDef[], Map<string, AttrDef>>();

/** Case-insensitive lookup of an attribute among a list of definitions. */
export function findAttr(defs: AttrDef[], name: string): AttrDef | undefined {
  let m = lookupCache.get(defs);
  if (!m) {
    m = byLowerName(defs);
    lookupCache.set(defs, m);
  }
  return m.get(name.toLowerCase());
}

/**
 * Resolves a parsed attribute path to its definition, looking at the core schema, common
 * attributes and, when a URN is given, the extension.
 */
export function resolveAttr(
  set: SchemaSet,
  schemaUrn: string | undefined,
  name: string,
  sub?: string,
): { def?: AttrDef; subDef?: AttrDef } {
  let defs: AttrDef[] | undefined;
  if (schemaUrn && schemaUrn.toLowerCase() !== set.core.toLowerCase()) defs = set.extensions.get(schemaUrn.toLowerCase());
  const def = defs ? findAttr(defs, name) : (findAttr(set.attributes, name) ?? findAttr(COMMON_ATTRIBUTES, name));
  const subDef = def && sub && def.subAttributes ? findAttr(def.subAttributes, sub) : undefined;
  return { def, subDef };
}

/** Canonical-cased extension URN for a key, if the key names a known extension of this resource type. */
export function extensionUrn(set: SchemaSet, key: string): string | undefined {
  return set.extensionNames.get(key.toLowerCase());
}

function schemaDocument(id: string, name: string, description: string, attributes: AttrDef[], baseUrl: string) {
  return {
    schemas: [SCHEMA_SCHEMA],
    id,
    name,
    description,
    attributes,
    meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${id}` },
  };
}

export function schemaDocuments(baseUrl: string, includeGroups: boolean, includeVendor: boolean) {
  const docs = [
    schemaDocument(CORE_USER, 'User', 'User Account', USER_ATTRIBUTES, baseUrl),
    schemaDocument(ENTERPRISE_USER, 'EnterpriseUser', 'Enterprise User', ENTERPRISE_ATTRIBUTES, baseUrl),
  ];
  if (includeVendor)
    docs.push(schemaDocument(VENDOR_EXTENSION, 'VendorUser', 'Vendor extension with string-typed flags', VENDOR_ATTRIBUTES, baseUrl));
  if (includeGroups) docs.push(schemaDocument(CORE_GROUP, 'Group', 'Group', GROUP_ATTRIBUTES, baseUrl));
  return docs;
}

export function resourceTypeDocuments(baseUrl: string, includeGroups: boolean) {
  const docs: Record<string, unknown>[] = [
    {
      schemas: [RESOURCE_TYPE_SCHEMA],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'User Account',
      schema: CORE_USER,
      schemaExtensions: [{ schema: ENTERPRISE_USER, required: false }],
      meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/User` },
    },
  ];
  if (includeGroups) {
    docs.push({
      schemas: [RESOURCE_TYPE_SCHEMA],
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      description: 'Group',
      schema: CORE_GROUP,
      meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/Group` },
    });
  }
  return docs;
}
