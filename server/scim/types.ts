// RFC 7643 / RFC 7644 / RFC 9865 resource shapes as this client hands them out after tolerant
// parsing (parse.ts): known attributes under their canonical names with coerced types, unknown
// attributes and extension blocks kept verbatim so read-modify-write never loses them (T11).

export const SCHEMAS = {
  user: 'urn:ietf:params:scim:schemas:core:2.0:User',
  enterpriseUser: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  listResponse: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  patchOp: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  error: 'urn:ietf:params:scim:api:messages:2.0:Error',
  serviceProviderConfig: 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig',
  resourceType: 'urn:ietf:params:scim:schemas:core:2.0:ResourceType',
  schema: 'urn:ietf:params:scim:schemas:core:2.0:Schema',
} as const;

export const ENTERPRISE_USER = SCHEMAS.enterpriseUser;

export interface ScimMeta {
  resourceType?: string;
  /** ISO 8601 UTC, normalised from whatever RFC 3339 form the server sent (T10). */
  created?: string;
  lastModified?: string;
  location?: string;
  version?: string;
}

/**
 * Every resource: `schemas` may be empty when a server drops it (T13); ids are opaque strings (T9).
 * The index signature carries attributes this client doesn't model, untouched.
 */
export interface ScimResource {
  schemas: string[];
  id?: string;
  externalId?: string;
  meta?: ScimMeta;
  [attribute: string]: unknown;
}

export interface ScimName {
  formatted?: string;
  familyName?: string;
  givenName?: string;
  middleName?: string;
  honorificPrefix?: string;
  honorificSuffix?: string;
}

/** The common shape of multi-valued attributes (emails, phoneNumbers, ims, photos, roles...). */
export interface ScimMultiValue {
  value?: string;
  display?: string;
  type?: string;
  primary?: boolean;
  $ref?: string;
}

export interface ScimAddress {
  formatted?: string;
  streetAddress?: string;
  locality?: string;
  region?: string;
  postalCode?: string;
  country?: string;
  type?: string;
  primary?: boolean;
  /** Not RFC 7643, accepted on read when a server has them; never sent. */
  poBox?: string;
  extendedAddress?: string;
}

export interface ScimManager {
  value?: string;
  $ref?: string;
  displayName?: string;
}

export interface ScimEnterpriseUser {
  employeeNumber?: string;
  costCenter?: string;
  organization?: string;
  division?: string;
  department?: string;
  manager?: ScimManager;
  [attribute: string]: unknown;
}

export interface ScimUser extends ScimResource {
  userName?: string;
  name?: ScimName;
  displayName?: string;
  nickName?: string;
  profileUrl?: string;
  title?: string;
  userType?: string;
  preferredLanguage?: string;
  locale?: string;
  timezone?: string;
  active?: boolean;
  password?: string;
  emails?: ScimMultiValue[];
  phoneNumbers?: ScimMultiValue[];
  ims?: ScimMultiValue[];
  photos?: ScimMultiValue[];
  addresses?: ScimAddress[];
  groups?: ScimMultiValue[];
  entitlements?: ScimMultiValue[];
  roles?: ScimMultiValue[];
  x509Certificates?: ScimMultiValue[];
  'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'?: ScimEnterpriseUser;
}

export interface ScimGroupMember {
  value?: string;
  display?: string;
  type?: string;
  $ref?: string;
}

export interface ScimGroup extends ScimResource {
  displayName?: string;
  /** Absent is not "empty" (G6, P17): only an explicit `[]` from a GET means no members. */
  members?: ScimGroupMember[];
}

export interface ScimListResponse<T> {
  totalResults?: number;
  startIndex?: number;
  itemsPerPage?: number;
  /** RFC 9865 cursors; an empty string from the server is treated as absent. */
  nextCursor?: string;
  previousCursor?: string;
  resources: T[];
  /** Entries of `Resources` that were not JSON objects and were skipped. */
  dropped: number;
}

export type PatchOperationType = 'add' | 'remove' | 'replace';

export interface PatchOperation {
  op: PatchOperationType;
  path?: string;
  value?: unknown;
}

export interface ScimPatchOp {
  schemas: [typeof SCHEMAS.patchOp];
  Operations: PatchOperation[];
}

/** RFC 7644 §3.12 error body, as read (status may arrive as an integer, T1). */
export interface ScimErrorBody {
  schemas?: string[];
  status?: string | number;
  scimType?: string;
  detail?: string;
}

export interface ScimSupported {
  supported: boolean;
}

export interface ScimAuthenticationScheme {
  type?: string;
  name?: string;
  description?: string;
  specUri?: string;
  documentationUri?: string;
  primary?: boolean;
}

/** RFC 9865 §4 ServiceProviderConfig `pagination`. */
export interface ScimPaginationConfig {
  cursor?: boolean;
  index?: boolean;
  defaultPaginationMethod?: 'cursor' | 'index' | string;
  defaultPageSize?: number;
  maxPageSize?: number;
  cursorTimeout?: number;
}

export interface ServiceProviderConfig {
  schemas: string[];
  documentationUri?: string;
  patch: ScimSupported;
  bulk: ScimSupported & { maxOperations?: number; maxPayloadSize?: number };
  filter: ScimSupported & { maxResults?: number };
  changePassword: ScimSupported;
  sort: ScimSupported;
  etag: ScimSupported;
  authenticationSchemes: ScimAuthenticationScheme[];
  pagination?: ScimPaginationConfig;
  meta?: ScimMeta;
}

export interface ScimSchemaExtensionRef {
  schema: string;
  required: boolean;
}

export interface ScimResourceType {
  schemas: string[];
  id?: string;
  name: string;
  description?: string;
  endpoint: string;
  schema: string;
  schemaExtensions: ScimSchemaExtensionRef[];
  meta?: ScimMeta;
}

export interface ScimSchemaAttribute {
  name: string;
  type?: string;
  multiValued?: boolean;
  description?: string;
  required?: boolean;
  caseExact?: boolean;
  mutability?: string;
  returned?: string;
  uniqueness?: string;
  canonicalValues?: string[];
  referenceTypes?: string[];
  subAttributes?: ScimSchemaAttribute[];
}

export interface ScimSchema {
  schemas: string[];
  id: string;
  name?: string;
  description?: string;
  attributes: ScimSchemaAttribute[];
  meta?: ScimMeta;
}
