// Shapes of the REST API's answers (docs: /api/docs). Kept by hand: the portal reads only these fields.

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  total?: number;
}

export type Role = 'admin' | 'read_only';

export interface Admin {
  id: string;
  email: string;
  name: string;
  role: Role;
  createdAt: string;
  lastLoginAt: string | null;
  mfaEnabled: boolean;
}

export interface Me {
  actor: { type: string; id: string | null; email?: string | null; role?: Role };
  admin?: Admin;
  csrfToken: string | null;
  /** The organization requires MFA and this admin has none: only enrolment is open. */
  mfaEnrolmentRequired: boolean;
}

/** POST /api/v1/auth/login: a session, or the first step of an MFA sign-in. */
export type LoginResponse = { csrfToken: string; mfaEnrolmentRequired: boolean } | { mfaRequired: true; expiresAt: string };

export interface TotpEnrolment {
  secret: string;
  otpauthUrl: string;
  recoveryCodes: string[];
}

export interface OrganizationSettings {
  requireAdminMfa: boolean;
}

export interface ApiKey {
  id: string;
  name: string;
  role: Role;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export type UserState = 'STAGED' | 'ACTIVE' | 'SUSPENDED';
export type PasswordStatus = 'PENDING' | 'ACTIVE' | 'EXPIRED';
export type ContactType = 'work' | 'home';

export interface Address {
  type: ContactType;
  streetAddress: string;
  locality: string;
  region: string;
  postalCode: string;
  country: string;
  poBox?: string;
  extendedAddress?: string;
}

export interface PhoneNumber {
  type: ContactType;
  number: string;
}

export interface UserAttributes {
  username: string;
  email: string;
  firstname: string;
  middlename: string;
  lastname: string;
  displayname: string;
  jobTitle: string;
  department: string;
  costCenter: string;
  employeeType: string;
  employeeIdentifier: string;
  organization: string;
  addresses: Address[];
  phoneNumbers: PhoneNumber[];
}

export interface User extends UserAttributes {
  id: string;
  state: UserState;
  passwordStatus: PasswordStatus;
  createdAt: string;
  updatedAt: string;
  source?: { type: 'import'; applicationId: string; importRunId: string };
}

export interface Group {
  id: string;
  name: string;
  description: string;
  memberCount: number;
  createdAt: string;
  updatedAt: string;
}

export interface Member {
  id: string;
  username: string;
  email: string;
  firstname: string;
  lastname: string;
  state: UserState;
}

export interface Application {
  id: string;
  name: string;
  description: string;
  groupCount: number;
  createdAt: string;
  updatedAt: string;
}

export type AuthType = 'bearer' | 'basic' | 'oauth2_client_credentials';
export type IntegrationStatus = 'unconfigured' | 'inactive' | 'active' | 'error';

export interface IdmSettings {
  groupManagement: boolean;
  deprovision: 'deactivate' | 'delete';
  unboundGroups: 'leave' | 'delete';
  pageSize: number;
  rateLimitPerSecond: number;
  rateLimitBurst: number;
  concurrency: number;
  requestTimeoutMs: number;
  memberChunkSize: number;
  allowInsecureHttp: boolean;
  syncIntervalMinutes: number;
  guardrailPercent: number;
  guardrailMinimum: number;
}

export interface Capabilities {
  patch: boolean;
  filter: boolean;
  filterMaxResults?: number;
  sort: boolean;
  bulk: boolean;
  etag: boolean;
  changePassword: boolean;
  maxPageSize?: number;
  cursorPagination: boolean;
  indexPagination: boolean;
  groups: boolean;
  enterpriseUser: boolean;
  userCount?: number;
  authenticationSchemes: string[];
}

export interface Problem {
  code: string;
  severity: 'error' | 'warning';
  message: string;
}

export interface TestResult {
  ok: boolean;
  testedAt: string;
  durationMs: number;
  capabilities: Capabilities;
  problems: Problem[];
  writeCheck: 'passed' | 'failed' | 'skipped';
}

export interface Integration {
  applicationId: string;
  status: IntegrationStatus;
  baseUrl: string | null;
  auth: { type: AuthType; username?: string; tokenUrl?: string; clientId?: string; scope?: string; secretSet: boolean } | null;
  headerNames: string[];
  settings: IdmSettings;
  capabilities?: Capabilities;
  lastTest?: TestResult;
  lastError?: string;
  activatedAt: string | null;
  deactivatedAt: string | null;
  updatedAt: string | null;
}

export type AuthInput =
  | { type: 'bearer'; token?: string }
  | { type: 'basic'; username: string; password?: string }
  | { type: 'oauth2_client_credentials'; tokenUrl: string; clientId: string; clientSecret?: string; scope?: string };

export interface IntegrationInput {
  baseUrl: string;
  auth: AuthInput;
  headers?: Record<string, string>;
  settings?: Partial<IdmSettings>;
}

export type PreviewStatus = 'new' | 'exists' | 'invalid';

export interface PreviewUser {
  remoteId: string;
  userName: string;
  email: string;
  firstname: string;
  lastname: string;
  displayname: string;
  attributes: Record<string, unknown>;
  remoteActive: boolean;
  status: PreviewStatus;
  reasons: string[];
  existingUserId?: string;
}

export interface PreviewPage extends Page<PreviewUser> {
  total: number;
  counts: Record<PreviewStatus, number>;
  snapshot: { id: string; createdAt: string; expiresAt: string; total: number };
}

export type RunStatus = 'queued' | 'running' | 'completed' | 'failed';

export interface ImportRun {
  id: string;
  applicationId: string;
  status: RunStatus;
  mode: 'all' | 'selection';
  total: number;
  processed: number;
  created: number;
  skipped: number;
  failed: number;
  startedAt: string | null;
  finishedAt: string | null;
  createdAt: string;
  initiatedBy: { type: string; id: string | null; email?: string };
  error?: string;
}

export type Outcome = 'created' | 'skipped' | 'failed';

export interface ImportResult {
  remoteId: string;
  userName: string;
  email: string;
  outcome: Outcome;
  reason?: string;
  userId?: string;
}

export interface InsightEvent {
  id: string;
  timestamp: string;
  eventType: string;
  service: string;
  success: boolean;
  initiatedBy: { type: string; id: string | null; email?: string };
  resource: { type: string; id: string | null; username?: string };
  application?: { id: string; name: string };
  importRunId?: string;
  changes?: unknown;
  message?: string;
  clientIp?: string;
}

export interface OutboxMail {
  id: string;
  kind: string;
  relatedId?: string;
  to: string;
  subject: string;
  text: string;
  html?: string;
  status: 'queued' | 'sent' | 'failed' | 'stored';
  attempts: number;
  lastError?: string;
  createdAt: string;
  sentAt?: string;
  attachments: { filename: string; contentType: string; size?: number }[];
}

export type SyncRunStatus = 'queued' | 'running' | 'completed' | 'paused' | 'failed' | 'cancelled';

export interface SyncRun {
  id: string;
  kind: 'full' | 'incremental';
  trigger: string;
  status: SyncRunStatus;
  processed: number;
  counts: Record<string, number>;
  error?: string;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  initiatedBy: { type: string; id: string | null; email?: string };
}

export interface FailedOperation {
  type: 'user' | 'group';
  id: string;
  name: string;
  status: string;
  operation: string | null;
  error: string | null;
  attempts: number;
  nextAttemptAt: string | null;
  updatedAt: string;
}

export interface ProvisioningStatus {
  applicationId: string;
  integrationStatus: IntegrationStatus;
  running: boolean;
  currentSync: SyncRun | null;
  lastSync: SyncRun | null;
  nextReconcileAt: string | null;
  paused: {
    since: string | null;
    syncId: string;
    deprovisions: number;
    linked: number;
    percent: number;
    minimum: number;
    confirmed: boolean;
  } | null;
  pending: { users: number; groups: number; fullReconcile: boolean; queuedSyncs: number };
  failed: { total: number; items: FailedOperation[] };
}
