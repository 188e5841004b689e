/**
 * Every way the test server can misbehave, one switch per row of SCIM-QUIRKS.md. Defaults are the
 * RFC 7643/7644 (+ RFC 9865) behaviour; each switch can be flipped at runtime with setQuirks().
 * QUIRK_SPECS below drives runtime validation (setQuirks, the CLI) and documents each switch.
 */

export type FaultKind =
  'reset' | 'hang' | 'status500' | 'status503' | 'status' | 'malformedJson' | 'htmlPage' | 'oversized' | 'slowDrip' | 'wrongEnvelopeTypes';

export const FAULT_KINDS: readonly FaultKind[] = [
  'reset',
  'hang',
  'status500',
  'status503',
  'status',
  'malformedJson',
  'htmlPage',
  'oversized',
  'slowDrip',
  'wrongEnvelopeTypes',
];

/**
 * One injected fault. Targeting fields are ANDed; a rule without any of every/probability/first/
 * after/times fires on every matching request. Counters live with the rule object, so passing a
 * fresh `faults` array to setQuirks restarts them.
 */
export interface FaultRule {
  kind: FaultKind;
  /** HTTP method(s) to hit, e.g. 'GET' or ['POST', 'PATCH']. */
  method?: string | string[];
  /** Path prefix relative to the base path ('/Users', '/Groups/abc'), or '/oauth/token'. Case-insensitive. */
  path?: string;
  /** Only requests whose query has these values, e.g. `{startIndex: '151'}` (one page of a listing, whatever the arrival order). */
  query?: Record<string, string>;
  /** Fire on every Nth matching request (N, 2N, 3N, ...). */
  every?: number;
  /** Fire with this probability (0..1), drawn from a PRNG seeded by `faultSeed`. */
  probability?: number;
  /** Fire on the first N matching requests only, then recover (retry tests). */
  first?: number;
  /** Only start firing after N matching requests went through untouched. */
  after?: number;
  /** Stop after firing this many times in total. */
  times?: number;
  /** 'status': the status to answer (default 502); 'htmlPage': 200 or 502 (default 502). */
  status?: number;
  /** Retry-After header to add (seconds, or an HTTP date string). */
  retryAfter?: number | string;
  /** 'oversized': body size in bytes (default 12 MiB). */
  bytes?: number;
  /** 'slowDrip': milliseconds between chunks (default 100). */
  dripIntervalMs?: number;
  /** 'slowDrip': bytes per chunk (default 1). */
  dripBytes?: number;
}

export interface RateLimit {
  requestsPerSecond: number;
  burst: number;
  /** Only these methods count (default: all). */
  methods?: string[];
  /** Only these path prefixes (relative to the base path) count, e.g. ['/Groups'] (default: all SCIM paths). */
  paths?: string[];
}

export type IdStyle = 'uuid' | 'hex32' | 'aws' | 'unusual';

/** Quirks that switch on in the middle of a listing: after `afterListPages` list requests (GET /Users or /Groups). */
export interface LaterQuirks {
  afterListPages: number;
  quirks: Partial<Quirks>;
}

