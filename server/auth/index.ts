export * from './admins.service.ts';
export * from './sessions.service.ts';
export { burnPasswordCheck, hashPassword, needsRehash, verifyPassword } from './passwords.ts';
export { randomToken, sha256 } from './tokens.ts';
export { newSessionToken, slideSession } from './sliding.ts';
export {
  checkLoginThrottle,
  clearLoginFailures,
  loginLockedError,
  loginThrottleKeys,
  recordLoginFailure,
  type ThrottleState,
} from './throttle.ts';
export { authEvent, userResource } from './events.ts';
export { assertPasswordPolicy, PASSWORD_POLICY, type PasswordOwner, type PasswordProblem } from './password-policy.ts';
export { changeOwnAdminPassword, resetAdminPassword } from './admin-passwords.service.ts';
export {
  challengeExpired,
  completeMfaLogin,
  confirmTotpEnrolment,
  disableTotp,
  getOrganizationSettings,
  resetAdminMfa,
  startTotpEnrolment,
  updateOrganizationSettings,
  type OrganizationSettings,
} from './mfa.service.ts';
