// Account registration: users complete their accounts by setting a password (admin, activation
// email, or the user himself), and sign in to their small portal.
export { activationContextOf, registerAccountWorkers } from './activation.job.ts';
export { completeActivation, inspectActivation, sendActivationEmail, type ActivationContext } from './activation.service.ts';
export { BULK_MAX_IDS, createActivationBatch, getActivationBatch, type ActivationBatch } from './batches.service.ts';
export { setPasswordByAdmin } from './passwords.service.ts';
export {
  changeOwnPassword,
  endUserSession,
  purgeExpiredAccounts,
  resolveUserSession,
  type UserSession,
  userLogin,
} from './user-sessions.service.ts';
