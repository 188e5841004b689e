/**
 * Every error code the API answers with: its HTTP status and what it means. The OpenAPI document lists
 * them (the error body's `code`), and AppError takes only these, so a new code starts here.
 */
export const ERROR_CODES = {
  // The request itself
  VALIDATION_FAILED: { status: 400, meaning: 'A field of the request is invalid; details name each field (path, message)' },
  MALFORMED_BODY: { status: 400, meaning: 'The request body is not valid JSON' },
  BAD_REQUEST: { status: 400, meaning: 'The request was refused before any route ran (another 4xx status may come with it)' },
  BAD_URL: { status: 400, meaning: 'The URL is malformed' },
  INVALID_CURSOR: { status: 400, meaning: 'The page cursor is not one this list gave out, or belongs to another sort order' },
  INVALID_URL: { status: 400, meaning: 'The address is not a usable http(s) URL' },
  EMPTY_SELECTION: { status: 400, meaning: 'The selection names nobody' },
  SELECTION_TOO_LARGE: { status: 400, meaning: 'The selection names more items than one request may' },
  REMOTE_IDS_NOT_FOUND: { status: 400, meaning: "Selected accounts are not in the application's list (refresh the preview)" },
  SECRET_REQUIRED: { status: 400, meaning: 'The integration needs a secret (token or credentials) that was not given' },
  WEAK_PASSWORD: { status: 400, meaning: 'The password does not meet the password policy; details name the rule' },
  PASSWORD_MISMATCH: { status: 400, meaning: 'The password and its confirmation differ' },
  PASSWORD_UNCHANGED: { status: 400, meaning: 'The new password is the current one' },
  CURRENT_PASSWORD_INCORRECT: { status: 400, meaning: 'The current password given is wrong' },
  MFA_CODE_INCORRECT: { status: 400, meaning: 'The authenticator code or recovery code is wrong or already used' },
  SETUP_TOKEN_INVALID: { status: 400, meaning: 'The first-admin setup link is wrong or was used' },
  BODY_TOO_LARGE: { status: 413, meaning: 'The request body is over the size limit' },
  URI_TOO_LONG: { status: 414, meaning: 'A path parameter of the URL is too long' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, meaning: 'The request body has a content type the API does not read (send JSON)' },
  HEADERS_TOO_LARGE: { status: 431, meaning: 'The request line or headers are too large' },
  REQUEST_TIMEOUT: { status: 408, meaning: 'The request took too long to arrive' },
  // Who may do what
  UNAUTHENTICATED: { status: 401, meaning: 'No valid session or API key: sign in, or send a valid API key' },
  INVALID_CREDENTIALS: { status: 401, meaning: 'Wrong sign-in name or password (one answer for every reason)' },
  MFA_CHALLENGE_EXPIRED: { status: 401, meaning: 'The pending two-step sign-in has expired or was used: sign in again' },
  FORBIDDEN: { status: 403, meaning: 'The role (read_only) or the credential does not allow this' },
  CSRF_CHECK_FAILED: { status: 403, meaning: 'A browser write from another site, or without a JSON content type (or the CSRF token)' },
  MFA_ENROLMENT_REQUIRED: { status: 403, meaning: 'The organization requires MFA: this admin must set up an authenticator app first' },
  SESSION_REQUIRED: { status: 403, meaning: 'Only an admin signed in with a password may do this (not an API key)' },
  ROUTE_NOT_FOUND: { status: 404, meaning: 'No route has this method and path' },
  NOT_FOUND: { status: 404, meaning: 'The named resource does not exist (or is in another organization)' },
  NOT_A_MEMBER: { status: 404, meaning: 'The user is not a member of the group' },
  NOT_BOUND: { status: 404, meaning: 'The group is not bound to the application' },
  ACTIVATION_LINK_INVALID: { status: 410, meaning: 'The activation link expired, was used or replaced, or is incomplete' },
  // Conflicts with the current state
  USERNAME_TAKEN: { status: 409, meaning: 'Another user has this username (in any letter case)' },
  EMAIL_TAKEN: { status: 409, meaning: 'Another user or admin has this email (in any letter case)' },
  GROUP_NAME_TAKEN: { status: 409, meaning: 'Another group has this name (in any letter case)' },
  APPLICATION_NAME_TAKEN: { status: 409, meaning: 'Another application has this name (in any letter case)' },
  LAST_ADMIN: { status: 409, meaning: 'The organization would be left without an admin' },
  CANNOT_DELETE_SELF: { status: 409, meaning: 'An admin cannot delete himself' },
  CANNOT_RESET_OWN_MFA: { status: 409, meaning: 'An admin removes his own MFA with a code, not by a reset' },
  USE_CHANGE_PASSWORD: { status: 409, meaning: 'An admin changes his own password with his current one (POST /api/v1/auth/password)' },
  SETUP_DONE: { status: 409, meaning: 'The first admin exists already' },
  MFA_ALREADY_ENABLED: { status: 409, meaning: 'MFA is on already' },
  MFA_NOT_ENABLED: { status: 409, meaning: 'MFA is not on' },
  MFA_NOT_STARTED: { status: 409, meaning: 'No enrolment to confirm: start one first' },
  USER_SUSPENDED: { status: 409, meaning: 'The user is suspended: no activation email is sent' },
  PASSWORD_ALREADY_SET: { status: 409, meaning: 'The user has set a password already: the account is registered' },
  ACTIVATION_EMAIL_IN_PROGRESS: { status: 409, meaning: 'Another activation email for this user is being sent right now' },
  IDM_NOT_CONFIGURED: { status: 409, meaning: 'The application has no identity management integration configured' },
  IDM_NOT_ACTIVE: { status: 409, meaning: "The application's integration is not active" },
  IDM_DEACTIVATED: { status: 409, meaning: 'The integration was deactivated while the request ran' },
  IDM_RECONFIGURED: { status: 409, meaning: "The integration's connection settings changed while the request ran: try again" },
  IMPORT_ALREADY_RUNNING: { status: 409, meaning: 'An import from this application is running already' },
  IMPORT_RUN_NOT_PAUSED: { status: 409, meaning: 'The import run is not paused by its guardrail: there is nothing to confirm' },
  IMPORT_RUN_NOT_CANCELLABLE: { status: 409, meaning: 'Only a paused or queued import run can be cancelled' },
  IMPORT_RUN_NOT_FINISHED: { status: 409, meaning: 'The import run is queued, running or paused: it can be undone once it has ended' },
  IMPORT_RUN_ALREADY_UNDONE: { status: 409, meaning: 'The import run has been undone already (or its undo is under way)' },
  IMPORT_RUN_NOTHING_TO_UNDO: { status: 409, meaning: 'The import run was a dry run: it changed nothing, so there is nothing to undo' },
  IMPORT_UNDO_OF_UNDO: { status: 409, meaning: 'An undo run cannot itself be undone' },
  IMPORT_UNDO_NOT_SUPPORTED: { status: 409, meaning: 'This kind of import run cannot be undone yet (group imports)' },
  USER_SYNC_IN_PROGRESS: { status: 409, meaning: 'This user is being provisioned to the application right now' },
  NOT_PAUSED: { status: 409, meaning: 'Provisioning is not paused: there is nothing to confirm' },
  IDM_TEST_FAILED: { status: 422, meaning: 'The connection test found errors: the integration is not activated' },
  // Too many requests
  RATE_LIMITED: { status: 429, meaning: 'Too many requests from this client; details give retryAfterSeconds' },
  LOGIN_LOCKED: { status: 429, meaning: 'Too many failed sign-ins: this sign-in is locked for a while' },
  ACTIVATION_EMAIL_RATE_LIMITED: {
    status: 429,
    meaning: 'Too many activation emails (per user, or per admin); details give retryAfterSeconds',
  },
  // The server or what it talks to
  INTERNAL: { status: 500, meaning: 'An unexpected error; the server log has the details' },
  SECRET_UNREADABLE: { status: 500, meaning: 'A stored secret cannot be decrypted (was the secret key changed?)' },
  MAIL_INVALID: { status: 500, meaning: 'An email could not be queued: it is malformed' },
  SCIM_REQUEST_FAILED: { status: 502, meaning: "The application's SCIM service failed or refused the request" },
  STORAGE_UNAVAILABLE: { status: 503, meaning: 'The database cannot store anything right now; nothing was saved' },
  IDM_TIMEOUT: { status: 504, meaning: "The application's SCIM service did not answer in time" },
  // SCIM sources (inbound SCIM)
  SCIM_SOURCE_NAME_TAKEN: { status: 409, meaning: 'Another SCIM source has this name (in any letter case)' },
  SCIM_SOURCE_NOT_PAUSED: { status: 409, meaning: "The SCIM source's delete guardrail is not paused: there is nothing to confirm" },
  SCIM_SOURCE_PAUSED: {
    status: 503,
    meaning: "The SCIM source's delete guardrail paused its deletions and suspensions until an admin confirms",
  },
} as const satisfies Record<string, { status: number; meaning: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;
/** The catalogue's codes, in its order. */
export const ERROR_CODE_LIST = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];

/** The one application error: a code of the catalogue, an HTTP status and a message safe to show. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details?: unknown;
  constructor(code: ErrorCode, status: number, message: string, details?: unknown) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.status = status;
    this.details = details;
  }
}

export const notFound = (what: string, id?: string) =>
  new AppError('NOT_FOUND', 404, id ? `${what} ${id} was not found` : `${what} was not found`);

export const conflict = (code: ErrorCode, message: string, details?: unknown) => new AppError(code, 409, message, details);

export const badRequest = (code: ErrorCode, message: string, details?: unknown) => new AppError(code, 400, message, details);

/** Details entry naming a field, as zod failures produce. */
export interface FieldProblem {
  path: string;
  message: string;
}

export const validationError = (problems: FieldProblem[]) =>
  new AppError(
    'VALIDATION_FAILED',
    400,
    `Invalid input: ${problems.map((p) => `${p.path || '(body)'}: ${p.message}`).join('; ')}`,
    problems,
  );