export interface Quirks {
  // ---- pagination and list envelope
  maxPageSize: number;
  advertisedMaxPageSize: number | null;
  defaultPageSize: number;
  totalResultsIsPageCount: boolean;
  totalResultsOffset: number;
  totalResultsCap: number | null;
  oversizedCount: 'cap' | 'invalidCount';
  ignoreStartIndex: boolean;
  laterQuirks: LaterQuirks | null;
  pastEndBehavior: 'empty' | 'firstPage' | 'lastItem';
  startIndexMode: 'oneBased' | 'zeroBased' | 'lowIndicesSame';
  cursorSupported: boolean;
  cursorOnly: boolean;
  cursorOnlyStartIndex: 'ignore' | 'reject';
  unsolicitedNextCursor: boolean;
  cursorTimeoutSeconds: number;
  expireNextCursors: number;
  maxStartIndex: number | null;
  emptyListShape: 'rfc' | 'omitResources' | 'bare';
  lowerCaseEnvelopeKeys: boolean;
  itemsPerPageEchoesCount: boolean;
  countZero: 'rfc' | 'error' | 'maxPage' | 'zeroTotal';
  requireStartIndexAndCount: boolean;
  placeholderOnUnfilteredList: boolean;
  listOmitsAttributes: string[];
  phantomListEntries: number;
  groupMembersAlwaysEmpty: boolean;
  groupMemberLatencyMsPer1000: number;
  neverEnding: boolean;
  // ---- filtering
  filterEqOnly: boolean;
  allowedFilters: string[] | null;
  userNameCaseExact: boolean;
  filterCaseSensitive: boolean;
  unsupportedFilterReturnsEmpty: boolean;
  invalidFilterReturns500: boolean;
  filterExternalIdSnakeCase: boolean;
  emailsValueFilterUnsupported: boolean;
  maxFilterNodes: number | null;
  // ---- create / update
  noLocationHeader: boolean;
  locationBasePath: string | null;
  omitMetaTimestamps: boolean;
  lowerCaseResourceType: boolean;
  patchResponse: 'resource' | 'noContent' | 'noContentOnNoop';
  putUnsupported: boolean;
  putMode: 'replace' | 'merge';
  stringBooleans: 'reject' | 'coerce';
  canonicalTypesOnly: boolean;
  unknownAttributes: 'ignore' | 'reject';
  requiredUserAttributes: string[];
  userNameMustBeEmail: boolean;
  verifiedDomains: string[] | null;
  userNameImmutable: boolean;
  emailChangesRefused: boolean;
  updatesNotApplied: boolean;
  deactivatedUsersReadOnly: boolean;
  normalizeValues: boolean;
  externalIdUnique: boolean;
  patchUpsertOnNoTarget: boolean;
  etagSupported: boolean;
  // ---- deprovisioning
  deleteDeactivates: boolean;
  deactivatedUsersNotFound: boolean;
  recreateAfterDeleteConflicts: boolean;
  deleteUnsupported: boolean;
  // ---- groups
  maxMembersPerRequest: number | null;
  rejectMembersReplaceAll: boolean;
  maxPayloadBytes: number | null;
  unknownMembers: 'reject' | 'accept';
  rejectNestedGroups: boolean;
  omitEmptyMembers: boolean;
  memberValueOnly: boolean;
  groupDisplayNameUnique: boolean;
  groupsUnsupported: boolean;
  // ---- types, headers, errors
  errorStyle: 'rfc' | 'integerStatus' | 'scim11' | 'noStatus';
  responseContentType: string | null;
  deleteRejectsAcceptHeader: boolean;
  notFoundAs400: boolean;
  stackTraces: boolean;
  unsupportedEndpointsEmpty404: boolean;
  idStyle: IdStyle;
  timestampStyle: 'rfc' | 'offset' | 'noMillis' | 'micros';
  vendorExtension: boolean;
  projectionDropsSchemasMeta: boolean;
  discoveryWithoutAuth: boolean;
  // ---- rate limits
  rateLimit: RateLimit | null;
  retryAfterStyle: 'seconds' | 'httpDate' | 'none';
  rateLimitHeaders: boolean;
  // ---- latency and faults
  latencyMs: number;
  latencyJitterMs: number;
  faults: FaultRule[];
  faultSeed: number;
}

type SpecType =
  | { kind: 'boolean' }
  | { kind: 'number'; min?: number }
  | { kind: 'nullableNumber'; min?: number }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'nullableString' }
  | { kind: 'stringList' }
  | { kind: 'nullableStringList' }
  | { kind: 'rateLimit' }
  | { kind: 'faults' }
  | { kind: 'laterQuirks' };

export interface QuirkSpec {
  type: SpecType;
  /** The SCIM-QUIRKS.md row(s) it models, or '-' for plain settings. */
  models: string;
  doc: string;
}

const bool = { kind: 'boolean' } as const;
const num = (min = 0): SpecType => ({ kind: 'number', min });
const nnum = (min = 0): SpecType => ({ kind: 'nullableNumber', min });
const oneOf = (...values: string[]): SpecType => ({ kind: 'enum', values });

