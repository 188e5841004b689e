// The SCIM module's public face: other modules import from here only.
export { ScimClient } from './client.ts';
export type {
  CallOptions,
  ListGroupsOptions,
  ListOptions,
  ScimClientOptions,
  ScimCompat,
  ScimPagingDefaults,
  WriteOptions,
} from './client-options.ts';
export type { AuthProvider, ScimAuth } from './auth.ts';
export { ScimClientError, ScimError, isScimClientError, isScimError } from './errors.ts';
export type { ScimClientErrorCode } from './errors.ts';
export type { ScimLogger, TransportMetrics } from './http.ts';
export { LimitsRegistry } from './limits.ts';
export type { RateLimitOptions, SharedLimits } from './limits.ts';
export type { LookupAttribute, LookupOptions, LookupResult } from './lookup.ts';
export type { ListingStats, PageFetcher, PageRequest, PagingMode, PagingOptions, ParallelStats, StopReason } from './pager.ts';
export type { RetryOptions } from './retry.ts';
export { networkPolicy, normalizeBaseUrl, STRICT_NETWORK } from './url-safety.ts';
export type { AddressVerdict, NetworkPolicy, ResolveFunction, UrlPolicy } from './url-safety.ts';
export { diffDirectoryAttributes, fromScimUser, normalizeForCompare, toScimUser } from './mapping.ts';
export type {
  DiffOptions,
  DirectoryAddress,
  DirectoryAttributeName,
  DirectoryPhoneNumber,
  DirectoryUserAttributes,
  DirectoryUserForScim,
  DirectoryUserState,
} from './mapping.ts';
export { eq } from './filter.ts';
export { buildUserPatch, replaceOp, SCIM_PATHS } from './patch.ts';
export type { MemberPatchOptions, UserPatchOptions } from './patch.ts';
export { ENTERPRISE_USER, SCHEMAS } from './types.ts';
export type {
  PatchOperation,
  ScimAddress,
  ScimEnterpriseUser,
  ScimGroup,
  ScimGroupMember,
  ScimListResponse,
  ScimMeta,
  ScimMultiValue,
  ScimName,
  ScimPaginationConfig,
  ScimPatchOp,
  ScimResource,
  ScimResourceType,
  ScimSchema,
  ScimSchemaAttribute,
  ServiceProviderConfig,
} from './types.ts';
export type { ScimUser } from './types.ts';
// The provider core (inbound SCIM): transport-free filter, PATCH, schemas and projection.
export { ScimRequestError, isScimRequestError, scimErrorBody } from './core/errors.ts';
export type { ScimErrorBody, ScimType } from './core/errors.ts';
export type { AttributeDef, AttributeType, Mutability, Returned, Uniqueness } from './core/attributes.ts';
export { RESOURCE_TYPES, SCHEMA_DEFS, canonicalPath, formatPath, resolvePath } from './core/schema.ts';
export type { AttrPath, ResolvedPath, ResourceTypeDef, ResourceTypeName, SchemaDef } from './core/schema.ts';
export { resourceTypeDocuments, schemaDocuments } from './core/documents.ts';
export { parseFilter } from './core/filter.ts';
export type { CompValue, CompareOp, Filter } from './core/filter.ts';
export { matchesFilter, simpleEquality } from './core/evaluate.ts';
export { parseAttributePath } from './core/path.ts';
export type { PatchPath } from './core/path.ts';
export { MAX_OPERATIONS, applyPatch } from './core/patch.ts';
export type { MemberOp, PatchResult } from './core/patch.ts';
export { project, stripNever } from './core/projection.ts';
export { canonicalResource } from './core/canonical.ts';
export { getCI, isRecord } from './util.ts';
export type { ProjectionOptions } from './core/projection.ts';
