export * from './admins.service.ts';
export * from './sessions.service.ts';
export { hashPassword, verifyPassword } from './passwords.ts';
export { randomToken, sha256 } from './tokens.ts';