export const QUIRK_SPECS: { [K in keyof Quirks]: QuirkSpec } = {
  maxPageSize: { type: num(1), models: 'P1', doc: 'Largest page served; a bigger `count` is silently capped (RFC default 1000).' },
  advertisedMaxPageSize: {
    type: nnum(1),
    models: 'P1',
    doc: 'What SPC `filter.maxResults`/`pagination.maxPageSize` claim; null = the real `maxPageSize`. Lets SPC lie.',
  },
  defaultPageSize: { type: num(1), models: 'P2', doc: 'Page size when `count` is absent (default 100; Slack 10, scimmy 20).' },
  totalResultsIsPageCount: { type: bool, models: 'P3', doc: '`totalResults` is the number of resources on this page, not the total.' },
  totalResultsOffset: {
    type: num(-1_000_000_000),
    models: 'P3',
    doc: '`totalResults` claims N more resources than there are (negative: fewer), never below 0.',
  },
  totalResultsCap: {
    type: nnum(0),
    models: 'P3',
    doc: '`totalResults` never says more than N (servers that stop counting), whatever the real total.',
  },
  oversizedCount: {
    type: oneOf('cap', 'invalidCount'),
    models: 'P1',
    doc: 'A `count` above `maxPageSize` is capped silently (default) or refused with 400 `invalidCount`.',
  },
  ignoreStartIndex: {
    type: bool,
    models: 'P4/P6',
    doc: 'Index paging ignores `startIndex`: every page is the first one again (cursors still work).',
  },
  laterQuirks: {
    type: { kind: 'laterQuirks' },
    models: '-',
    doc:
      '`{afterListPages: N, quirks: {...}}`: once N list requests (GET /Users or /Groups) have arrived, these quirks ' +
      'switch on for the following ones (a total that changes after page 3, a page that comes short...). Once.',
  },
  pastEndBehavior: {
    type: oneOf('empty', 'firstPage', 'lastItem'),
    models: 'P4',
    doc: '`startIndex` past the end: `empty` (RFC), page 1 again, or only the last item.',
  },
  startIndexMode: {
    type: oneOf('oneBased', 'zeroBased', 'lowIndicesSame'),
    models: 'P5',
    doc: '`zeroBased`: startIndex is an offset (1 skips the first item); `lowIndicesSame`: 0, 1 and 2 all start at the first item.',
  },
  cursorSupported: {
    type: bool,
    models: 'P7',
    doc: 'RFC 9865 cursor paging is offered (SPC `pagination.cursor`); false = the `cursor` parameter is ignored.',
  },
  cursorOnly: {
    type: bool,
    models: 'P6',
    doc:
      'AWS-style: cursor paging only. Envelope has `itemsPerPage` + `nextCursor`, no totalResults/startIndex; ' +
      'SPC `pagination.index` false.',
  },
  cursorOnlyStartIndex: {
    type: oneOf('ignore', 'reject'),
    models: 'P6',
    doc: 'With `cursorOnly`, a `startIndex` parameter is ignored or refused with 400.',
  },
  unsolicitedNextCursor: { type: bool, models: 'P7', doc: 'Index-paged responses also carry `nextCursor` (RFC 9865 allows it).' },
  cursorTimeoutSeconds: {
    type: num(1),
    models: 'P7',
    doc: 'Cursor lifetime; older cursors get 400 `expiredCursor` (advertised as `cursorTimeout`).',
  },
  expireNextCursors: {
    type: num(0),
    models: 'P7',
    doc: 'The next N requests that present a non-empty cursor get 400 `expiredCursor` (counts down, so a restart succeeds).',
  },
  maxStartIndex: {
    type: nnum(1),
    models: 'P8',
    doc: 'Salesforce: `startIndex` above N is refused (400, detail suggests `id gt` keyset paging).',
  },
  emptyListShape: {
    type: oneOf('rfc', 'omitResources', 'bare'),
    models: 'P9',
    doc: 'Empty result: `Resources: []` (rfc), no `Resources` key, or no Resources/startIndex/itemsPerPage at all.',
  },
  lowerCaseEnvelopeKeys: {
    type: bool,
    models: 'P10',
    doc: 'List envelope keys in lower case (`resources`, `totalresults`, `itemsperpage`, `startindex`).',
  },
  itemsPerPageEchoesCount: { type: bool, models: 'P11', doc: '`itemsPerPage` echoes the requested `count` instead of the page length.' },
  countZero: {
    type: oneOf('rfc', 'error', 'maxPage', 'zeroTotal'),
    models: 'P12',
    doc: '`count=0`: totalResults only (rfc), 400 (Entra), the max page (WSO2), or totalResults 0 (scim2-server).',
  },
  requireStartIndexAndCount: {
    type: bool,
    models: 'P13',
    doc: 'Bitwarden: lists are empty unless both `startIndex` and `count` are given.',
  },
  placeholderOnUnfilteredList: {
    type: bool,
    models: 'P14',
    doc: 'Snowflake: an unfiltered list returns one synthetic placeholder user (totalResults 1).',
  },
  listOmitsAttributes: {
    type: { kind: 'stringList' },
    models: 'P15',
    doc: 'Attributes (paths) dropped from list results but present on GET by id, e.g. `urn:…:enterprise:2.0:User:manager`.',
  },
  phantomListEntries: {
    type: num(0),
    models: 'P16',
    doc: 'Unfiltered user lists end with N extra entries with null userName/emails (pending invitations).',
  },
  groupMembersAlwaysEmpty: {
    type: bool,
    models: 'P17',
    doc: 'AWS: group GETs/lists always show `members: []`; `filter=members.value eq` still finds groups.',
  },
  groupMemberLatencyMsPer1000: {
    type: num(0),
    models: 'P18',
    doc: 'Extra latency per 1000 members serialised into a response (big groups make lists slow).',
  },
  neverEnding: {
    type: bool,
    models: 'P3/P4 (loop guard)',
    doc: 'User lists never end: every page has new ids and totalResults keeps growing; cursors never run out.',
  },
  filterEqOnly: { type: bool, models: 'F1', doc: 'Only `eq` (joined by `and`) is supported; anything else is 400 `invalidFilter`.' },
  allowedFilters: {
    type: { kind: 'nullableStringList' },
    models: 'F2',
    doc: 'Allowed filter attribute combinations, `+`-joined, e.g. `userName`, `externalId`, `id+manager` (AWS). null = any.',
  },
  userNameCaseExact: {
    type: bool,
    models: 'F3',
    doc: '`userName` comparisons in filters are case-sensitive (uniqueness stays case-insensitive).',
  },
  filterCaseSensitive: {
    type: bool,
    models: 'F4',
    doc: 'Filter attribute names and operators must use canonical case (`username`, `EQ` fail).',
  },
  unsupportedFilterReturnsEmpty: {
    type: bool,
    models: 'F5',
    doc: 'Invalid/unsupported filters (and filters on extension attributes) give 200 with no results instead of 400.',
  },
  invalidFilterReturns500: {
    type: bool,
    models: 'F6',
    doc: 'An unparsable filter gives 500 with a stack trace in `detail` instead of 400 `invalidFilter`.',
  },
  filterExternalIdSnakeCase: { type: bool, models: 'F7', doc: 'GitHub: `external_id` is accepted as an alias of `externalId` in filters.' },
  emailsValueFilterUnsupported: {
    type: bool,
    models: 'F7',
    doc: 'GitHub: `emails.value`/`emails[...]` filters are 400; only bare `emails eq "x"` works.',
  },
  maxFilterNodes: { type: nnum(1), models: 'F8', doc: 'Databricks: filters with more than N expression nodes are 400 `invalidFilter`.' },
  noLocationHeader: { type: bool, models: 'C1', doc: 'POST answers 201 without a `Location` header.' },
  locationBasePath: {
    type: { kind: 'nullableString' },
    models: 'C2',
    doc: '`meta.location`/Location use this base path (e.g. `/v2`) instead of the real one.',
  },
  omitMetaTimestamps: { type: bool, models: 'C3', doc: 'No `meta.created`/`meta.lastModified`.' },
  lowerCaseResourceType: { type: bool, models: 'C4', doc: '`meta.resourceType` is `user`/`group`.' },
  patchResponse: {
    type: oneOf('resource', 'noContent', 'noContentOnNoop'),
    models: 'C5',
    doc: 'PATCH answers 200 with the resource (rfc), always 204, or 204 only when nothing changed.',
  },
  putUnsupported: { type: bool, models: 'C6', doc: 'PUT answers 405 (PATCH only); SPC is unchanged, as with Entra.' },
  putMode: {
    type: oneOf('replace', 'merge'),
    models: 'C7',
    doc: 'PUT replaces the resource, clearing omitted attributes (rfc), or merges and keeps them.',
  },
  stringBooleans: {
    type: oneOf('reject', 'coerce'),
    models: 'C8',
    doc: '`"True"`/`"false"` for booleans: 400 `invalidValue` (default) or coerced to booleans.',
  },
  canonicalTypesOnly: {
    type: bool,
    models: 'C9',
    doc: 'Non-canonical `type` values (emails `office`, phone `cell`) are 400 `invalidValue`.',
  },
  unknownAttributes: { type: oneOf('ignore', 'reject'), models: 'C10', doc: 'Attributes not in the schema are dropped (default) or 400.' },
  requiredUserAttributes: {
    type: { kind: 'stringList' },
    models: 'C11',
    doc: 'Extra attribute paths a new user must have, e.g. `password`, `nickName` (Entra `mailNickname`-style).',
  },
  userNameMustBeEmail: { type: bool, models: 'C12', doc: '`userName` must look like an email address (400 `invalidValue`).' },
  verifiedDomains: {
    type: { kind: 'nullableStringList' },
    models: 'C12',
    doc: 'When set, the userName email domain must be one of these.',
  },
  userNameImmutable: { type: bool, models: 'C13', doc: 'Changing or removing `userName` after create is 400 `mutability`.' },
  emailChangesRefused: { type: bool, models: 'C14', doc: 'Zoom: changing email values is 400 ("Domain name doesn\'t match").' },
  updatesNotApplied: { type: bool, models: 'C15', doc: 'PUT/PATCH answer success with the would-be resource but store nothing.' },
  deactivatedUsersReadOnly: {
    type: bool,
    models: 'C16',
    doc: 'LaunchDarkly: an inactive user only accepts changes to `active` (400 otherwise).',
  },
  normalizeValues: {
    type: bool,
    models: 'C18',
    doc: 'better-auth: lower-cases email values, synthesises displayName, name.formatted and a primary email.',
  },
  externalIdUnique: { type: bool, models: 'C19', doc: '`externalId` must be unique too (409 `uniqueness`).' },
  patchUpsertOnNoTarget: {
    type: bool,
    models: '-',
    doc: 'PATCH `replace` with a value filter that matches nothing creates the element instead of 400 `noTarget`.',
  },
  etagSupported: {
    type: bool,
    models: '-',
    doc: 'ETags: `meta.version`, `ETag` header, If-Match (412) and If-None-Match (304). Advertised in SPC.',
  },
  deleteDeactivates: { type: bool, models: 'D1', doc: 'DELETE /Users/{id} sets `active: false` and answers 204; the user stays.' },
  deactivatedUsersNotFound: {
    type: bool,
    models: 'D2',
    doc: 'Atlassian: inactive users answer 404 to GET/PUT/PATCH/DELETE (they still appear in lists).',
  },
  recreateAfterDeleteConflicts: {
    type: bool,
    models: 'D3',
    doc: 'After DELETE, creating a user with the same userName/externalId/email is 409 although no lookup finds him.',
  },
  deleteUnsupported: { type: bool, models: 'D4', doc: 'DELETE /Users is 405: deprovision only with PATCH `active: false`.' },
  maxMembersPerRequest: {
    type: nnum(1),
    models: 'G1',
    doc: 'AWS: more than N member changes in one PATCH (or N members in one create/PUT) is 400. Typical 100.',
  },
  rejectMembersReplaceAll: { type: bool, models: 'G2', doc: 'AWS: `replace` of members and `remove` of all members are 400.' },
  maxPayloadBytes: { type: nnum(1), models: 'G3', doc: 'Request bodies above N bytes are 413 (Miro 800 KB).' },
  unknownMembers: {
    type: oneOf('reject', 'accept'),
    models: 'G4',
    doc: 'A member id that names no resource: 400 `invalidValue` (default) or stored as is (scim2-server).',
  },
  rejectNestedGroups: { type: bool, models: 'G5', doc: 'Groups as members are refused (400).' },
  omitEmptyMembers: { type: bool, models: 'G6', doc: '`members` key absent for empty groups instead of `[]`.' },
  memberValueOnly: { type: bool, models: 'G7', doc: 'Member entries carry only `value` (no display/type/$ref).' },
  groupDisplayNameUnique: {
    type: bool,
    models: 'G8',
    doc: 'Group displayName unique case-insensitively, 409 on clash (default true; false allows duplicates).',
  },
  groupsUnsupported: { type: bool, models: 'G9', doc: '`/Groups` is 404 and ResourceTypes lists only User.' },
  errorStyle: {
    type: oneOf('rfc', 'integerStatus', 'scim11', 'noStatus'),
    models: 'T1/T2/T3',
    doc: 'Error body: RFC (`status` string), integer `status`, SCIM 1.1 `{"Errors":[{description,code}]}`, or without `status`.',
  },
  responseContentType: {
    type: { kind: 'nullableString' },
    models: 'T4',
    doc: 'Content-Type of every response, e.g. `text/html` or `application/json` (null = `application/scim+json`).',
  },
  deleteRejectsAcceptHeader: { type: bool, models: 'T5', doc: 'Entra: DELETE with `Accept: application/scim+json` is 400.' },
  notFoundAs400: { type: bool, models: 'T6', doc: 'Unknown ids answer 400 instead of 404.' },
  stackTraces: { type: bool, models: 'T7', doc: 'Every 500 body carries a stack trace in `detail`.' },
  unsupportedEndpointsEmpty404: {
    type: bool,
    models: 'T8',
    doc: '`/Bulk`, `/Me`, `/.search` and unknown paths give 404 with an empty body (default: SCIM 501/404 errors).',
  },
  idStyle: {
    type: oneOf('uuid', 'hex32', 'aws', 'unusual'),
    models: 'T9',
    doc:
      'Shape of ids: UUID, 32 hex, AWS `10hex-uuid`, or with `&`, `+` and a space (must be URL-encoded). ' +
      'Seeded ids use the value given at start.',
  },
  timestampStyle: {
    type: oneOf('rfc', 'offset', 'noMillis', 'micros'),
    models: 'T10',
    doc: 'meta timestamps as `…123Z`, with `-08:00` offset, without milliseconds, or with microseconds.',
  },
  vendorExtension: {
    type: bool,
    models: 'T11',
    doc: 'Users carry a vendor extension block (`urn:ietf:params:scim:schemas:extension:zoom:1.0:User`) with string-typed flags.',
  },
  projectionDropsSchemasMeta: { type: bool, models: 'T13', doc: 'With `attributes=`, `schemas` and `meta` are left out too (scimmy).' },
  discoveryWithoutAuth: {
    type: bool,
    models: '-',
    doc: '`/ServiceProviderConfig`, `/ResourceTypes`, `/Schemas` answer without credentials.',
  },
  rateLimit: {
    type: { kind: 'rateLimit' },
    models: 'R1/R2/R3',
    doc: 'Token bucket `{requestsPerSecond, burst, methods?, paths?}`; over the limit: 429 + Retry-After.',
  },
  retryAfterStyle: {
    type: oneOf('seconds', 'httpDate', 'none'),
    models: 'R1',
    doc: 'Retry-After on 429 as delta seconds, as an HTTP date, or absent.',
  },
  rateLimitHeaders: {
    type: bool,
    models: 'R4',
    doc: '`X-Rate-Limit-Limit`/`-Remaining`/`-Reset` (seconds until the next token) on rate-limited paths.',
  },
  latencyMs: { type: num(0), models: '-', doc: 'Delay before every answer.' },
  latencyJitterMs: { type: num(0), models: '-', doc: 'Extra random delay 0..N ms (seeded).' },
  faults: {
    type: { kind: 'faults' },
    models: 'transport',
    doc: 'Fault rules (reset, hang, 500, 503, malformed JSON, HTML page, oversized, slow drip, wrong envelope types); see FaultRule.',
  },
  faultSeed: { type: num(0), models: '-', doc: 'Seed of the PRNG behind `probability` faults and latency jitter.' },
};

