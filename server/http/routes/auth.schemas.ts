// The zod pieces shared by the admin sign-in and admin management routes.
import { z } from 'zod';

/** The pending sign-in between password and second factor; sent only to the second step's route. */
export const MFA_PENDING_COOKIE = 'roster_mfa_pending';
export const MFA_LOGIN_PATH = '/api/v1/auth/login/mfa';
export const totpCode = z
  .string()
  .trim()
  .regex(/^\d{6}$/, 'must be the 6-digit code from your authenticator app');
const recoveryCode = z.string().trim().min(1).max(40);
/** Exactly one of a TOTP code and a recovery code. */
export const secondFactorSchema = z
  .object({ code: totpCode.optional(), recoveryCode: recoveryCode.optional() })
  .strict()
  .refine((f) => (f.code === undefined) !== (f.recoveryCode === undefined), {
    message: 'send either code or recoveryCode',
    path: ['code'],
  });

export const roleSchema = z.enum(['admin', 'read_only']);
export const adminSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: roleSchema,
  createdAt: z.string(),
  lastLoginAt: z.string().nullable(),
  mfaEnabled: z.boolean(),
});
export const emailSchema = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email({ message: 'must be a valid email address' }));
export const newPasswordSchema = z.string().min(12, 'must be at least 12 characters').max(128, 'must be at most 128 characters');
export const apiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  role: roleSchema,
  prefix: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
});
