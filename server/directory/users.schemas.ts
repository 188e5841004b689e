// The user payload rules, shared by the REST API, the CLI and imports.
import { z } from 'zod';

export const USER_STATES = ['STAGED', 'ACTIVE', 'SUSPENDED'] as const;
export const PASSWORD_STATUSES = ['PENDING', 'ACTIVE', 'EXPIRED'] as const;

/** Printable text: no control characters (they break CSV exports, logs and SCIM peers). */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

const text = (max: number) =>
  z
    .string({ message: 'must be a string' })
    .trim()
    .max(max, `must be at most ${max} characters`)
    .refine((v) => !CONTROL.test(v), 'must not contain control characters');

/** Optional attribute: a string, or null / '' to clear it. */
const optionalText = (max: number) => z.union([text(max), z.null()]).transform((v) => v ?? '');

const USERNAME_MAX = 100;
const EMAIL_MAX = 254;

// Characters that make two different usernames look the same or reorder what is shown (Unicode format
// characters: bidirectional overrides and marks, zero-width spaces and joiners, the BOM...), and code
// points that are not characters at all.
const FORMAT = /\p{Cf}/u;
const NONCHARACTER = /\p{Noncharacter_Code_Point}/u;

/** One spelling per username: NFC (a name typed on another system matches), nothing invisible. */
const normalizeUsername = (v: string) => v.normalize('NFC');

const usernameSchema = text(USERNAME_MAX)
  .min(1, 'must not be empty')
  .refine((v) => !/\s/.test(v), 'must not contain spaces')
  .refine((v) => v.isWellFormed(), 'must be valid Unicode text')
  .refine((v) => !FORMAT.test(v), 'must not contain invisible formatting characters (bidirectional, zero-width or similar marks)')
  .refine((v) => !NONCHARACTER.test(v), 'must not contain Unicode noncharacters')
  .transform(normalizeUsername)
  .refine((v) => v.length <= USERNAME_MAX, `must be at most ${USERNAME_MAX} characters`);

const emailSchema = text(EMAIL_MAX)
  .min(1, 'must not be empty')
  .pipe(z.email({ message: 'must be a valid email address' }));

/** An optional attribute of at most `max` characters. */
const maybe = (max: number) => optionalText(max).optional();
/** Addresses and phone numbers are typed work or home. */
const contactType = z.enum(['work', 'home'], { message: "must be 'work' or 'home'" });

const addressSchema = z
  .object({
    type: contactType,
    streetAddress: maybe(256),
    locality: maybe(128),
    region: maybe(128),
    postalCode: maybe(32),
    country: maybe(128),
    poBox: maybe(64),
    extendedAddress: maybe(256),
  })
  .strict();

const phoneNumberSchema = z
  .object({
    type: contactType,
    number: text(50)
      .min(1, 'must not be empty')
      .regex(/^[+0-9()\-.\s/x#*]+$/i, 'must contain only digits, spaces and + ( ) - . / x # *'),
  })
  .strict();

export type Address = z.output<typeof addressSchema>;
export type PhoneNumber = z.output<typeof phoneNumberSchema>;

/** The 14 directory attributes besides username/email, all optional. */
const attributeShape = {
  firstname: maybe(100),
  middlename: maybe(100),
  lastname: maybe(100),
  displayname: maybe(256),
  jobTitle: maybe(256),
  department: maybe(256),
  costCenter: maybe(256),
  employeeType: maybe(256),
  employeeIdentifier: maybe(256),
  organization: maybe(256),
  addresses: z.array(addressSchema).max(10, 'at most 10 addresses').optional(),
  phoneNumbers: z.array(phoneNumberSchema).max(10, 'at most 10 phone numbers').optional(),
};

export const createUserSchema = z
  .object({
    username: usernameSchema,
    email: emailSchema,
    ...attributeShape,
    state: z.enum(USER_STATES).default('ACTIVE'),
    passwordStatus: z
      .literal('PENDING', { message: 'new users start PENDING; set a password with POST /api/v1/users/:id/password' })
      .optional(),
  })
  .strict();

export const updateUserSchema = z
  .object({
    username: usernameSchema.optional(),
    email: emailSchema.optional(),
    ...attributeShape,
    state: z.enum(USER_STATES).optional(),
  })
  .strict()
  .refine((v) => Object.keys(v).length > 0, 'at least one field must be given');

export type CreateUserInput = z.output<typeof createUserSchema>;
export type UpdateUserInput = z.output<typeof updateUserSchema>;

export const userSchema = z.object({
  id: z.string(),
  username: z.string(),
  email: z.string(),
  firstname: z.string(),
  middlename: z.string(),
  lastname: z.string(),
  displayname: z.string(),
  jobTitle: z.string(),
  department: z.string(),
  costCenter: z.string(),
  employeeType: z.string(),
  employeeIdentifier: z.string(),
  organization: z.string(),
  addresses: z.array(
    z.object({
      type: z.enum(['work', 'home']),
      streetAddress: z.string(),
      locality: z.string(),
      region: z.string(),
      postalCode: z.string(),
      country: z.string(),
      poBox: z.string().optional(),
      extendedAddress: z.string().optional(),
    }),
  ),
  phoneNumbers: z.array(z.object({ type: z.enum(['work', 'home']), number: z.string() })),
  state: z.enum(USER_STATES),
  passwordStatus: z.enum(PASSWORD_STATUSES),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Where the user came from: an import run of an application, or a SCIM source (inbound SCIM). */
  source: z
    .discriminatedUnion('type', [
      z.object({ type: z.literal('import'), applicationId: z.string(), importRunId: z.string() }),
      z.object({ type: z.literal('scim'), sourceId: z.string() }),
    ])
    .optional(),
});

export type User = z.output<typeof userSchema>;

export const USER_SORT_FIELDS = [
  'username',
  'email',
  'firstname',
  'lastname',
  'displayname',
  'state',
  'passwordStatus',
  'createdAt',
  'updatedAt',
] as const;
export type UserSortField = (typeof USER_SORT_FIELDS)[number];

/** Problems with a user payload as {path, message}, for imports that report per user instead of throwing. */
export function userProblems(input: unknown): { path: string; message: string }[] {
  const r = createUserSchema.safeParse(input);
  if (r.success) return [];
  return r.error.issues.map((i) => ({
    path: i.code === 'unrecognized_keys' ? i.keys.join(',') : i.path.join('.'),
    message: i.message,
  }));
}