export function defaultQuirks(): Quirks {
  return {
    maxPageSize: 1000,
    advertisedMaxPageSize: null,
    defaultPageSize: 100,
    totalResultsIsPageCount: false,
    totalResultsOffset: 0,
    totalResultsCap: null,
    oversizedCount: 'cap',
    ignoreStartIndex: false,
    laterQuirks: null,
    pastEndBehavior: 'empty',
    startIndexMode: 'oneBased',
    cursorSupported: true,
    cursorOnly: false,
    cursorOnlyStartIndex: 'ignore',
    unsolicitedNextCursor: false,
    cursorTimeoutSeconds: 600,
    expireNextCursors: 0,
    maxStartIndex: null,
    emptyListShape: 'rfc',
    lowerCaseEnvelopeKeys: false,
    itemsPerPageEchoesCount: false,
    countZero: 'rfc',
    requireStartIndexAndCount: false,
    placeholderOnUnfilteredList: false,
    listOmitsAttributes: [],
    phantomListEntries: 0,
    groupMembersAlwaysEmpty: false,
    groupMemberLatencyMsPer1000: 0,
    neverEnding: false,
    filterEqOnly: false,
    allowedFilters: null,
    userNameCaseExact: false,
    filterCaseSensitive: false,
    unsupportedFilterReturnsEmpty: false,
    invalidFilterReturns500: false,
    filterExternalIdSnakeCase: false,
    emailsValueFilterUnsupported: false,
    maxFilterNodes: null,
    noLocationHeader: false,
    locationBasePath: null,
    omitMetaTimestamps: false,
    lowerCaseResourceType: false,
    patchResponse: 'resource',
    putUnsupported: false,
    putMode: 'replace',
    stringBooleans: 'reject',
    canonicalTypesOnly: false,
    unknownAttributes: 'ignore',
    requiredUserAttributes: [],
    userNameMustBeEmail: false,
    verifiedDomains: null,
    userNameImmutable: false,
    emailChangesRefused: false,
    updatesNotApplied: false,
    deactivatedUsersReadOnly: false,
    normalizeValues: false,
    externalIdUnique: false,
    patchUpsertOnNoTarget: false,
    etagSupported: true,
    deleteDeactivates: false,
    deactivatedUsersNotFound: false,
    recreateAfterDeleteConflicts: false,
    deleteUnsupported: false,
    maxMembersPerRequest: null,
    rejectMembersReplaceAll: false,
    maxPayloadBytes: null,
    unknownMembers: 'reject',
    rejectNestedGroups: false,
    omitEmptyMembers: false,
    memberValueOnly: false,
    groupDisplayNameUnique: true,
    groupsUnsupported: false,
    errorStyle: 'rfc',
    responseContentType: null,
    deleteRejectsAcceptHeader: false,
    notFoundAs400: false,
    stackTraces: false,
    unsupportedEndpointsEmpty404: false,
    idStyle: 'uuid',
    timestampStyle: 'rfc',
    vendorExtension: false,
    projectionDropsSchemasMeta: false,
    discoveryWithoutAuth: false,
    rateLimit: null,
    retryAfterStyle: 'seconds',
    rateLimitHeaders: false,
    latencyMs: 0,
    latencyJitterMs: 0,
    faults: [],
    faultSeed: 1,
  };
}

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

