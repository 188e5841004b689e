// Account registration: users complete their accounts by setting a password (admin, activation
// email, or the user himself), and sign in to their small portal.
export { accountRoutes, USER_SESSION_COOKIE } from './accounts.routes.ts';
export { activationContextOf, registerAccountWorkers } from './activation.job.ts';
export { ACTIVATION_MAIL_KIND, SET_PASSWORD_PATH, sendActivationEmail, type ActivationContext } from './activation.service.ts';
export { ACTIVATION_BATCH_JOB, createActivationBatch, getActivationBatch, type ActivationBatch } from './batches.service.ts';
export { setPasswordByAdmin } from './passwords.service.ts';
export { purgeExpiredAccounts } from './user-sessions.service.ts';
