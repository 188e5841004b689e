export {
  queueMail,
  listOutbox,
  getOutboxMail,
  MAIL_SEND_JOB,
  MAIL_MAX_ATTEMPTS,
  type MailQueue,
  type MailSendPayload,
  type QueueMailInput,
  type OutboxMail,
  type OutboxQuery,
} from './mail.service.ts';
export {
  deliverQueuedMailNow,
  handleMailSendJob,
  MailSendError,
  type MailSendDeps,
  type MailJobContext,
  type MailServices,
} from './mail.job.ts';
export { MailTransports, createMailTransport, type MailTransport } from './mailer.ts';
export {
  AttachmentRegistry,
  MAX_INLINE_ATTACHMENT_BYTES,
  type AttachmentResolver,
  type AttachmentSource,
  type AttachmentContext,
  type MailAttachmentInput,
} from './attachments.ts';
export {
  importCompletedEmail,
  oneLine,
  plainEmail,
  FAILURES_SHOWN,
  RESULTS_CSV_FILENAME,
  type EmailContent,
  type ImportCompletedEmailInput,
  type ImportFailure,
} from './templates.ts';
export type { MailStatus } from './mail.repository.ts';
export { scimGuardrailPausedEmail, type ScimGuardrailPausedEmailInput } from './templates.ts';
export { importPausedEmail, type ImportPausedEmailInput } from './templates.ts';