function checkNumber(name: string, v: unknown, min: number | undefined): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`quirk ${name}: expected a number, got ${JSON.stringify(v)}`);
  if (min !== undefined && v < min) throw new Error(`quirk ${name}: must be >= ${min}, got ${v}`);
}

function checkFault(rule: unknown, i: number): void {
  const where = `quirk faults[${i}]`;
  if (!rule || typeof rule !== 'object') throw new Error(`${where}: expected an object`);
  const r = rule as Record<string, unknown>;
  if (!FAULT_KINDS.includes(r.kind as FaultKind)) throw new Error(`${where}: kind must be one of ${FAULT_KINDS.join(', ')}`);
  const known = new Set([
    'kind',
    'method',
    'path',
    'query',
    'every',
    'probability',
    'first',
    'after',
    'times',
    'status',
    'retryAfter',
    'bytes',
    'dripIntervalMs',
    'dripBytes',
  ]);
  for (const k of Object.keys(r)) if (!known.has(k)) throw new Error(`${where}: unknown field '${k}'`);
  for (const k of ['every', 'first', 'after', 'times', 'bytes', 'dripIntervalMs', 'dripBytes', 'status'] as const) {
    if (r[k] !== undefined) checkNumber(`${where}.${k}`, r[k], k === 'every' || k === 'dripBytes' ? 1 : 0);
  }
  if (r.probability !== undefined) {
    checkNumber(`${where}.probability`, r.probability, 0);
    if ((r.probability as number) > 1) throw new Error(`${where}.probability: must be <= 1`);
  }
  if (r.method !== undefined && typeof r.method !== 'string' && !isStringArray(r.method))
    throw new Error(`${where}.method: string or string[]`);
  if (r.path !== undefined && typeof r.path !== 'string') throw new Error(`${where}.path: string`);
  if (r.query !== undefined && (!r.query || typeof r.query !== 'object' || !Object.values(r.query).every((v) => typeof v === 'string')))
    throw new Error(`${where}.query: an object of strings`);
  if (r.retryAfter !== undefined && typeof r.retryAfter !== 'string' && typeof r.retryAfter !== 'number')
    throw new Error(`${where}.retryAfter: number or string`);
}

