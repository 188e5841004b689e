// The SCIM module's public face: other modules import from here only.
export { ScimClient, SCIM_USER_AGENT } from './client.ts';
export { resourcePath } from './client-options.ts';
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
export { ScimClientError, ScimError, isScimClientError, isScimError, parseScimError, redact, sanitizeServerText } from './errors.ts';
export type { ScimClientErrorCode } from './errors.ts';
export { silentLogger } from './http.ts';
export type { ScimLogger, TransportMetrics } from './http.ts';
export { LimitsRegistry, RateLimiter, Semaphore } from './limits.ts';
export type { RateLimitOptions, SharedLimits } from './limits.ts';
export type { LookupAttribute, LookupOptions, LookupResult } from './lookup.ts';
export { ScimListing, paginate, newListingStats } from './paging.ts';
export type { ListingStats, PageFetcher, PageRequest, PagingMode, PagingOptions, StopReason } from './paging.ts';
export { DEFAULT_RETRY, parseRetryAfter } from './retry.ts';
export type { RetryOptions } from './retry.ts';
export { checkAddress, createSafeLookup, networkPolicy, normalizeBaseUrl, STRICT_NETWORK } from './url-safety.ts';
export type { AddressVerdict, NetworkPolicy, ResolveFunction, UrlPolicy } from './url-safety.ts';
export { DIRECTORY_ATTRIBUTES, diffDirectoryAttributes, fromScimUser, normalizeForCompare, toScimUser } from './mapping.ts';
export type {
  DiffOptions,
  DirectoryAddress,
  DirectoryAttributeName,
  DirectoryPhoneNumber,
  DirectoryUserAttributes,
  DirectoryUserForScim,
  DirectoryUserState,
} from './mapping.ts';
export { and, canonicalAttribute, eq, filterValue, valuePath } from './filter.ts';
export { addOp, buildMemberPatches, buildUserPatch, isIdempotentPatch, patchOp, removeOp, replaceOp } from './patch.ts';
export type { MemberPatchOptions, UserPatchOptions } from './patch.ts';
export { parseGroup, parseListResponse, parseResourceType, parseSchema, parseServiceProviderConfig, parseUser } from './parse.ts';
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
