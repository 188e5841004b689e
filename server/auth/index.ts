export * from './admins.service.ts';
export * from './sessions.service.ts';
export { burnPasswordCheck, hashPassword, verifyPassword } from './passwords.ts';
export { randomToken, sha256 } from './tokens.ts';
export { checkLoginThrottle, clearLoginFailures, loginLockedError, loginThrottleKeys, recordLoginFailure, type ThrottleState } from './throttle.ts';