function checkLaterQuirks(value: unknown): void {
  if (value === null) return;
  const v = value as Record<string, unknown>;
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('quirk laterQuirks: expected {afterListPages, quirks} or null');
  for (const k of Object.keys(v)) if (k !== 'afterListPages' && k !== 'quirks') throw new Error(`quirk laterQuirks: unknown field '${k}'`);
  checkNumber('laterQuirks.afterListPages', v.afterListPages, 0);
  if (!v.quirks || typeof v.quirks !== 'object' || Array.isArray(v.quirks)) throw new Error('quirk laterQuirks.quirks: expected an object');
  try {
    validateQuirks(v.quirks as Record<string, unknown>);
  } catch (e) {
    throw new Error(`quirk laterQuirks.quirks: ${(e as Error).message}`);
  }
}

/** Throws a readable Error on an unknown switch or a value of the wrong shape (typos in tests and CLI args). */
export function validateQuirks(q: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(q)) {
    const spec = (QUIRK_SPECS as Record<string, QuirkSpec | undefined>)[name];
    if (!spec) throw new Error(`unknown quirk '${name}'`);
    if (value === undefined) continue;
    const t = spec.type;
    switch (t.kind) {
      case 'boolean':
        if (typeof value !== 'boolean') throw new Error(`quirk ${name}: expected true or false, got ${JSON.stringify(value)}`);
        break;
      case 'number':
        checkNumber(name, value, t.min);
        break;
      case 'nullableNumber':
        if (value !== null) checkNumber(name, value, t.min);
        break;
      case 'enum':
        if (typeof value !== 'string' || !t.values.includes(value))
          throw new Error(`quirk ${name}: expected one of ${t.values.join(', ')}, got ${JSON.stringify(value)}`);
        break;
      case 'nullableString':
        if (value !== null && typeof value !== 'string') throw new Error(`quirk ${name}: expected a string or null`);
        break;
      case 'stringList':
        if (!isStringArray(value)) throw new Error(`quirk ${name}: expected an array of strings`);
        break;
      case 'nullableStringList':
        if (value !== null && !isStringArray(value)) throw new Error(`quirk ${name}: expected an array of strings or null`);
        break;
      case 'rateLimit': {
        if (value === null) break;
        const r = value as Record<string, unknown>;
        if (typeof r !== 'object') throw new Error(`quirk rateLimit: expected {requestsPerSecond, burst} or null`);
        checkNumber('rateLimit.requestsPerSecond', r.requestsPerSecond, 0.001);
        checkNumber('rateLimit.burst', r.burst, 1);
        if (r.methods !== undefined && !isStringArray(r.methods)) throw new Error('quirk rateLimit.methods: array of strings');
        if (r.paths !== undefined && !isStringArray(r.paths)) throw new Error('quirk rateLimit.paths: array of strings');
        break;
      }
      case 'faults':
        if (!Array.isArray(value)) throw new Error('quirk faults: expected an array of fault rules');
        value.forEach(checkFault);
        break;
      case 'laterQuirks':
        checkLaterQuirks(value);
        break;
    }
  }
}

/**
 * Parses the CLI form `name=value,name=value`. Lists use `|` (`allowedFilters=userName|id+manager`),
 * `null` clears nullable switches, and rateLimit takes `rps/burst`. Faults and anything richer go
 * through JSON (`--quirks-json`).
 */
export function parseQuirkAssignments(text: string): Partial<Quirks> {
  const out: Record<string, unknown> = {};
  for (const part of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=');
    const name = eq < 0 ? part : part.slice(0, eq).trim();
    const raw = eq < 0 ? 'true' : part.slice(eq + 1).trim();
    const spec = (QUIRK_SPECS as Record<string, QuirkSpec | undefined>)[name];
    if (!spec) throw new Error(`unknown quirk '${name}' (known: ${Object.keys(QUIRK_SPECS).join(', ')})`);
    const t = spec.type;
    const asNumber = (s: string) => {
      const n = Number(s);
      if (s === '' || !Number.isFinite(n)) throw new Error(`quirk ${name}: '${s}' is not a number`);
      return n;
    };
    switch (t.kind) {
      case 'boolean':
        if (!['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'].includes(raw.toLowerCase()))
          throw new Error(`quirk ${name}: '${raw}' is not a boolean`);
        out[name] = ['true', '1', 'yes', 'on'].includes(raw.toLowerCase());
        break;
      case 'number':
        out[name] = asNumber(raw);
        break;
      case 'nullableNumber':
        out[name] = raw === 'null' ? null : asNumber(raw);
        break;
      case 'enum':
        out[name] = raw;
        break;
      case 'nullableString':
        out[name] = raw === 'null' ? null : raw;
        break;
      case 'stringList':
        out[name] = raw === '' ? [] : raw.split('|');
        break;
      case 'nullableStringList':
        out[name] = raw === 'null' ? null : raw === '' ? [] : raw.split('|');
        break;
      case 'rateLimit': {
        if (raw === 'null') {
          out[name] = null;
          break;
        }
        const m = /^([\d.]+)\/(\d+)$/.exec(raw);
        if (!m) throw new Error(`quirk rateLimit: expected 'requestsPerSecond/burst', e.g. 10/20`);
        out[name] = { requestsPerSecond: Number(m[1]), burst: Number(m[2]) };
        break;
      }
      case 'faults':
        throw new Error('quirk faults: use --fault or --quirks-json');
      case 'laterQuirks':
        throw new Error('quirk laterQuirks: use --quirks-json');
    }
  }
  validateQuirks(out);
  return out as Partial<Quirks>;
}
